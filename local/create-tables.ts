import {
  type AttributeDefinition,
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type TableDefinition,
  type TableKey,
  tableDefinitions,
  tableKeys,
} from '../shared/runtime/table-definitions.ts';

export type TableNames = Record<TableKey, string>;

/** Table names with a prefix: `vigil-events`, or a unique prefix per test file. */
export function tableNamesWithPrefix(prefix: string): TableNames {
  return Object.fromEntries(tableKeys.map((key) => [key, `${prefix}-${key}`])) as TableNames;
}

/** Creates every table of the shared definitions, as the CDK stack does in AWS. */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(tableKeys.map((key) => createTable(client, names[key], tableDefinitions[key])));
}

async function createTable(client: DynamoDBClient, tableName: string, table: TableDefinition): Promise<void> {
  const attributes = new Map<string, AttributeDefinition>();
  const keys = [
    table.partitionKey,
    table.sortKey,
    ...(table.globalIndexes ?? []).flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  for (const key of keys)
    if (key) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  const indexes = table.globalIndexes ?? [];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes.values()],
      KeySchema: keySchema(table.partitionKey.name, table.sortKey?.name),
      ...(indexes.length > 0 && {
        GlobalSecondaryIndexes: indexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: keySchema(index.partitionKey.name, index.sortKey?.name),
          Projection: { ProjectionType: index.projection ?? 'ALL' },
        })),
      }),
      ...(table.stream && { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } }),
    }),
  );
  if (table.timeToLiveAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: table.timeToLiveAttribute },
      }),
    );
  }
}

function keySchema(partitionKey: string, sortKey: string | undefined) {
  const schema = [{ AttributeName: partitionKey, KeyType: 'HASH' as const }];
  return sortKey === undefined ? schema : [...schema, { AttributeName: sortKey, KeyType: 'RANGE' as const }];
}
