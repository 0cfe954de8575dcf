import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { localAwsConfig } from '../../local/local-stack.ts';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbCustomerEraser } from '../../shared/adapters/dynamodb-customer-eraser.ts';
import { DynamoDbEventStore } from '../../shared/adapters/dynamodb-event-store.ts';
import { fraudCheckAlert } from '../../shared/domain/alert.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import { documentClientFor } from '../../shared/runtime/aws-clients.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// The indexes the eraser queries (the events' `byCustomer`, the alerts' `byCustomerRef` and
// legacy `byCustomer`) are eventually consistent on DynamoDB (synchronous on DynamoDB Local): an
// item stored a moment before the erasure may not show in the first query. The eraser's second
// pass finds it (docs/security.md, "Erasure").

const BANK = 'acme';
let tables: TestTables;

beforeAll(async () => {
  tables = await createTestTables();
});

/** A client whose first query of each index finds nothing, as a lagging index would. */
function laggingIndexClient() {
  const client = documentClientFor(new DynamoDBClient(localAwsConfig(inject('dynamoDbEndpoint'))));
  const lagged = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; IndexName?: string };
      if (context.commandName === 'QueryCommand' && input.IndexName !== undefined) {
        const index = `${input.TableName}/${input.IndexName}`;
        if (!lagged.has(index)) {
          lagged.add(index);
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

/** A fraud check with a member, a low-balance notice, and one in the legacy layout. */
async function storeAlertsOf(customerId: string) {
  const store = new DynamoDbAlertStore(tables.documentClient, tables.names.alerts);
  const now = new Date();
  const base = fraudCheckAlert(
    toStoredEvent(
      BANK,
      `evt_a_${customerId}`,
      cardTransaction({ customerId, transaction: { id: `txn_a_${customerId}` } }),
      now,
    ),
    { score: 90, alert: true, reasons: [] },
    now,
  );
  await store.fileFraudCheck(base, now);
  await store.fileFraudCheck({ ...base, alertId: `${base.alertId}-2`, ref: `${base.ref}-2` }, now);
  await store.createOnce({
    ...base,
    alertId: `${base.alertId}-n`,
    ref: `${base.ref}-n`,
    kind: 'low_balance',
  });
  const { ref, ...rest } = { ...base, alertId: `${base.alertId}-legacy` };
  await tables.documentClient.send(
    new PutCommand({ TableName: tables.names.alerts, Item: { ...rest, ref: `${ref}-legacy` } }),
  );
}

async function alertsOf(customerId: string) {
  return (await tables.scan('alerts')).filter((item) => JSON.stringify(item).includes(customerId));
}

describe('erasure while the indexes lag', () => {
  it('deletes an event and alerts the first queries did not show, on its second pass', async () => {
    await storeEventOf('cus_lag');
    await storeAlertsOf('cus_lag');
    expect(await alertsOf('cus_lag')).toHaveLength(5);
    const eraser = new DynamoDbCustomerEraser(laggingIndexClient(), tables.names, undefined, 50);
    await eraser.erase(BANK, 'cus_lag', 'er_cus_lag');
    expect(await eventsOf('cus_lag')).toEqual([]);
    expect(await alertsOf('cus_lag')).toEqual([]);
  });

  it('without the second pass, such an event and alerts are left (what the pass is for)', async () => {
    await storeEventOf('cus_lag_once');
    await storeAlertsOf('cus_lag_once');
    const eraser = new DynamoDbCustomerEraser(laggingIndexClient(), tables.names);
    await eraser.erase(BANK, 'cus_lag_once', 'er_cus_lag_once');
    expect(await eventsOf('cus_lag_once')).toHaveLength(1);
    // The check's two alerts and the notice (byCustomerRef), the legacy one (byCustomer); the
    // open-check item is deleted by its key.
    expect(await alertsOf('cus_lag_once')).toHaveLength(4);
  });
});
