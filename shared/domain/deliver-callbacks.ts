import { Webhook } from 'standardwebhooks';
import type { BankDirectory } from '../ports/bank-directory.ts';
import type { BankSecrets } from '../ports/bank-secrets.ts';
import type { CallbackOutbox } from '../ports/callback-outbox.ts';
import type { CallbackSender } from '../ports/callback-sender.ts';
import type { Clock } from '../ports/clock.ts';
import {
  ATTEMPT_LEASE_MS,
  type CallbackDelivery,
  FIRST_ATTEMPT_POST_WINDOW_MS,
  nextAttemptAfter,
} from './callback-delivery.ts';
import { parseCallbackUrl } from './callback-url.ts';

export interface DeliverCallbackPorts {
  readonly outbox: CallbackOutbox;
  readonly banks: BankDirectory;
  readonly secrets: BankSecrets;
  readonly sender: CallbackSender;
  readonly clock: Clock;
  /** Local mode calls banks at http://127.0.0.1; in AWS only https to global addresses. */
  readonly allowLoopbackHttp?: boolean;
  /** Told why an attempt failed (`HTTP 503`, `timeout`, `ECONNREFUSED`...), for the log line. */
  readonly onFailure?: (failure: string) => void;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'dead' | 'skipped';

/**
 * One attempt at a callback: claimed first, so that the immediate attempt and the retrier never
 * call the bank for it at once; signed at sending time with the bank's callback secrets, with the
 * delivery id as `webhook-id` on every attempt. A non-2xx answer or a timeout reschedules it with
 * backoff, until the retry window closes and it goes to the dead letters.
 */
export async function deliverCallback(
  delivery: CallbackDelivery,
  ports: DeliverCallbackPorts,
): Promise<DeliveryOutcome> {
  const now = ports.clock.now();
  if (delivery.status !== 'pending') return 'skipped';
  // The first attempt, well before the first retry time, takes the delivery without moving that
  // time: it is the attempt's lease. Any other takes a lease from now.
  const takeLease = () =>
    ports.outbox.claim(
      delivery.deliveryId,
      delivery.nextAttemptAt,
      new Date(ports.clock.now().getTime() + ATTEMPT_LEASE_MS),
    );
  const firstSeen = delivery.attempts === 0 ? delivery.nextAttemptAt : undefined;
  const first = firstLeaseLeft(firstSeen, now) ? firstSeen : undefined;
  if (
    !(await (first !== undefined ? ports.outbox.claimFirst(delivery.deliveryId, first, now) : takeLease()))
  ) {
    return 'skipped';
  }
  const attempts = delivery.attempts + 1;
  let failure: string;
  try {
    const [bank, secrets] = await Promise.all([
      ports.banks.get(delivery.bankId),
      ports.secrets.callbackSecrets(delivery.bankId),
    ]);
    const url = callbackUrl(bank?.callbackUrl, ports.allowLoopbackHttp ?? false);
    if (url === undefined || secrets.length === 0) {
      failure = 'no valid callback URL or callback secret';
    } else {
      const sentAt = ports.clock.now();
      // Lookups that ran long leave too little of the first lease: a lease from now, then.
      if (first !== undefined && !firstLeaseLeft(first, sentAt)) {
        if (!(await takeLease())) return 'skipped';
      }
      const status = await ports.sender.post(
        url,
        {
          'content-type': 'application/json',
          'user-agent': 'Vigil-Callbacks/1',
          'webhook-id': delivery.deliveryId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          // During a rotation, one signature per secret, space-separated as Standard Webhooks
          // allows: the bank verifies with either while it switches.
          'webhook-signature': secrets
            .map((secret) => new Webhook(secret).sign(delivery.deliveryId, sentAt, delivery.body))
            .join(' '),
        },
        delivery.body,
      );
      if (status >= 200 && status < 300) {
        await ports.outbox.markDelivered(delivery.deliveryId, attempts, ports.clock.now());
        return 'delivered';
      }
      failure = `HTTP ${status}`;
    }
  } catch (error) {
    failure = describeFailure(error);
  }
  ports.onFailure?.(failure);
  const next = nextAttemptAfter(delivery, attempts, ports.clock.now());
  if (next === undefined) {
    await ports.outbox.markDead(delivery.deliveryId, attempts, failure);
    return 'dead';
  }
  await ports.outbox.reschedule(delivery.deliveryId, attempts, next, failure);
  return 'retry';
}

/** True when a first attempt at `at` ends before the first retry time `seen`, its lease. */
function firstLeaseLeft(seen: string | undefined, at: Date): seen is string {
  return seen !== undefined && Date.parse(seen) - at.getTime() >= FIRST_ATTEMPT_POST_WINDOW_MS;
}

/**
 * The bank's callback URL if its form is one Vigil may call (shared/domain/callback-url.ts): https
 * to a host that is not an inside address or name, or loopback in local mode. The address the
 * sender connects to is checked again at connect time.
 */
export function callbackUrl(value: string | undefined, allowLoopbackHttp: boolean): URL | undefined {
  if (value === undefined) return undefined;
  try {
    return parseCallbackUrl(value, { allowLoopback: allowLoopbackHttp });
  } catch {
    return undefined;
  }
}

/**
 * A failed call in a few words, never the URL or body: `timeout`, the network error's code
 * (`ECONNREFUSED`, `ENOTFOUND`...), or the error's name.
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'error';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
  // node:http's network errors carry their code themselves; fetch's carry it in their cause.
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  const cause = (error as { cause?: { code?: unknown; name?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.name === 'string' && cause.name !== 'Error') return cause.name;
  return error.name;
}

/** Callbacks per bank per scheduled run; the rest wait for the next run. */
export const PER_BANK_LIMIT = 25;
/** A bank that failed is not tried at once again for this long: the retrier takes over. */
export const COOL_DOWN_MS = 60_000;

/** One attempt, as the function logs it: ids, type and outcome, and why it failed. */
export interface CallbackAttempt {
  readonly bankId: string;
  readonly deliveryId: string;
  readonly type: string;
  readonly outcome: DeliveryOutcome;
  /** The bank's status or the network error, when it will be retried or gave up. */
  readonly error?: string;
}

/**
 * The delivery policy of the callback outbox (docs/contract.md#callbacks): a queued callback is
 * tried at once, unless its bank failed within COOL_DOWN_MS (by the injected clock); the
 * scheduled retrier then sends each bank's due callbacks in order, one at a time, banks side by
 * side, so a bank that is down only slows its own. The cool-down is kept per execution
 * environment: after a restart the first attempt simply goes ahead.
 */
export function callbackDeliveryPolicy(
  ports: Omit<DeliverCallbackPorts, 'onFailure'>,
  onAttempt: (attempt: CallbackAttempt) => void = () => {},
) {
  const failedAt = new Map<string, number>();
  const attempt = async (delivery: CallbackDelivery): Promise<DeliveryOutcome> => {
    let error: string | undefined;
    const outcome = await deliverCallback(delivery, {
      ...ports,
      onFailure: (failure) => {
        error = failure;
      },
    });
    if (outcome === 'retry' || outcome === 'dead') failedAt.set(delivery.bankId, ports.clock.now().getTime());
    if (outcome === 'delivered') failedAt.delete(delivery.bankId);
    const { bankId, deliveryId, type } = delivery;
    onAttempt({ bankId, deliveryId, type, outcome, ...(error !== undefined && { error }) });
    return outcome;
  };
  return {
    /** The immediate attempt at a newly queued callback; `cooling-down` leaves it to the retrier. */
    async firstAttempt(delivery: CallbackDelivery): Promise<DeliveryOutcome | 'cooling-down'> {
      const lastFailure = failedAt.get(delivery.bankId);
      if (lastFailure !== undefined && ports.clock.now().getTime() - lastFailure < COOL_DOWN_MS) {
        return 'cooling-down';
      }
      return attempt(delivery);
    },
    /** One scheduled run: each bank's due callbacks, up to PER_BANK_LIMIT each. */
    async retryDue(): Promise<{ attempted: number }> {
      const now = ports.clock.now();
      const perBank = await Promise.all(
        (await ports.banks.list()).map(async (bankId) => {
          let attempted = 0;
          for (const delivery of await ports.outbox.due(bankId, now, PER_BANK_LIMIT)) {
            await attempt(delivery);
            attempted++;
          }
          return attempted;
        }),
      );
      return { attempted: perBank.reduce((sum, n) => sum + n, 0) };
    },
  };
}
