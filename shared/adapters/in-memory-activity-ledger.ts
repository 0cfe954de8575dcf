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
    const kept = (this.ledgers.get(key) ?? []).filter(
      (other) => other.at >= oldest && !(other.eventId === entry.eventId && other.at === entry.at),
    );
    kept.push(entry);
    this.ledgers.set(key, kept);
    return kept.filter((other) => other.at >= oldest);
  }
}
