import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  LEGACY_PREFERENCES_PREFIX,
  preferencesScope,
} from '../shared/adapters/dynamodb-customer-settings.ts';

export interface MigrationTables {
  readonly client: DynamoDBDocumentClient;
  readonly thresholds: string;
}

/** What `vigil migrate` did. */
export interface MigrationReport {
  /** Preferences moved from `preferences#<id>` to `customer#<id>#preferences`. */
  readonly preferencesMoved: number;
  /** Old preferences dropped: the customer had newer ones at the new key. */
  readonly preferencesSuperseded: number;
}

/**
 * `vigil migrate`: moves what an earlier version stored where this one no longer reads it
 * (docs/operator-guide.md, "After deploying"). Idempotent: a second run finds nothing to move.
 */
export async function migrate(tables: MigrationTables): Promise<MigrationReport> {
  return movePreferences(tables);
}

/**
 * Each customer's preferences from `(bankId, "preferences#<id>")` to `(bankId,
 * "customer#<id>#preferences")`, next to the override, where scoring reads both with one Query.
 * One transaction per customer: the new item is written only if there is none (preferences the
 * customer changed since the deploy are newer) and only while the old one exists (a customer
 * who cleared them meanwhile gets nothing back); then the old one is deleted.
 */
async function movePreferences({ client, thresholds }: MigrationTables): Promise<MigrationReport> {
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
