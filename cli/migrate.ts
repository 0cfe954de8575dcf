import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDbCompromisedMerchants } from '../shared/adapters/dynamodb-compromised-merchants.ts';
import {
  LEGACY_PREFERENCES_PREFIX,
  preferencesScope,
} from '../shared/adapters/dynamodb-customer-settings.ts';

export interface MigrationTables {
  readonly client: DynamoDBDocumentClient;
  readonly thresholds: string;
  readonly activity: string;
}

/** What `vigil migrate` did. */
export interface MigrationReport {
  /** Preferences moved from `preferences#<id>` to `customer#<id>#preferences`. */
  readonly preferencesMoved: number;
  /** Old preferences dropped: the customer had newer ones at the new key. */
  readonly preferencesSuperseded: number;
  /** Merchants with a report still counting, put in their bank's set of marked merchants. */
  readonly merchantsInSets: number;
}

/**
 * `vigil migrate`: moves what an earlier version stored where this one no longer reads it
 * (docs/operator-guide.md, "4. Deploy"). Idempotent: a second run finds nothing to move.
 */
export async function migrate(tables: MigrationTables, now = new Date()): Promise<MigrationReport> {
  return { ...(await movePreferences(tables)), merchantsInSets: await fillMarkedSets(tables, now) };
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
}: MigrationTables): Promise<Omit<MigrationReport, 'merchantsInSets'>> {
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
