import { beforeAll } from 'vitest';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbCallbackOutbox } from '../../shared/adapters/dynamodb-callback-outbox.ts';
import { DynamoDbEnrollmentStore } from '../../shared/adapters/dynamodb-enrollment-store.ts';
import { DynamoDbInboundLog } from '../../shared/adapters/dynamodb-inbound-log.ts';
import { DynamoDbNonceStore } from '../../shared/adapters/dynamodb-nonce-store.ts';
import { DynamoDbSubscriberStore } from '../../shared/adapters/dynamodb-subscriber-store.ts';
import { alertStoreContract } from '../support/contracts/alert-store.ts';
import { callbackOutboxContract } from '../support/contracts/callback-outbox.ts';
import { enrollmentStoreContract } from '../support/contracts/enrollment-store.ts';
import { inboundLogContract } from '../support/contracts/inbound-log.ts';
import { nonceStoreContract } from '../support/contracts/nonce-store.ts';
import { subscriberStoreContract } from '../support/contracts/subscriber-store.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// The same contract runs against the fakes in test/unit/fakes-contract.test.ts.
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
callbackOutboxContract(
  'DynamoDB',
  () => new DynamoDbCallbackOutbox(tables.documentClient, tables.names.callbacks),
);
nonceStoreContract('DynamoDB', () => new DynamoDbNonceStore(tables.documentClient, tables.names.nonces));
