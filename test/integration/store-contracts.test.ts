import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll } from 'vitest';
import { localAwsConfig } from '../../local/local-stack.ts';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBalanceWatch } from '../../shared/adapters/dynamodb-balance-watch.ts';
import { DynamoDbBankDirectory } from '../../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbCallbackOutbox } from '../../shared/adapters/dynamodb-callback-outbox.ts';
import { DynamoDbCompromisedMerchants } from '../../shared/adapters/dynamodb-compromised-merchants.ts';
import { DynamoDbCustomerEraser } from '../../shared/adapters/dynamodb-customer-eraser.ts';
import { DynamoDbCustomerHistory } from '../../shared/adapters/dynamodb-customer-history.ts';
import { DynamoDbEnrollmentStore } from '../../shared/adapters/dynamodb-enrollment-store.ts';
import { DynamoDbErasureMarkers } from '../../shared/adapters/dynamodb-erasure-markers.ts';
import { DynamoDbEventStore } from '../../shared/adapters/dynamodb-event-store.ts';
import { DynamoDbInboundLog } from '../../shared/adapters/dynamodb-inbound-log.ts';
import { DynamoDbNonceStore } from '../../shared/adapters/dynamodb-nonce-store.ts';
import { DynamoDbPreferenceStore } from '../../shared/adapters/dynamodb-preference-store.ts';
import { DynamoDbRedriveStore } from '../../shared/adapters/dynamodb-redrive-store.ts';
import { DynamoDbSubscriberDirectory } from '../../shared/adapters/dynamodb-subscriber-directory.ts';
import { DynamoDbSubscriberStore } from '../../shared/adapters/dynamodb-subscriber-store.ts';
import { DynamoDbThresholdStore } from '../../shared/adapters/dynamodb-threshold-store.ts';
import { documentClientFor } from '../../shared/runtime/aws-clients.ts';
import { alertStoreContract, halfOpenedCheckContract } from '../support/contracts/alert-store.ts';
import { balanceWatchContract } from '../support/contracts/balance-watch.ts';
import { bankDirectoryContract } from '../support/contracts/bank-directory.ts';
import { callbackOutboxContract } from '../support/contracts/callback-outbox.ts';
import { compromisedMerchantsContract } from '../support/contracts/compromised-merchants.ts';
import { customerEraserContract } from '../support/contracts/customer-eraser.ts';
import {
  customerHistoryContract,
  customerHistoryErasureContract,
} from '../support/contracts/customer-history.ts';
import { enrollmentStoreContract } from '../support/contracts/enrollment-store.ts';
import { erasureMarkersContract } from '../support/contracts/erasure-markers.ts';
import { eventStoreContract } from '../support/contracts/event-store.ts';
import { inboundLogContract } from '../support/contracts/inbound-log.ts';
import { nonceStoreContract } from '../support/contracts/nonce-store.ts';
import { preferenceStoreContract } from '../support/contracts/preference-store.ts';
import { redriveStoreContract } from '../support/contracts/redrive-store.ts';
import { subscriberDirectoryContract } from '../support/contracts/subscriber-directory.ts';
import { subscriberStoreContract } from '../support/contracts/subscriber-store.ts';
import { thresholdStoreContract } from '../support/contracts/threshold-store.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// The same contracts run against the fakes in test/unit/fakes-contract.test.ts.
let tables: TestTables;
beforeAll(async () => {
  tables = await createTestTables();
});

