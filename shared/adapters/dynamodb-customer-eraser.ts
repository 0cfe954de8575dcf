import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { messageCounterKeysOf, openCheckKey } from '../domain/alert.ts';
import { customerKeyOf } from '../domain/stored-event.ts';
import type { CustomerEraser } from '../ports/customer-eraser.ts';
import { LEGACY_HISTORY_BUCKET, LEGACY_LEDGER_BUCKET } from './dynamodb-customer-history.ts';
import { customerScope, legacyPreferencesScope, preferencesScope } from './dynamodb-customer-settings.ts';
import { DynamoDbErasureMarkers } from './dynamodb-erasure-markers.ts';
import { ALERT_INDEX, LEGACY_ALERT_INDEXES } from './stored-address.ts';

/** An index that finds a customer's items: its name and its partition key's attribute. */
interface CustomerIndex {
  readonly name: string;
  readonly customer: string;
}

/** The events' and enrollments' index of their customer's items. */
const BY_CUSTOMER: CustomerIndex = { name: 'byCustomer', customer: 'customerKey' };

export interface EraserTables {
  readonly subscribers: string;
  readonly thresholds: string;
  readonly activity: string;
  readonly alerts: string;
  readonly events: string;
  readonly enrollments: string;
}

/**
 * How long after its first pass the eraser looks through the alerts' `byCustomerRef` (and legacy
 * `byCustomer`) and the events' `byCustomer` indexes again. Those indexes are eventually
 * consistent: an event stored a moment before the erasure may not be in the index yet when the
 * first pass queries it, and a card transaction scored before the erasure without an alert has
 * no writer left to remove it (its scorer checks the erasure by the condition of its history
 * write only). Index propagation takes well under a second, so a second pass two seconds later
 * finds it (docs/security.md, "Erasure").
 */
export const ERASURE_SECOND_PASS_MS = 2000;

/**
 * Deletes everything Vigil holds on a customer (docs/contract.md#erasure). First the erasure marker, so that
 * scoring, notification and callbacks stop at once (it replaces the customer's history item:
 * ledger, profile and kept decisions); then the subscription, so that new events
 * are ignored from then on; then the marker's time is moved to now, past every event that could
 * still have been accepted; then overrides, the history items of before, the open fraud check and
 * the hourly message counters (by their keys), and alerts, events and open enrollment links,
 * found through each table's index by customer (alerts: `byCustomerRef`, and the legacy
 * `byCustomer` for alerts not yet migrated; the alerts and events twice: ERASURE_SECOND_PASS_MS).
 * Whatever a record in flight writes after that is removed by its writer, which checks the
 * marker again (docs/security.md, "Erasure"). Deleting what is absent is not an error, so
 * erasing twice is harmless.
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
    // Items of the alerts table in no index, deleted by their keys (batch writes, as for the
    // alerts the index finds: the only write the eraser may make there): the open fraud check's
    // item, and the hourly message counters that may still be stored.
    await this.batchDelete(this.tables.alerts, [
      { alertId: openCheckKey(bankId, customerId) },
      ...messageCounterKeysOf(bankId, customerId, this.now()).map((alertId) => ({ alertId })),
    ]);
    await this.deleteAlerts(customerKey);
    await this.deleteIndexed(this.tables.events, BY_CUSTOMER, customerKey, ['eventKey']);
    await this.deleteIndexed(this.tables.enrollments, BY_CUSTOMER, customerKey, ['tokenHash']);
    if (this.secondPassAfterMs !== undefined) {
      // What the indexes did not show yet (ERASURE_SECOND_PASS_MS).
      await new Promise((resolve) => setTimeout(resolve, this.secondPassAfterMs));
      // And the counter a message in flight may have taken meanwhile (this hour's, or the last).
      const counters = messageCounterKeysOf(bankId, customerId, this.now(), 1);
      await this.batchDelete(
        this.tables.alerts,
        counters.map((alertId) => ({ alertId })),
      );
      await this.deleteAlerts(customerKey);
      await this.deleteIndexed(this.tables.events, BY_CUSTOMER, customerKey, ['eventKey']);
    }
  }

  /**
   * The customer's alerts, a fraud check's members included: those written before the
   * `byCustomerRef` index through the legacy `byCustomer` index (until `vigil migrate` has moved
   * them), first, so that an alert migrated meanwhile is in the new index when that is read.
   */
  private async deleteAlerts(customerKey: string): Promise<void> {
    const legacy = LEGACY_ALERT_INDEXES.byCustomer;
    await this.deleteIndexed(this.tables.alerts, legacy, customerKey, ['alertId']);
    await this.deleteIndexed(this.tables.alerts, ALERT_INDEX, customerKey, ['alertId']);
  }

  private async delete(tableName: string, key: Record<string, string>): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: tableName, Key: key }));
  }

  private async deleteIndexed(
    tableName: string,
    index: CustomerIndex,
    customerKey: string,
    keyNames: readonly string[],
  ): Promise<void> {
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index.name,
          KeyConditionExpression: '#customer = :customerKey',
          ExpressionAttributeNames: { '#customer': index.customer },
          ExpressionAttributeValues: { ':customerKey': customerKey },
          ...(exclusiveStartKey && { ExclusiveStartKey: exclusiveStartKey }),
        }),
      );
      const keys = (page.Items ?? []).map((item) =>
        Object.fromEntries(keyNames.map((name) => [name, item[name]])),
      );
      await this.batchDelete(tableName, keys);
      exclusiveStartKey = page.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
  }

  /** Deletes the items, 25 to a request (BatchWriteItem's most). */
  private async batchDelete(tableName: string, keys: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 25) await this.batchDeleteUpTo25(tableName, keys.slice(i, i + 25));
  }

  private async batchDeleteUpTo25(tableName: string, keys: Record<string, unknown>[]): Promise<void> {
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
