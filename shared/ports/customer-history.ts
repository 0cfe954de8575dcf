import type { ActivityEntry } from '../domain/activity.ts';
import type { CustomerProfile, ProfileSettings, Sighting } from '../domain/customer-profile.ts';
import type { ErasableRecord } from '../domain/erasure.ts';
import type { Decision } from '../domain/fraud-rules.ts';
import type { StoredEvent } from '../domain/stored-event.ts';

/** The customer's history after a transaction was recorded in it. */
export interface CustomerHistoryUpdate {
  /** Every transaction of the last 48 hours (docs/decisions/0003-activity-ledger.md). */
  readonly entries: readonly ActivityEntry[];
  /** The habits of the history rules (docs/scoring.md). */
  readonly profile: CustomerProfile;
}

/**
 * The scoring decision kept with a transaction's ledger entry, written by the same write, so that
 * a redelivered event finishes what its first scoring started with the decision first made
 * (docs/scoring.md, "Exactly once").
 */
export type RecordedDecision = Decision;

/** Decides on the history as the write will leave it; called again if the write lost a race. */
export type Decide = (update: CustomerHistoryUpdate) => RecordedDecision | Promise<RecordedDecision>;

export interface CustomerHistoryRecord extends CustomerHistoryUpdate {
  /**
   * The decision kept with the event's entry: the one `decide` just made, or, for a redelivery,
   * the one an earlier record kept. None when the entry is not kept (dated outside the ledger's
   * 48 hours), when no `decide` was given, or for an entry recorded before decisions were kept.
   */
  readonly decision?: RecordedDecision;
  /** The event's entry was in the ledger already: a redelivery. */
  readonly recordedBefore: boolean;
  /**
   * An erasure covers the event (it was received before the customer was erased): nothing was
   * written, and the entries and profile are empty.
   */
  readonly erased?: true;
}

/** A transaction's entry as the ledger holds it. */
export interface LedgerEntry {
  /** The decision kept with it; none for an entry recorded before decisions were kept. */
  readonly decision?: RecordedDecision;
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
   * and none is lost. With `decide`, the decision it makes on that history is kept with the new
   * entry by the same write; a redelivery finds its entry and gets the kept decision back, and
   * `decide` is not called. With the event's `erasable` (its erasure ref and receipt time), the
   * history is the erasure ref's item and every write is conditional on no erasure covering the
   * event: an erasure that landed before the read or before the write returns `erased` and
   * writes nothing (docs/decisions/0015-history-keyed-by-erasure-ref.md).
   */
  record(
    bankId: string,
    customerId: string,
    entry: ActivityEntry,
    sighting: Sighting,
    settings: ProfileSettings,
    now: Date,
    decide?: Decide,
    erasable?: ErasableRecord,
  ): Promise<CustomerHistoryRecord>;
  /**
   * The entry of the event's card transaction, read strongly consistently, or undefined when the
   * ledger does not hold it (never recorded, or gone: erased, or older than the 48 hours and
   * removed). Its decision is what tells `vigil redrive` that the transaction was scored
   * (docs/scoring.md, "Exactly once").
   */
  entryOf(event: StoredEvent): Promise<LedgerEntry | undefined>;
}
