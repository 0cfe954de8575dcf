import type { BankCallback } from './bank-callback.ts';

/** Callbacks are retried for at least 24 hours (docs/contract.md#callbacks); then they go to the dead letters. */
export const CALLBACK_RETRY_WINDOW_MS = 25 * 60 * 60 * 1000;
/** The first retry after a failed attempt waits this long (then doubling: nextAttemptAfter). */
export const FIRST_RETRY_DELAY_MS = 30_000;
/** The backoff's jitter: up to this share of the delay more. */
const MAX_JITTER = 0.2;
/** An attempt holds its delivery this long: a crashed attempt is retried after it. */
export const ATTEMPT_LEASE_MS = 60_000;
/** Delivery records are kept a week for operators, then expire. */
export const DELIVERY_RETENTION_SECONDS = 7 * 24 * 60 * 60;

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

/** A callback in the outbox, with its delivery state. */
export interface CallbackDelivery {
  readonly deliveryId: string;
  readonly bankId: string;
  readonly type: string;
  /** The exact JSON body the bank receives (signed as is). */
  readonly body: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly createdAt: string;
  /** ISO time of the next attempt, while pending. */
  readonly nextAttemptAt?: string;
  readonly deliveredAt?: string;
  readonly lastError?: string;
  /** DynamoDB TTL, epoch seconds. */
  readonly expiresAt: number;
}

/**
 * The outbox record of a callback no attempt was made at: due at once, so the retrier's next run
 * sends it (docs/decisions/0016-first-callback-attempt-from-notify-bank.md).
 */
export function newDelivery(callback: BankCallback, now: Date): CallbackDelivery {
  const { id, type, occurredAt, data } = callback;
  return {
    deliveryId: id,
    bankId: callback.bankId,
    type,
    body: JSON.stringify({ type, id, occurredAt, data }),
    status: 'pending',
    attempts: 0,
    createdAt: now.toISOString(),
    nextAttemptAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + DELIVERY_RETENTION_SECONDS,
  };
}

/**
 * The outbox record of a callback whose first attempt failed at `now`: that attempt counted, its
 * error kept, due again by the backoff (nextAttemptAfter), as the retrier would have left it.
 */
export function afterFailedFirstAttempt(
  delivery: CallbackDelivery,
  error: string,
  now: Date,
  random?: () => number,
): CallbackDelivery {
  const next = backoffAfter(1, now, random);
  return { ...delivery, attempts: 1, nextAttemptAt: next.toISOString(), lastError: error };
}

/**
 * When to try again after `attempts` failed attempts: 30 s doubling to at most an hour, with up
 * to 20 % jitter so that a bank coming back is not hit by every retry at once. Undefined when
 * the retry window is over.
 */
export function nextAttemptAfter(
  delivery: Pick<CallbackDelivery, 'createdAt'>,
  attempts: number,
  now: Date,
  random: () => number = Math.random,
): Date | undefined {
  if (now.getTime() - Date.parse(delivery.createdAt) >= CALLBACK_RETRY_WINDOW_MS) return undefined;
  return backoffAfter(attempts, now, random);
}

/** The backoff of nextAttemptAfter, without the retry window. */
function backoffAfter(attempts: number, now: Date, random: () => number = Math.random): Date {
  const base = Math.min(60 * 60_000, FIRST_RETRY_DELAY_MS * 2 ** Math.max(0, attempts - 1));
  return new Date(now.getTime() + base + Math.floor(base * MAX_JITTER * random()));
}

/** The latest a callback whose first attempt failed is due again after that failure (30 s + jitter). */
export const LATEST_FIRST_RETRY_MS = FIRST_RETRY_DELAY_MS * (1 + MAX_JITTER);
