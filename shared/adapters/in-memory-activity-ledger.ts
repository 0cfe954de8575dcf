import { type ActivityEntry, inLedgerWindow } from '../domain/activity.ts';

/**
 * The activity ledger in memory, with the DynamoDB ledger's semantics: 48 hours, one entry per
 * event, nothing dated more than 10 minutes ahead. (Unlike DynamoDB, it does not cap a ledger at
 * MAX_LEDGER_ENTRIES: a replay's customers stay far below it.)
 */
export class InMemoryActivityLedger {
  private readonly ledgers = new Map<string, ActivityEntry[]>();

  /** The customer's entries as they are, live. */
  entriesOf(bankId: string, customerId: string): readonly ActivityEntry[] {
    return this.ledgers.get(`${bankId}#${customerId}`) ?? [];
  }

  /** Forgets the customer's entries (an erasure replaced their history). */
  delete(bankId: string, customerId: string): void {
    this.ledgers.delete(`${bankId}#${customerId}`);
  }

  /** Records the entry at once (no pause) and returns the customer's entries, live. */
  record(bankId: string, customerId: string, entry: ActivityEntry, now: Date): ActivityEntry[] {
    const key = `${bankId}#${customerId}`;
    let entries = this.ledgers.get(key);
    if (entries === undefined) {
      entries = [];
      this.ledgers.set(key, entries);
    }
    const same = entries.findIndex((other) => other.eventId === entry.eventId && other.at === entry.at);
    if (same >= 0) entries[same] = entry;
    else entries.push(entry);
    if (entries.some((other) => !inLedgerWindow(other.at, now))) {
      entries = entries.filter((other) => inLedgerWindow(other.at, now));
      this.ledgers.set(key, entries);
    }
    return entries;
  }
}
