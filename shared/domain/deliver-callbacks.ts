import type { BankDirectory } from '../ports/bank-directory.ts';
import type { BankSecrets } from '../ports/bank-secrets.ts';
import type { CallbackOutbox } from '../ports/callback-outbox.ts';
import type { CallbackSender } from '../ports/callback-sender.ts';
import type { Clock } from '../ports/clock.ts';
import {
  ATTEMPT_LEASE_MS,
  type CallbackDelivery,
  LATEST_FIRST_RETRY_MS,
  nextAttemptAfter,
} from './callback-delivery.ts';
import { parseCallbackUrl } from './callback-url.ts';
import { standardWebhookSignature } from './verify-bank-signature.ts';

/** What sending a callback needs: the bank's URL and secrets, and the guarded HTTP client. */
export interface SendCallbackPorts {
  readonly banks: BankDirectory;
  readonly secrets: BankSecrets;
  readonly sender: CallbackSender;
  readonly clock: Clock;
  /** Local mode calls banks at http://127.0.0.1; in AWS only https to global addresses. */
  readonly allowLoopbackHttp?: boolean;
}

export interface DeliverCallbackPorts extends SendCallbackPorts {
  readonly outbox: CallbackOutbox;
  /** Told why an attempt failed (`HTTP 503`, `timeout`, `ECONNREFUSED`...), for the log line. */
  readonly onFailure?: (failure: string) => void;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'dead' | 'skipped';

/**
 * Sends one callback: signed at sending time with the bank's callback secrets (one signature per
 * secret during a rotation), its delivery id as `webhook-id` on every attempt. Undefined when
 * the bank answered 2xx; otherwise why not (`HTTP 503`, `timeout`, `ECONNREFUSED`, no valid URL
 * or secret), never the URL or the body.
 */
export async function sendCallback(
  callback: Pick<CallbackDelivery, 'deliveryId' | 'bankId' | 'body'>,
  ports: SendCallbackPorts,
): Promise<string | undefined> {
  try {
    const [bank, secrets] = await Promise.all([
      ports.banks.get(callback.bankId),
      ports.secrets.callbackSecrets(callback.bankId),
    ]);
    const url = callbackUrl(bank?.callbackUrl, ports.allowLoopbackHttp ?? false);
    if (url === undefined || secrets.length === 0) return 'no valid callback URL or callback secret';
    const sentAt = ports.clock.now();
    const status = await ports.sender.post(
      url,
      {
        'content-type': 'application/json',
        'user-agent': 'Vigil-Callbacks/1',
        'webhook-id': callback.deliveryId,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        // During a rotation, one signature per secret, space-separated as Standard Webhooks
        // allows: the bank verifies with either while it switches.
        'webhook-signature': secrets
          .map((secret) => standardWebhookSignature(secret, callback.deliveryId, sentAt, callback.body))
          .join(' '),
      },
      callback.body,
    );
    return status >= 200 && status < 300 ? undefined : `HTTP ${status}`;
  } catch (error) {
    return describeFailure(error);
  }
}

/**
 * One attempt of the retrier at a queued callback: claimed first (a conditional move of its next
 * attempt time to a lease), so that two runs never call the bank for it at once; then sent
 * (sendCallback). A non-2xx answer or a timeout reschedules it with backoff, until the retry
 * window closes and it goes to the dead letters.
 */
export async function deliverCallback(
  delivery: CallbackDelivery,
  ports: DeliverCallbackPorts,
): Promise<DeliveryOutcome> {
  if (delivery.status !== 'pending') return 'skipped';
  const leaseUntil = new Date(ports.clock.now().getTime() + ATTEMPT_LEASE_MS);
  if (!(await ports.outbox.claim(delivery.deliveryId, delivery.nextAttemptAt, leaseUntil))) return 'skipped';
  const attempts = delivery.attempts + 1;
  let failure = await sendCallback(delivery, ports);
  if (failure === undefined) {
    try {
      await ports.outbox.markDelivered(delivery.deliveryId, attempts, ports.clock.now());
      return 'delivered';
    } catch (error) {
      // The bank took it but it stays pending: it is sent again, under the same webhook-id.
      failure = describeFailure(error);
    }
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
/** A bank that failed a first attempt is not tried at once again for this long: the retrier takes over. */
export const COOL_DOWN_MS = 60_000;
/**
 * A first attempt starts only while the invocation has this much time left: the sender's 5 s
 * timeout and the outbox write after it, twice over. Otherwise the callback goes to the outbox.
 */
export const FIRST_ATTEMPT_TIME_NEEDED_MS = 10_000;

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
 * The retrier of the callback outbox (docs/contract.md#callbacks): each scheduled run sends each
 * bank's due callbacks in order, one at a time, banks side by side, so a bank that is down only
 * slows its own.
 */
export function callbackDeliveryPolicy(
  ports: Omit<DeliverCallbackPorts, 'onFailure'>,
  onAttempt: (attempt: CallbackAttempt) => void = () => {},
) {
  const attempt = async (delivery: CallbackDelivery): Promise<DeliveryOutcome> => {
    let error: string | undefined;
    const outcome = await deliverCallback(delivery, {
      ...ports,
      onFailure: (failure) => {
        error = failure;
      },
    });
    const { bankId, deliveryId, type } = delivery;
    onAttempt({ bankId, deliveryId, type, outcome, ...(error !== undefined && { error }) });
    return outcome;
  };
  return {
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

/** How the first attempt at a callback went; anything but `delivered` leaves it to the outbox. */
export type FirstAttempt =
  | { readonly type: 'delivered' }
  | { readonly type: 'failed'; readonly error: string }
  | {
      readonly type: 'not-attempted';
      readonly reason: 'cooling-down' | 'bank-slow' | 'no-time-left';
      /**
       * Not to be sent before then: after the retry of the bank's callback that failed, so that the
       * retrier, which sends a bank's due callbacks in the order of their times, keeps their order.
       */
      readonly notBefore?: Date;
    };

/**
 * How long a bank's slow first attempts (SLOW_ATTEMPT_MS or more each) may take in an execution
 * environment within COOL_DOWN_MS before its next callbacks go to the outbox: a bank that
 * answers, but slowly, does not hold up the stream's other records (the retrier sends banks side
 * by side). A bank that answers fast is never held back, however many callbacks it gets.
 */
export const SLOW_BANK_BUDGET_MS = 10_000;

/** A first attempt that took this long or more counts against SLOW_BANK_BUDGET_MS. */
export const SLOW_ATTEMPT_MS = 1_000;

/** Delivery ids an execution environment remembers as delivered (the most recent ones). */
const REMEMBERED_DELIVERIES = 10_000;

/**
 * The first attempts at new callbacks, made by notify-bank as it derives them (decision 16): each
 * sent at once (sendCallback), unless its bank failed a first attempt within COOL_DOWN_MS (by the
 * injected clock), so that a bank that is down costs one timeout, not one per callback; or its
 * slow attempts took more than SLOW_BANK_BUDGET_MS within COOL_DOWN_MS; or the invocation has too
 * little time left (FIRST_ATTEMPT_TIME_NEEDED_MS). A callback delivered here is not sent again
 * when its record comes back (a batch retried for another record's failure, or redelivered to
 * this environment). All of it is kept per execution environment: after a restart the first
 * attempt simply goes ahead, and a redelivered record is sent again with the same `webhook-id`.
 */
export function firstCallbackAttempts(ports: SendCallbackPorts) {
  const failedAt = new Map<string, number>();
  const spent = new Map<string, { since: number; ms: number }>();
  const delivered = new Set<string>();
  return {
    async attempt(
      delivery: Pick<CallbackDelivery, 'deliveryId' | 'bankId' | 'body'>,
      timeLeftMs = Number.POSITIVE_INFINITY,
    ): Promise<FirstAttempt> {
      if (delivered.has(delivery.deliveryId)) return { type: 'delivered' };
      const now = ports.clock.now().getTime();
      const lastFailure = failedAt.get(delivery.bankId);
      if (lastFailure !== undefined && now - lastFailure < COOL_DOWN_MS) {
        return {
          type: 'not-attempted',
          reason: 'cooling-down',
          notBefore: new Date(lastFailure + LATEST_FIRST_RETRY_MS + 1000),
        };
      }
      // This minute's slow attempts at the bank, if any.
      const spentSince = spent.get(delivery.bankId);
      const window =
        spentSince !== undefined && now - spentSince.since < COOL_DOWN_MS ? spentSince : undefined;
      if (window !== undefined && window.ms >= SLOW_BANK_BUDGET_MS) {
        return { type: 'not-attempted', reason: 'bank-slow' };
      }
      if (timeLeftMs < FIRST_ATTEMPT_TIME_NEEDED_MS) return { type: 'not-attempted', reason: 'no-time-left' };
      const error = await sendCallback(delivery, ports);
      const end = ports.clock.now().getTime();
      if (end - now >= SLOW_ATTEMPT_MS) {
        spent.set(delivery.bankId, { since: window?.since ?? now, ms: (window?.ms ?? 0) + (end - now) });
      }
      if (error === undefined) {
        failedAt.delete(delivery.bankId);
        if (delivered.size >= REMEMBERED_DELIVERIES) delivered.clear();
        delivered.add(delivery.deliveryId);
        return { type: 'delivered' };
      }
      failedAt.set(delivery.bankId, end);
      return { type: 'failed', error };
    },
  };
}
