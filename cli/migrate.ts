import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDbCompromisedMerchants } from '../shared/adapters/dynamodb-compromised-merchants.ts';
import {
  LEGACY_PREFERENCES_PREFIX,
  preferencesScope,
} from '../shared/adapters/dynamodb-customer-settings.ts';
import { ALERT_INDEX, alertFromItem, LEGACY_ALERT_INDEXES } from '../shared/adapters/stored-address.ts';
import { awaitingSend } from '../shared/domain/alert.ts';

export interface MigrationTables {
  readonly client: DynamoDBDocumentClient;
  readonly thresholds: string;
  readonly activity: string;
  readonly alerts: string;
}

/** What `vigil migrate` did. */
export interface MigrationReport {
  /** Preferences moved from `preferences#<id>` to `customer#<id>#preferences`. */
  readonly preferencesMoved: number;
  /** Old preferences dropped: the customer had newer ones at the new key. */
  readonly preferencesSuperseded: number;
  /** Merchants with a report still counting, put in their bank's set of marked merchants. */
  readonly merchantsInSets: number;
  /** Alerts (a check's members too) moved from the `byRef` and `byCustomer` indexes to `byCustomerRef`. */
  readonly alertsMoved: number;
  /** Hourly message counters taken out of the `byCustomer` index (erasure deletes them by key). */
  readonly messageCountersMoved: number;
  /**
   * Alerts left where they are because they are pending and unclaimed: rewriting one would send
   * it (notify-customer sends such a changed alert, as after `vigil redrive`). Still found by the
   * legacy indexes; once sent or given up by `vigil redrive`, a later run moves them.
   */
  readonly alertsLeftPending: number;
}

/**
 * `vigil migrate`: moves what an earlier version stored where this one no longer reads it
 * (docs/operator-guide.md, "4. Deploy"). Idempotent: a second run finds nothing to move.
 */
export async function migrate(tables: MigrationTables, now = new Date()): Promise<MigrationReport> {
  return {
    ...(await movePreferences(tables)),
    merchantsInSets: await fillMarkedSets(tables, now),
    ...(await moveAlertsToOneIndex(tables)),
  };
}

/**
 * Every alerts item written before the `byCustomerRef` index, found by its `customerKey`
 * (docs/decisions/0017-one-alerts-index-by-customer-and-ref.md): an alert gets its customer and
 * ref under the new index's attributes and loses `customerKey` and `ref` (`memberRef` for a
 * check's member), leaving the legacy indexes; a message counter only loses `customerKey`. One
 * update per item, conditional on the values the scan read: only those attributes change (a
 * status changed meanwhile stays), an item erased meanwhile is not written back, and an item
 * moved by a run in parallel is left as it is. Interrupted, a run again moves what is left.
 */
async function moveAlertsToOneIndex({
  client,
  alerts,
}: MigrationTables): Promise<
  Pick<MigrationReport, 'alertsMoved' | 'messageCountersMoved' | 'alertsLeftPending'>
> {
  const customer = LEGACY_ALERT_INDEXES.byCustomer.customer;
  let alertsMoved = 0;
  let messageCountersMoved = 0;
  let alertsLeftPending = 0;
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: alerts,
        FilterExpression: 'attribute_exists(#customer)',
        ExpressionAttributeNames: { '#customer': customer },
        ConsistentRead: true,
        ...(exclusiveStartKey && { ExclusiveStartKey: exclusiveStartKey }),
      }),
    );
    for (const item of page.Items ?? []) {
      const customerKey = item[customer];
      if (typeof customerKey !== 'string') continue;
      const ref = item.ref ?? item.memberRef;
      const isAlert = item.kind !== undefined && typeof ref === 'string';
      if (isAlert && awaitingSend(alertFromItem(item))) {
        alertsLeftPending++;
        continue;
      }
      const moved = await updateIfUnchanged(
        client,
        isAlert
          ? {
              TableName: alerts,
              Key: { alertId: item.alertId },
              UpdateExpression:
                'SET #owner = :customerKey, #alertRef = :ref REMOVE #customer, #ref, memberRef',
              // Never an alert that became one awaiting its send since the scan (awaitingSend).
              ConditionExpression:
                '#customer = :customerKey AND (#ref = :ref OR memberRef = :ref) AND NOT (#status = :pending AND attribute_not_exists(sendClaimedAt))',
              ExpressionAttributeNames: {
                '#status': 'status',
                '#owner': ALERT_INDEX.customer,
                '#alertRef': ALERT_INDEX.ref,
                '#customer': customer,
                '#ref': LEGACY_ALERT_INDEXES.byRef.ref,
              },
              ExpressionAttributeValues: { ':customerKey': customerKey, ':ref': ref, ':pending': 'pending' },
            }
          : {
              TableName: alerts,
              Key: { alertId: item.alertId },
              UpdateExpression: 'REMOVE #customer',
              ConditionExpression: '#customer = :customerKey',
              ExpressionAttributeNames: { '#customer': customer },
              ExpressionAttributeValues: { ':customerKey': customerKey },
            },
      );
      if (moved && isAlert) alertsMoved++;
      else if (moved) messageCountersMoved++;
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey !== undefined);
  return { alertsMoved, messageCountersMoved, alertsLeftPending };
}

