import { beforeAll } from 'vitest';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbEnrollmentStore } from '../../shared/adapters/dynamodb-enrollment-store.ts';
import { DynamoDbInboundLog } from '../../shared/adapters/dynamodb-inbound-log.ts';
import { DynamoDbSubscriberStore } from '../../shared/adapters/dynamodb-subscriber-store.ts';
import { alertStoreContract } from '../support/contracts/alert-store.ts';
import { enrollmentStoreContract } from '../support/contracts/enrollment-store.ts';
import { inboundLogContract } from '../support/contracts/inbound-log.ts';
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
