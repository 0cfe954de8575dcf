import { ACTIVITY_RETENTION_MS, type ActivityEntry } from '../domain/activity.ts';
import type { ActivityLedger } from '../ports/activity-ledger.ts';

/** The activity ledger in memory, with the DynamoDB ledger's semantics: 48 hours, one entry per event. */
export class InMemoryActivityLedger implements ActivityLedger {
  private readonly ledgers = new Map<string, ActivityEntry[]>();

  async record(
    bankId: string,
    customerId: string,
    entry: ActivityEntry,
    now: Date,
  ): Promise<readonly ActivityEntry[]> {
    const key = `${bankId}#${customerId}`;
    const oldest = now.getTime() - ACTIVITY_RETENTION_MS;
    let entries = this.ledgers.get(key);
    if (entries === undefined) {
      entries = [];
      this.ledgers.set(key, entries);
    }
    const same = entries.findIndex((other) => other.eventId === entry.eventId && other.at === entry.at);
    if (same >= 0) entries[same] = entry;
    else entries.push(entry);
    if (entries.some((other) => other.at < oldest)) {
      entries = entries.filter((other) => other.at >= oldest);
      this.ledgers.set(key, entries);
    }
    return entries;
  }
}
