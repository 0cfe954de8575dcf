import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { localAwsConfig } from '../../local/local-stack.ts';
import { DynamoDbCustomerEraser } from '../../shared/adapters/dynamodb-customer-eraser.ts';
import { DynamoDbEventStore } from '../../shared/adapters/dynamodb-event-store.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import { documentClientFor } from '../../shared/runtime/aws-clients.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// The `byCustomer` indexes the eraser queries are eventually consistent on DynamoDB (synchronous
// on DynamoDB Local): an event stored a moment before the erasure may not show in the first
// query. The eraser's second pass finds it (docs/security.md, "Erasure").

const BANK = 'acme';
let tables: TestTables;

beforeAll(async () => {
  tables = await createTestTables();
});

/** A client whose first `byCustomer` query of each table finds nothing, as a lagging index would. */
function laggingIndexClient() {
  const client = documentClientFor(new DynamoDBClient(localAwsConfig(inject('dynamoDbEndpoint'))));
  const lagged = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; IndexName?: string };
      if (context.commandName === 'QueryCommand' && input.IndexName === 'byCustomer') {
        const table = input.TableName ?? '';
        if (!lagged.has(table)) {
          lagged.add(table);
          return { output: { Items: [], $metadata: {} }, response: {} } as Awaited<ReturnType<typeof next>>;
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'laggingIndex' },
  );
  return client;
}

async function storeEventOf(customerId: string) {
  const event = toStoredEvent(
    BANK,
    `evt_${customerId}`,
    cardTransaction({ customerId, transaction: { id: `txn_${customerId}` } }),
    new Date(),
    { erasureRef: `er_${customerId}` },
  );
  await new DynamoDbEventStore(tables.documentClient, tables.names.events).putIfAbsent(event);
  return event;
}

async function eventsOf(customerId: string) {
  return (await tables.scan('events')).filter((item) => item.customerId === customerId);
}

describe('erasure while the byCustomer index lags', () => {
  it('deletes an event the first query did not show, on its second pass', async () => {
    await storeEventOf('cus_lag');
    const eraser = new DynamoDbCustomerEraser(laggingIndexClient(), tables.names, undefined, 50);
    await eraser.erase(BANK, 'cus_lag', 'er_cus_lag');
    expect(await eventsOf('cus_lag')).toEqual([]);
  });

  it('without the second pass, such an event is left (what the pass is for)', async () => {
    await storeEventOf('cus_lag_once');
    const eraser = new DynamoDbCustomerEraser(laggingIndexClient(), tables.names);
    await eraser.erase(BANK, 'cus_lag_once', 'er_cus_lag_once');
    expect(await eventsOf('cus_lag_once')).toHaveLength(1);
  });
});
