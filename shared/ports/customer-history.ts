import type { ActivityEntry } from '../domain/activity.ts';
import type { CustomerProfile, ProfileSettings, Sighting } from '../domain/customer-profile.ts';

/** The customer's history after a transaction was recorded in it. */
export interface CustomerHistoryUpdate {
  /** Every transaction of the last 48 hours (docs/decisions/0003-activity-ledger.md). */
  readonly entries: readonly ActivityEntry[];
  /** The habits of the history rules (docs/scoring.md). */
  readonly profile: CustomerProfile;
}

/**
 * Each customer's 48-hour activity ledger and profile, recorded together by one write
 * (docs/decisions/0013-one-customer-history-item.md).
 */
export interface CustomerHistory {
  /**
   * Adds the entry to the customer's ledger and the sighting to their profile (each once, however
   * often the event is recorded) and returns both as that write left them. Concurrent records for
   * one customer are applied one after the other: each sees exactly the records applied before it,
   * and none is lost.
   */
  record(
    bankId: string,
    customerId: string,
    entry: ActivityEntry,
    sighting: Sighting,
    settings: ProfileSettings,
    now: Date,
  ): Promise<CustomerHistoryUpdate>;
}
