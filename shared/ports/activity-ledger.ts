import type { ActivityEntry } from '../domain/activity.ts';

/** Each customer's transactions of the last 48 hours. */
export interface ActivityLedger {
  /**
   * Records the entry (once, however often it is recorded) and returns, atomically with that
   * write, every entry the ledger then holds for the customer.
   */
  record(
    bankId: string,
    customerId: string,
    entry: ActivityEntry,
    now: Date,
  ): Promise<readonly ActivityEntry[]>;
}