/** True when the update was made; false when its condition no longer held. */
async function updateIfUnchanged(
  client: DynamoDBDocumentClient,
  input: ConstructorParameters<typeof UpdateCommand>[0],
): Promise<boolean> {
  try {
    await client.send(new UpdateCommand(input));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Each bank's set of marked merchants, from the merchants' marks (`<bankId>#merchant#<digest>`,
 * bucket `compromised`) made before the set existed: a merchant with a report still counting is
 * put in the set until its latest end, as a mark does. Run again, it finds them there.
 */
async function fillMarkedSets({ client, activity }: MigrationTables, now: Date): Promise<number> {
  const merchants = new DynamoDbCompromisedMerchants(client, activity);
  let added = 0;
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: activity,
        FilterExpression: '#bucket = :compromised',
        ExpressionAttributeNames: { '#bucket': 'bucket' },
        ExpressionAttributeValues: { ':compromised': 'compromised' },
        ConsistentRead: true,
        ...(exclusiveStartKey && { ExclusiveStartKey: exclusiveStartKey }),
      }),
    );
    for (const item of page.Items ?? []) {
      const [bankId, digest] = String(item.counterKey).split('#merchant#');
      const ends = Object.entries(item)
        .filter(([name, end]) => name.startsWith('r:') && typeof end === 'number' && end > now.getTime())
        .map(([, end]) => end as number);
      if (bankId === undefined || digest === undefined || ends.length === 0) continue;
      if (await merchants.addToSet(bankId, digest, new Date(Math.max(...ends)), now)) added++;
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey !== undefined);
  return added;
}

/**
 * Each customer's preferences from `(bankId, "preferences#<id>")` to `(bankId,
 * "customer#<id>#preferences")`, next to the override, where scoring reads both with one Query.
 * One transaction per customer: the new item is written only if there is none (preferences the
 * customer changed since the deploy are newer) and only while the old one exists (a customer
 * who cleared them meanwhile gets nothing back); then the old one is deleted.
 */
async function movePreferences({
  client,
  thresholds,
}: MigrationTables): Promise<Pick<MigrationReport, 'preferencesMoved' | 'preferencesSuperseded'>> {
  let moved = 0;
  let superseded = 0;
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: thresholds,
        FilterExpression: 'begins_with(#scope, :legacy)',
        ExpressionAttributeNames: { '#scope': 'scope' },
        ExpressionAttributeValues: { ':legacy': LEGACY_PREFERENCES_PREFIX },
        ConsistentRead: true,
        ...(exclusiveStartKey && { ExclusiveStartKey: exclusiveStartKey }),
      }),
    );
    for (const item of page.Items ?? []) {
      const bankId = String(item.bankId);
      const legacyScope = String(item.scope);
      const customerId = legacyScope.slice(LEGACY_PREFERENCES_PREFIX.length);
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: thresholds,
                  Item: { ...item, scope: preferencesScope(customerId) },
                  ConditionExpression: 'attribute_not_exists(#scope)',
                  ExpressionAttributeNames: { '#scope': 'scope' },
                },
              },
              {
                Delete: {
                  TableName: thresholds,
                  Key: { bankId, scope: legacyScope },
                  ConditionExpression: 'attribute_exists(#scope)',
                  ExpressionAttributeNames: { '#scope': 'scope' },
                },
              },
            ],
          }),
        );
        moved++;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        // Newer preferences at the new key, or the old ones already gone: the old item goes.
        await client.send(new DeleteCommand({ TableName: thresholds, Key: { bankId, scope: legacyScope } }));
        superseded++;
      }
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey !== undefined);
  return { preferencesMoved: moved, preferencesSuperseded: superseded };
}
