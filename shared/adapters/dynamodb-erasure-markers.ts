import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { openCheckKey } from '../domain/alert.ts';
import { ERASURE_MARKER_RETENTION_SECONDS } from '../domain/erasure.ts';
import { customerKeyOf, eventKeyOf } from '../domain/stored-event.ts';
import type { ErasedDataCleaner, ErasureMarkers } from '../ports/erasure.ts';
import { conditionalWrite } from './conditional-write.ts';
import { historyKeyOf, LEGACY_HISTORY_BUCKET, LEGACY_LEDGER_BUCKET } from './dynamodb-customer-history.ts';

/**
 * Erasure markers in the activity table (key `erased#<ref>`, bucket `erasure`), which has a TTL
 * and no stream: a marker triggers nothing and expires by itself. The marker is the customer's
 * history item (`historyKeyOf`): marking replaces the item, ledger, profile and kept decisions
 * with it, by its key, the erasure time and its expiry only, and every write of the history is
 * conditional on it (docs/decisions/0015-history-keyed-by-erasure-ref.md).
 */
export class DynamoDbErasureMarkers implements ErasureMarkers {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly activityTable: string,
  ) {}

  async mark(erasureRef: string, erasedAt: Date): Promise<void> {
    await conditionalWrite(
      this.client.send(
        new PutCommand({
          TableName: this.activityTable,
          Item: {
            ...historyKeyOf(erasureRef),
            erasedAt: erasedAt.toISOString(),
            expiresAt: Math.floor(erasedAt.getTime() / 1000) + ERASURE_MARKER_RETENTION_SECONDS,
          },
          // Never moved back: a later erasure only extends an earlier one. When a later one is
          // there, what the item holds was written for events received after it, so after this one too.
          ConditionExpression: 'attribute_not_exists(erasedAt) OR erasedAt < :at',
          ExpressionAttributeValues: { ':at': erasedAt.toISOString() },
        }),
      ),
    );
  }

  async erasedAt(
    erasureRef: string,
    options?: { readonly eventually?: boolean },
  ): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.activityTable,
        Key: historyKeyOf(erasureRef),
        ConsistentRead: options?.eventually !== true,
        // The item may hold the customer's history too: only the erasure time comes back (the
        // read costs the whole item's size all the same).
        ProjectionExpression: 'erasedAt',
      }),
    );
    return typeof Item?.erasedAt === 'string' ? Item.erasedAt : undefined;
  }
}

/** The markers, and the removal of what scoring or notification wrote after an erasure. */
export class DynamoDbErasedDataCleaner extends DynamoDbErasureMarkers implements ErasedDataCleaner {
  constructor(
    client: DynamoDBDocumentClient,
    private readonly tables: { readonly activity: string; readonly events?: string; readonly alerts: string },
  ) {
    super(client, tables.activity);
  }

  async forgetScoring(bankId: string, customerId: string, eventId: string, alertId?: string): Promise<void> {
    const counterKey = customerKeyOf(bankId, customerId);
    await Promise.all([
      this.delete(this.tables.activity, { counterKey, bucket: LEGACY_LEDGER_BUCKET }),
      this.delete(this.tables.activity, { counterKey, bucket: 'balance' }),
      // The history of before, under the customer's id. The erasure ref's item is left alone: it
      // holds the marker, and a history written after the erasure (docs/security.md, "Erasure").
      this.delete(this.tables.activity, { counterKey, bucket: LEGACY_HISTORY_BUCKET }),
      this.tables.events && this.delete(this.tables.events, { eventKey: eventKeyOf(bankId, eventId) }),
      alertId && this.forgetAlert(alertId),
      // The customer's open fraud check item, which that alert may have opened.
      this.delete(this.tables.alerts, { alertId: openCheckKey(bankId, customerId) }),
    ]);
  }

  async forgetAlert(alertId: string): Promise<void> {
    await this.delete(this.tables.alerts, { alertId });
  }

  private async delete(tableName: string, key: Record<string, string>): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: tableName, Key: key }));
  }
}
