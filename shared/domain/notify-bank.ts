import type { CallbackOutbox } from '../ports/callback-outbox.ts';
import type { Clock } from '../ports/clock.ts';
import type { ErasureMarkers } from '../ports/erasure.ts';
import type { Alert } from './alert.ts';
import { alertCallbacks, subscriberCallback, subscriberRef } from './bank-callback.ts';
import { afterFailedFirstAttempt, type CallbackDelivery, newDelivery } from './callback-delivery.ts';
import { type FraudFeedbackPorts, forgetReporter, recordDisputedAlert } from './compromised-merchant.ts';
import type { FirstAttempt } from './deliver-callbacks.ts';
import { coveredByErasure } from './erasure.ts';
import type { Subscriber } from './subscriber.ts';

export interface NotifyBankPorts {
  /** The first attempt at a new callback (firstCallbackAttempts in deliver-callbacks.ts). */
  readonly firstAttempt: (delivery: CallbackDelivery) => Promise<FirstAttempt>;
  /** Where callbacks whose first attempt failed, or was not made, wait for the retrier. */
  readonly outbox: CallbackOutbox;
  readonly clock: Clock;
  readonly erasures: ErasureMarkers;
  /** The per-deployment key of subscriberRef. */
  readonly subscriberRefKey: () => Promise<string>;
  /** "No, it wasn't me" marks the disputed payments' merchants (docs/scoring.md, "Confirmed fraud"). */
  readonly fraudFeedback: FraudFeedbackPorts;
}

/** An item of the alerts table (an alert, or a bookkeeping item without `kind`) or of the subscribers table. */
export type NotifyBankItem = Alert | { readonly alertId: string; readonly kind?: undefined } | Subscriber;

/** A change of one item, as its table's stream tells it. */
export interface ItemChange {
  readonly before?: NotifyBankItem;
  readonly after?: NotifyBankItem;
}

export type NotifyBankOutcome =
  | { readonly type: 'nothing' }
  | { readonly type: 'erased'; readonly bankId: string; readonly callbackType: string }
  | {
      readonly type: 'notified';
      readonly callbacks: readonly NotifiedCallback[];
      /** Merchants a "No" answer marked compromised. */
      readonly merchantsMarked: number;
    };

/** One callback and what became of it. */
export interface NotifiedCallback {
  readonly bankId: string;
  readonly deliveryId: string;
  readonly type: string;
  /**
   * `delivered` by the first attempt (nothing stored); `queued` in the outbox for the retrier;
   * `already-queued` when the outbox held it already (a redelivered record), left as it was.
   */
  readonly outcome: 'delivered' | 'queued' | 'already-queued';
  /** Why the first attempt failed (`HTTP 503`, `timeout`...) or was not made (`cooling-down`...). */
  readonly reason?: string;
}

const isAlertsItem = (item: NotifyBankItem): item is Exclude<NotifyBankItem, Subscriber> => 'alertId' in item;
const isAlert = (item: NotifyBankItem | undefined): item is Alert =>
  item !== undefined && isAlertsItem(item) && item.kind !== undefined;

/**
 * Turns a status change of an alert or a subscription into the callbacks the bank is owed
 * (docs/contract.md#callbacks), and makes the first attempt at each, in order: a callback the
 * bank took is stored nowhere; one whose attempt failed, or was not made, is queued in the outbox
 * for the retrier, once (a redelivered record leaves a queued one as it is; one the bank took is
 * sent again, with the same `webhook-id`: delivery is at least once). A bookkeeping
 * item of the alerts table (a customer's open check) is no alert: the bank hears of it through the
 * alerts. No callback is sent or queued about an alert whose customer was erased after its event arrived.
 * A fraud check answered "No, it wasn't me" marks the merchants of its payments as compromised
 * (docs/scoring.md, "Confirmed fraud"), never for a customer erased meanwhile.
 */
export async function notifyBank(change: ItemChange, ports: NotifyBankPorts): Promise<NotifyBankOutcome> {
  const { before, after } = change;
  const subject = after ?? before;
  if (subject === undefined) return { type: 'nothing' };
  const now = ports.clock.now();
  let callbacks: ReturnType<typeof alertCallbacks>;
  if (isAlertsItem(subject)) {
    if (!isAlert(subject)) return { type: 'nothing' };
    callbacks = isAlert(after) ? alertCallbacks(isAlert(before) ? before : undefined, after, now) : [];
  } else {
    const refKey = await ports.subscriberRefKey();
    const callback = subscriberCallback(
      before as Subscriber | undefined,
      after as Subscriber | undefined,
      now,
      (address, channel) => subscriberRef(refKey, channel, address),
    );
    callbacks = callback === undefined ? [] : [callback];
  }
  const first = callbacks[0];
  if (first === undefined) return { type: 'nothing' };
  const alert = isAlert(after) ? after : undefined;
  const erased = async () => {
    if (alert?.erasureRef === undefined || alert.receivedAt === undefined) return false;
    const erasedAt = await ports.erasures.erasedAt(alert.erasureRef);
    return coveredByErasure(erasedAt, { erasureRef: alert.erasureRef, receivedAt: alert.receivedAt });
  };
  if (await erased()) return { type: 'erased', bankId: first.bankId, callbackType: first.type };
  let merchantsMarked = 0;
  if (alert !== undefined) {
    merchantsMarked = await recordDisputedAlert(
      isAlert(before) ? before : undefined,
      alert,
      now,
      ports.fraudFeedback,
    );
    // Checked again after the write: an erasure that landed meanwhile may have missed the marks.
    if (merchantsMarked > 0 && (await erased())) {
      await forgetReporter(alert.bankId, alert.customerId, ports.fraudFeedback);
      return { type: 'erased', bankId: first.bankId, callbackType: first.type };
    }
  }
  const notified: NotifiedCallback[] = [];
  for (const callback of callbacks) {
    const { bankId, type, id: deliveryId } = callback;
    const delivery = newDelivery(callback, now);
    const attempt = await ports.firstAttempt(delivery);
    if (attempt.type === 'delivered') {
      notified.push({ bankId, deliveryId, type, outcome: 'delivered' });
      continue;
    }
    const reason = attempt.type === 'failed' ? attempt.error : attempt.reason;
    const queued =
      attempt.type === 'failed'
        ? afterFailedFirstAttempt(delivery, attempt.error, ports.clock.now())
        : notBefore(delivery, attempt.notBefore);
    const stored = await ports.outbox.enqueue(queued);
    notified.push({ bankId, deliveryId, type, outcome: stored ? 'queued' : 'already-queued', reason });
  }
  return { type: 'notified', callbacks: notified, merchantsMarked };
}

/** The delivery due at `at` if that is later than it is due (FirstAttempt's `notBefore`). */
function notBefore(delivery: CallbackDelivery, at: Date | undefined): CallbackDelivery {
  return at !== undefined && at.toISOString() > (delivery.nextAttemptAt ?? '')
    ? { ...delivery, nextAttemptAt: at.toISOString() }
    : delivery;
}