subscriberStoreContract(
  'DynamoDB',
  () => new DynamoDbSubscriberStore(tables.documentClient, tables.names.subscribers),
);
enrollmentStoreContract(
  'DynamoDB',
  () => new DynamoDbEnrollmentStore(tables.documentClient, tables.names.enrollments),
);
inboundLogContract('DynamoDB', () => new DynamoDbInboundLog(tables.documentClient, tables.names.inbound));
alertStoreContract('DynamoDB', () => new DynamoDbAlertStore(tables.documentClient, tables.names.alerts));
halfOpenedCheckContract('DynamoDB', async () => {
  // A client of the same DynamoDB Local that dies right after the put of an open-check item, or
  // right before the delete of one.
  const endpoint = await tables.client.config.endpoint?.();
  const client = documentClientFor(
    new DynamoDBClient(localAwsConfig(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`)),
  );
  let crashes = 0;
  let closingCrashes = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = (args.input as { Key?: { alertId?: unknown } }).Key;
      if (
        closingCrashes > 0 &&
        context.commandName === 'DeleteItemCommand' &&
        String(key?.alertId).includes('#open-check#')
      ) {
        closingCrashes--;
        throw new Error('the function died here, after the status change');
      }
      const result = await next(args);
      // The low-level command's name, the document client's input.
      const item = (args.input as { Item?: { alertId?: unknown } }).Item;
      if (
        crashes > 0 &&
        context.commandName === 'PutItemCommand' &&
        String(item?.alertId).includes('#open-check#')
      ) {
        crashes--;
        throw new Error('the function died here, after the open-check item');
      }
      return result;
    },
    { step: 'initialize', name: 'crashAfterOpenCheck' },
  );
  return {
    store: new DynamoDbAlertStore(client, tables.names.alerts),
    crashNextOpening: () => void crashes++,
    crashNextClosing: () => void closingCrashes++,
  };
});
callbackOutboxContract(
  'DynamoDB',
  () => new DynamoDbCallbackOutbox(tables.documentClient, tables.names.callbacks),
);
nonceStoreContract('DynamoDB', () => new DynamoDbNonceStore(tables.documentClient, tables.names.nonces));
eventStoreContract('DynamoDB', () => new DynamoDbEventStore(tables.documentClient, tables.names.events));
preferenceStoreContract(
  'DynamoDB',
  () => new DynamoDbPreferenceStore(tables.documentClient, tables.names.thresholds),
);
thresholdStoreContract(
  'DynamoDB',
  () => new DynamoDbThresholdStore(tables.documentClient, tables.names.thresholds),
);
erasureMarkersContract(
  'DynamoDB',
  () => new DynamoDbErasureMarkers(tables.documentClient, tables.names.activity),
);
balanceWatchContract(
  'DynamoDB',
  () => new DynamoDbBalanceWatch(tables.documentClient, tables.names.activity),
);
compromisedMerchantsContract(
  'DynamoDB',
  () => new DynamoDbCompromisedMerchants(tables.documentClient, tables.names.activity),
);
customerHistoryContract(
  'DynamoDB',
  () => new DynamoDbCustomerHistory(tables.documentClient, tables.names.activity),
);
customerHistoryErasureContract('DynamoDB', () => ({
  history: new DynamoDbCustomerHistory(tables.documentClient, tables.names.activity),
  markers: new DynamoDbErasureMarkers(tables.documentClient, tables.names.activity),
}));
bankDirectoryContract('DynamoDB', async (banks) => {
  for (const bank of banks)
    await tables.documentClient.send(new PutCommand({ TableName: tables.names.banks, Item: bank }));
  return new DynamoDbBankDirectory(tables.documentClient, tables.names.banks);
});
subscriberDirectoryContract('DynamoDB', async (subscriptions) => {
  for (const { bankId, customerId, status } of subscriptions)
    await tables.documentClient.send(
      new PutCommand({
        TableName: tables.names.subscribers,
        Item: { bankId, customerId, status, psid: `psid_${customerId}` },
      }),
    );
  return new DynamoDbSubscriberDirectory(tables.documentClient, tables.names.subscribers);
});
customerEraserContract('DynamoDB', (now) => {
  const { documentClient: client, names } = tables;
  return {
    eraser: new DynamoDbCustomerEraser(client, names, () => now),
    subscribers: new DynamoDbSubscriberStore(client, names.subscribers),
    thresholds: new DynamoDbThresholdStore(client, names.thresholds),
    preferences: new DynamoDbPreferenceStore(client, names.thresholds),
    markers: new DynamoDbErasureMarkers(client, names.activity),
  };
});
redriveStoreContract('DynamoDB', async (seed) => {
  // Fresh tables: a scan finds these items and only these.
  const own = await createTestTables();
  const put = (TableName: string, Item: object) =>
    own.documentClient.send(new PutCommand({ TableName, Item }));
  for (const event of seed.events) await put(own.names.events, event);
  for (const alert of seed.alerts) await put(own.names.alerts, alert);
  for (const delivery of seed.callbacks) await put(own.names.callbacks, delivery);
  return new DynamoDbRedriveStore(own.documentClient, own.names);
});
