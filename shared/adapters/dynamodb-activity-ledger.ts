import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  ACTIVITY_FUTURE_TOLERANCE_MS,
  ACTIVITY_RETENTION_MS,
  type ActivityEntry,
} from '../domain/activity.ts';
import type { ActivityLedger } from '../ports/activity-ledger.ts';

const LEDGER_BUCKET = 'ledger';
const ENTRY_PREFIX = 'tx:';
/** Stale entries removed per write; more wait for the next write. */
const MAX_REMOVALS = 50;
/**
 * The most entries a ledger keeps (above the highest velocity count a bank may set): at about
 * 70 bytes each, far below DynamoDB's 400 KB item limit. Each write adds one entry and removes up
 * to 50, so a ledger never grows past it for long.
 */
export const MAX_LEDGER_ENTRIES = 2000;

interface StoredEntry {
  readonly amount: number;
  readonly currency: string;
  readonly authorized: boolean;
}

/**
 * One item per customer in the activity table holds their last 48 h of transactions, one
 * attribute per transaction (`tx:<epoch ms>:<event id>`). A single UpdateItem adds the entry and
 * returns the whole item (ALL_NEW): DynamoDB applies updates to an item one at a time, so each
 * event sees exactly the transactions recorded before it, even when a customer's events are
 * scored concurrently, and re-recording a redelivered event overwrites the same attribute.
 * A second round trip happens only when there are stale entries to remove.
 */
export class DynamoDbActivityLedger implements ActivityLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(
    bankId: string,
    customerId: string,
    entry: ActivityEntry,
    now: Date,
  ): Promise<readonly ActivityEntry[]> {
    const key = { counterKey: `${bankId}#${customerId}`, bucket: LEDGER_BUCKET };
    const stored: StoredEntry = {
      amount: entry.amount,
      currency: entry.currency,
      authorized: entry.authorized,
    };
    const { Attributes = {} } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET #entry = :entry, expiresAt = :expiresAt',
        ExpressionAttributeNames: { '#entry': `${ENTRY_PREFIX}${entry.at}:${entry.eventId}` },
        ExpressionAttributeValues: {
          ':entry': stored,
          ':expiresAt': Math.floor((now.getTime() + ACTIVITY_RETENTION_MS) / 1000),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const oldest = now.getTime() - ACTIVITY_RETENTION_MS;
    const newest = now.getTime() + ACTIVITY_FUTURE_TOLERANCE_MS;
    let entries: (ActivityEntry & { name: string })[] = [];
    const stale: string[] = [];
    for (const [name, value] of Object.entries(Attributes)) {
      const parsed = parseEntry(name, value);
      if (parsed === undefined) continue;
      // Too old, or dated so far ahead that it would never age out.
      if (parsed.at < oldest || parsed.at > newest) stale.push(name);
      else entries.push({ ...parsed, name });
    }
    if (entries.length > MAX_LEDGER_ENTRIES) {
      entries.sort((a, b) => a.at - b.at);
      const excess = entries.length - MAX_LEDGER_ENTRIES;
      stale.push(...entries.slice(0, excess).map((entry) => entry.name));
      entries = entries.slice(excess);
    }
    if (stale.length > 0) await this.remove(key, stale.slice(0, MAX_REMOVALS));
    return entries.map(({ name: _, ...entry }) => entry);
  }

  private async remove(key: Record<string, string>, names: readonly string[]): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `REMOVE ${names.map((_, i) => `#s${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#s${i}`, name])),
      }),
    );
  }
}

function parseEntry(name: string, value: unknown): ActivityEntry | undefined {
  if (!name.startsWith(ENTRY_PREFIX)) return undefined;
  const separator = name.indexOf(':', ENTRY_PREFIX.length);
  const at = Number(name.slice(ENTRY_PREFIX.length, separator));
  const { amount, currency, authorized } = value as StoredEntry;
  return { eventId: name.slice(separator + 1), at, amount, currency, authorized };
}
