import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { openCheckKey } from '../domain/alert.ts';
import { customerKeyOf } from '../domain/stored-event.ts';
import type { CustomerEraser } from '../ports/customer-eraser.ts';
import { LEGACY_HISTORY_BUCKET, LEGACY_LEDGER_BUCKET } from './dynamodb-customer-history.ts';
import { customerScope, legacyPreferencesScope, preferencesScope } from './dynamodb-customer-settings.ts';
import { DynamoDbErasureMarkers } from './dynamodb-erasure-markers.ts';

export interface EraserTables {
  readonly subscribers: string;
  readonly thresholds: string;
  readonly activity: string;
  readonly alerts: string;
  readonly events: string;
  readonly enrollments: string;
}

/**
 * How long after its first pass the eraser looks through the alerts' and events' `byCustomer`
 * indexes again. Those indexes are eventually consistent: an event stored a moment before the
 * erasure may not be in the index yet when the first pass queries it, and a card transaction
 * scored before the erasure without an alert has no writer left to remove it (its scorer checks
 * the erasure by the condition of its history write only). Index propagation takes well under a
 * second, so a second pass two seconds later finds it (docs/security.md, "Erasure").
 */
export const ERASURE_SECOND_PASS_MS = 2000;

/**
 * Deletes everything Vigil holds on a customer (docs/contract.md#erasure). First the erasure marker, so that
 * scoring, notification and callbacks stop at once (it replaces the customer's history item:
 * ledger, profile and kept decisions); then the subscription, so that new events
 * are ignored from then on; then the marker's time is moved to now, past every event that could
 * still have been accepted; then overrides, the history items of before, the open fraud check, and
 * alerts, events and open enrollment links, found through each table's `byCustomer` index (the
 * alerts and events twice: ERASURE_SECOND_PASS_MS). Whatever a record in flight writes after that is
 * removed by its writer, which checks the marker again (docs/security.md, "Erasure"). Deleting
 * what is absent is not an error, so erasing twice is harmless.
 */
export class DynamoDbCustomerEraser implements CustomerEraser {
  private readonly markers: DynamoDbErasureMarkers;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: EraserTables,
    private readonly now: () => Date = () => new Date(),
    /** The pause before the second pass over the indexes; none without it (tests on DynamoDB Local, whose indexes are synchronous). */
    private readonly secondPassAfterMs?: number,
  ) {
    this.markers = new DynamoDbErasureMarkers(client, tables.activity);
  }

  async erase(bankId: string, customerId: string, erasureRef: string): Promise<void> {
    const customerKey = customerKeyOf(bankId, customerId);
    await this.markers.mark(erasureRef, this.now());
    await this.delete(this.tables.subscribers, { bankId, customerId });
    await this.markers.mark(erasureRef, this.now());
    await this.delete(this.tables.thresholds, { bankId, scope: customerScope(customerId) });
    await this.delete(this.tables.thresholds, { bankId, scope: preferencesScope(customerId) });
    // Preferences not yet moved by `vigil migrate`.
    await this.delete(this.tables.thresholds, { bankId, scope: legacyPreferencesScope(customerId) });
    await this.delete(this.tables.activity, { counterKey: customerKey, bucket: LEGACY_LEDGER_BUCKET });
    await this.delete(this.tables.activity, { counterKey: customerKey, bucket: 'balance' });
    // The history item of before, under the customer's id (the marker replaced the current one).
    await this.delete(this.tables.activity, { counterKey: customerKey, bucket: LEGACY_HISTORY_BUCKET });
    // The open fraud check's item, keyed by the customer and not in the byCustomer index (a batch
    // write, as for the alerts the index finds: the only write the eraser may make there).
    await this.batchDelete(this.tables.alerts, [{ alertId: openCheckKey(bankId, customerId) }]);
    await this.deleteIndexed(this.tables.alerts, customerKey, ['alertId']);
    await this.deleteIndexed(this.tables.events, customerKey, ['eventKey']);
    await this.deleteIndexed(this.tables.enrollments, customerKey, ['tokenHash']);
    if (this.secondPassAfterMs !== undefined) {
      // What the indexes did not show yet (ERASURE_SECOND_PASS_MS).
      await new Promise((resolve) => setTimeout(resolve, this.secondPassAfterMs));
      await this.deleteIndexed(this.tables.alerts, customerKey, ['alertId']);
      await this.deleteIndexed(this.tables.events, customerKey, ['eventKey']);
    }
  }

  private async delete(tableName: string, key: Record<string, string>): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: tableName, Key: key }));
  }

  private async deleteIndexed(
    tableName: string,
    customerKey: string,
    keyNames: readonly string[],
  ): Promise<void> {
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'byCustomer',
          KeyConditionExpression: 'customerKey = :customerKey',
          ExpressionAttributeValues: { ':customerKey': customerKey },
          ...(exclusiveStartKey && { ExclusiveStartKey: exclusiveStartKey }),
        }),
      );
      const keys = (page.Items ?? []).map((item) =>
        Object.fromEntries(keyNames.map((name) => [name, item[name]])),
      );
      for (let i = 0; i < keys.length; i += 25) {
        await this.batchDelete(tableName, keys.slice(i, i + 25));
      }
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
  }

  private async batchDelete(tableName: string, keys: Record<string, unknown>[]): Promise<void> {
    let requests = keys.map((key) => ({ DeleteRequest: { Key: key } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`Could not delete ${requests.length} items from ${tableName}.`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const { UnprocessedItems } = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}
