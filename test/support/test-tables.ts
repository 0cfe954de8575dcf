import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createTables, type TableNames, tableNamesWithPrefix } from '../../local/create-tables.ts';
import { localAwsConfig } from '../../local/local-stack.ts';
import { documentClientFor } from '../../shared/runtime/aws-clients.ts';

export interface TestTables {
  readonly names: TableNames;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  /** Every item of a table. */
  scan(table: keyof TableNames): Promise<Record<string, unknown>[]>;
  /** Marks a customer as subscribed to Messenger alerts. */
  subscribe(bankId: string, customerId: string): Promise<void>;
}

/** Fresh tables with a unique prefix in the run's DynamoDB Local, so test files never share state. */
export async function createTestTables(): Promise<TestTables> {
  const client = new DynamoDBClient(localAwsConfig(inject('dynamoDbEndpoint')));
  const documentClient = documentClientFor(client);
  const names = tableNamesWithPrefix(`t${randomUUID().slice(0, 8)}`);
  await createTables(client, names);
  return {
    names,
    client,
    documentClient,
    async scan(table) {
      const { Items = [] } = await documentClient.send(
        new ScanCommand({ TableName: names[table], ConsistentRead: true }),
      );
      return Items;
    },
    async subscribe(bankId, customerId) {
      await documentClient.send(
        new PutCommand({
          TableName: names.subscribers,
          Item: { bankId, customerId, status: 'active', psid: `psid_${customerId}` },
        }),
      );
    },
  };
}
