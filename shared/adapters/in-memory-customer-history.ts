import type { ActivityEntry } from '../domain/activity.ts';
import { emptyProfile, type ProfileSettings, type Sighting } from '../domain/customer-profile.ts';
import { coveredByErasure, type ErasableRecord } from '../domain/erasure.ts';
import { customerKeyOf, type StoredEvent } from '../domain/stored-event.ts';
import type {
  CustomerHistory,
  CustomerHistoryRecord,
  Decide,
  LedgerEntry,
  RecordedDecision,
} from '../ports/customer-history.ts';
import { InMemoryActivityLedger } from './in-memory-activity-ledger.ts';
import { InMemoryCustomerProfiles } from './in-memory-customer-profiles.ts';
import type { InMemoryErasureMarkers } from './in-memory-erasure-markers.ts';

/**
 * The customer history in memory: the in-memory ledger and profiles side by side, and the
 * decisions kept with the ledger's entries. A record runs without a pause (but for `decide`), so
 * concurrent records are applied one after the other, as DynamoDB applies the writes to one item;
 * each returns a copy, as the DynamoDB history returns what it read. With the erasure markers, it
 * keeps the DynamoDB history's erasure condition: a marker replaces the ref's history, a record
 * covered by the erasure it finds writes nothing, and one whose erasure changed while it decided
 * (between the DynamoDB read and write) is not kept and starts again.
 */
export class InMemoryCustomerHistory implements CustomerHistory {
  readonly ledger = new InMemoryActivityLedger();
  readonly profiles = new InMemoryCustomerProfiles();
  /** Per customer, by `<at>:<eventId>`: pruned as their entries leave the ledger. */
  private readonly decisions = new Map<string, Map<string, RecordedDecision>>();
  /** The customer each erasure ref's history belongs to. */
  private readonly customers = new Map<string, { bankId: string; customerId: string }>();

  constructor(private readonly erasures?: InMemoryErasureMarkers) {
    erasures?.onMark((erasureRef) => this.replace(erasureRef));
  }

  async record(
    bankId: string,
    customerId: string,
    entry: ActivityEntry,
    sighting: Sighting,
    settings: ProfileSettings,
    now: Date,
    decide?: Decide,
    erasable?: ErasableRecord,
  ): Promise<CustomerHistoryRecord> {
    const erasureRef = this.erasures === undefined ? undefined : erasable?.erasureRef;
    if (erasureRef !== undefined) this.customers.set(erasureRef, { bankId, customerId });
    for (;;) {
      const erasedAt = erasureRef === undefined ? undefined : await this.erasures?.erasedAt(erasureRef);
      if (erasable !== undefined && coveredByErasure(erasedAt, erasable)) {
        return { entries: [], profile: emptyProfile(), recordedBefore: false, erased: true };
      }
      const isEntry = (other: ActivityEntry) => other.eventId === entry.eventId && other.at === entry.at;
      const recordedBefore = this.ledger.entriesOf(bankId, customerId).some(isEntry);
      const entries = this.ledger.record(bankId, customerId, entry, now);
      const profile = this.profiles.record(bankId, customerId, sighting, settings);
      // A snapshot: a record replaces the profile's entries, it never changes one in place.
      const update = {
        entries: [...entries],
        profile: {
          ...profile,
          amounts: [...profile.amounts],
          countries: { ...profile.countries },
          categories: { ...profile.categories },
          probes: [...profile.probes],
        },
      };
      const customerKey = customerKeyOf(bankId, customerId);
      const decisions = this.decisions.get(customerKey) ?? new Map<string, RecordedDecision>();
      this.decisions.set(customerKey, decisions);
      if (decisions.size > entries.length) {
        const inLedger = new Set(entries.map(entryKeyOf));
        for (const name of decisions.keys()) if (!inLedger.has(name)) decisions.delete(name);
      }
      const name = entryKeyOf(entry);
      const kept = entries.some(isEntry);
      const decided = kept && !recordedBefore && decide !== undefined ? await decide(update) : undefined;
      // An erasure marked while deciding replaced the history: the DynamoDB write would fail.
      if (erasureRef !== undefined && (await this.erasures?.erasedAt(erasureRef)) !== erasedAt) continue;
      if (decided !== undefined) decisions.set(name, decided);
      const decision = kept ? decisions.get(name) : undefined;
      return { ...update, recordedBefore, ...(decision !== undefined && { decision }) };
    }
  }

  /** What the erasure marker does to the ref's history: nothing of it is left. */
  private replace(erasureRef: string): void {
    const customer = this.customers.get(erasureRef);
    if (customer === undefined) return;
    this.ledger.delete(customer.bankId, customer.customerId);
    this.profiles.delete(customer.bankId, customer.customerId);
    this.decisions.delete(customerKeyOf(customer.bankId, customer.customerId));
  }

  async entryOf(event: StoredEvent): Promise<LedgerEntry | undefined> {
    if (event.transaction === undefined) return undefined;
    const at = Date.parse(event.occurredAt);
    const held = this.ledger
      .entriesOf(event.bankId, event.customerId)
      .some((entry) => entry.eventId === event.eventId && entry.at === at);
    if (!held) return undefined;
    const decision = this.decisions
      .get(customerKeyOf(event.bankId, event.customerId))
      ?.get(entryKeyOf({ at, eventId: event.eventId }));
    return decision === undefined ? {} : { decision };
  }
}

/** An entry's key among a customer's kept decisions: its time and event id. */
function entryKeyOf(entry: { readonly at: number; readonly eventId: string }): string {
  return `${entry.at}:${entry.eventId}`;
}
