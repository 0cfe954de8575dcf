// A customer's recent transactions, as the activity ledger keeps them, and the two figures the
// velocity and daily spend rules need.

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Entries are kept for 48 hours: a rolling day, plus room for events that arrive late. */
export const ACTIVITY_RETENTION_MS = 2 * DAY_MS;
/** Entries dated further ahead than this are dropped: events are refused past 5 minutes ahead. */
export const ACTIVITY_FUTURE_TOLERANCE_MS = 10 * 60_000;

/** Whether a transaction dated `at` belongs in the ledger at `now`: not older than 48 hours, not too far ahead. */
export function inLedgerWindow(at: number, now: Date): boolean {
  return at >= now.getTime() - ACTIVITY_RETENTION_MS && at <= now.getTime() + ACTIVITY_FUTURE_TOLERANCE_MS;
}

export interface ActivityEntry {
  /** Unique per event, so that a redelivered event is recorded once. */
  readonly eventId: string;
  /** When the transaction occurred, epoch milliseconds. */
  readonly at: number;
  readonly amount: number;
  readonly currency: string;
  readonly authorized: boolean;
}

export interface ActivitySummary {
  /** Transactions in (at − window, at], this one included. */
  readonly velocityCount: number;
  /** Authorized amounts in the thresholds' currency in (at − 24 h, at], this one included. */
  readonly dailySpend: number;
}

/**
 * Counts the entries in the velocity window and sums the day's authorized spend, both ending at
 * the scored transaction's time. Entries that occurred after it do not count.
 */
export function summarizeActivity(
  entries: readonly ActivityEntry[],
  at: number,
  velocityWindowMs: number,
  currency: string,
): ActivitySummary {
  const windowStart = at - velocityWindowMs;
  const dayStart = at - DAY_MS;
  let velocityCount = 0;
  let dailySpend = 0;
  for (const entry of entries) {
    if (entry.at > at) continue;
    if (entry.at > windowStart) velocityCount++;
    if (entry.at > dayStart && entry.authorized && entry.currency === currency) dailySpend += entry.amount;
  }
  return { velocityCount, dailySpend };
}
