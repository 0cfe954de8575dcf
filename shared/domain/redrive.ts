import type { AlertStore } from '../ports/alert-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { CustomerHistory } from '../ports/customer-history.ts';
import type { RedriveStore } from '../ports/redrive-store.ts';
import { inLedgerWindow } from './activity.ts';
import { fraudAlertId } from './alert.ts';
import type { StoredEvent } from './stored-event.ts';

export interface RedriveResult {
  readonly eventsRescored: number;
  /**
   * Card transactions still `received` whose date has left the ledger's 48 hours since they
   * arrived: a scored one keeps that status too and its entry may be gone, so they cannot be told
   * apart. Not re-driven unless `pastLedgerWindow` is asked for (then counted in `eventsRescored`
   * as well).
   */
  readonly eventsPastLedgerWindow: number;
  readonly alertsResent: number;
  readonly alertsUndeliverable: number;
  readonly callbacksRequeued: number;
}

export interface RedriveOptions {
  /**
   * Also re-drive the card transactions that cannot be told apart (`eventsPastLedgerWindow`):
   * for an operator who knows they are stuck. Scored ones among them are scored again.
   */
  readonly pastLedgerWindow?: boolean;
}

/**
 * Re-drives what is stuck past its deadline (a record that still fails stays in its table with its
 * status: docs/architecture.md#failures): unscored events and never-claimed pending alerts are written again, so
 * that their streams retry them after the stream's own 24 h; an alert whose send was claimed but
 * never confirmed is not sent again (it may have reached the customer) but becomes
 * `undeliverable`, so the bank can fall back; dead callbacks go back to the outbox.
 *
 * A card transaction's event stays `received` once scored (its ledger entry keeps the decision:
 * docs/scoring.md, "Exactly once"), so each one within the ledger's 48 hours is looked up in the
 * customer's history: scored when its entry keeps a decision, and, for a decision to alert, its
 * alert was filed; otherwise it is re-driven (a redelivery finishes with the kept decision).
 */
export async function redrive(
  ports: {
    store: RedriveStore;
    alerts: AlertStore;
    clock: Clock;
    history: Pick<CustomerHistory, 'entryOf'>;
  },
  olderThanMinutes = 10,
  options: RedriveOptions = {},
): Promise<RedriveResult> {
  const now = ports.clock.now();
  const cutoff = new Date(now.getTime() - olderThanMinutes * 60_000);
  let eventsRescored = 0;
  let eventsPastLedgerWindow = 0;
  for (const event of await ports.store.unscoredEvents(cutoff)) {
    const state = await scoringState(event, now, ports);
    if (state === 'scored') continue;
    if (state === 'past-ledger-window') {
      eventsPastLedgerWindow++;
      if (options.pastLedgerWindow !== true) continue;
    }
    await ports.store.reinsertEvent(event);
    eventsRescored++;
  }
  let alertsResent = 0;
  let alertsUndeliverable = 0;
  for (const alert of await ports.store.pendingAlerts(cutoff)) {
    if (alert.sendClaimedAt !== undefined) {
      await ports.alerts.markUndeliverable(alert.alertId, 'send_unconfirmed', now);
      alertsUndeliverable++;
    } else {
      // A fraud check's first alert is changed in place, not deleted and written again: members
      // joining meanwhile would be lost, and its open-check item would name a missing alert.
      if (alert.checkId === alert.alertId) await ports.store.touchAlert(alert.alertId, now);
      else await ports.store.reinsertAlert(alert);
      alertsResent++;
    }
  }
  let callbacksRequeued = 0;
  for (const delivery of await ports.store.deadCallbacks()) {
    await ports.store.requeueCallback(delivery, now);
    callbacksRequeued++;
  }
  return { eventsRescored, eventsPastLedgerWindow, alertsResent, alertsUndeliverable, callbacksRequeued };
}

/**
 * What a `received` event's status does not tell, from the history: a balance event, or a card
 * transaction dated outside the ledger's 48 hours already when it arrived, is marked when scored,
 * so it is unscored; a transaction within them now was scored if its entry keeps a decision (and
 * the alert that decision asked for was filed); one that has left them since cannot be told.
 */
async function scoringState(
  event: StoredEvent,
  now: Date,
  ports: { alerts: AlertStore; history: Pick<CustomerHistory, 'entryOf'> },
): Promise<'scored' | 'unscored' | 'past-ledger-window'> {
  const transaction = event.transaction;
  if (transaction === undefined) return 'unscored';
  const at = Date.parse(event.occurredAt);
  if (!inLedgerWindow(at, new Date(event.receivedAt))) return 'unscored';
  if (!inLedgerWindow(at, now)) return 'past-ledger-window';
  const decision = (await ports.history.entryOf(event))?.decision;
  if (decision === undefined) return 'unscored';
  if (!decision.alert) return 'scored';
  // Written after the entry: a crash between the two leaves the alert to file.
  return (await ports.alerts.get(fraudAlertId(event.bankId, transaction.id))) === undefined
    ? 'unscored'
    : 'scored';
}
