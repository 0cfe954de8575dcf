import type { ActivityEntry } from '../domain/activity.ts';
import type { ProfileSettings, Sighting } from '../domain/customer-profile.ts';
import type { StoredEvent } from '../domain/stored-event.ts';
import type {
  CustomerHistory,
  CustomerHistoryRecord,
  Decide,
  LedgerEntry,
  RecordedDecision,
} from '../ports/customer-history.ts';
import { InMemoryActivityLedger } from './in-memory-activity-ledger.ts';
import { InMemoryCustomerProfiles } from './in-memory-customer-profiles.ts';

/**
 * The customer history in memory: the in-memory ledger and profiles side by side, and the
 * decisions kept with the ledger's entries. A record runs without a pause (but for `decide`), so
 * concurrent records are applied one after the other, as DynamoDB applies the writes to one item;
 * each returns a copy, as the DynamoDB history returns what it read.
 */
export class InMemoryCustomerHistory implements CustomerHistory {
  readonly ledger = new InMemoryActivityLedger();
  readonly profiles = new InMemoryCustomerProfiles();
  /** Per customer, by `<at>:<eventId>`: pruned as their entries leave the ledger. */
  private readonly decisions = new Map<string, Map<string, RecordedDecision>>();

  async record(
    bankId: string,
    customerId: string,
    entry: ActivityEntry,
    sighting: Sighting,
    settings: ProfileSettings,
    now: Date,
    decide?: Decide,
  ): Promise<CustomerHistoryRecord> {
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
    const customerKey = `${bankId}#${customerId}`;
    const decisions = this.decisions.get(customerKey) ?? new Map<string, RecordedDecision>();
    this.decisions.set(customerKey, decisions);
    if (decisions.size > entries.length) {
      const inLedger = new Set(entries.map((other) => `${other.at}:${other.eventId}`));
      for (const name of decisions.keys()) if (!inLedger.has(name)) decisions.delete(name);
    }
    const name = `${entry.at}:${entry.eventId}`;
    const kept = entries.some(isEntry);
    if (kept && !recordedBefore && decide !== undefined) decisions.set(name, await decide(update));
    const decision = kept ? decisions.get(name) : undefined;
    return { ...update, recordedBefore, ...(decision !== undefined && { decision }) };
  }

  async entryOf(event: StoredEvent): Promise<LedgerEntry | undefined> {
    if (event.transaction === undefined) return undefined;
    const at = Date.parse(event.occurredAt);
    const held = this.ledger
      .entriesOf(event.bankId, event.customerId)
      .some((entry) => entry.eventId === event.eventId && entry.at === at);
    if (!held) return undefined;
    const decision = this.decisions.get(`${event.bankId}#${event.customerId}`)?.get(`${at}:${event.eventId}`);
    return decision === undefined ? {} : { decision };
  }
}
