import { alertStoreContract } from '../support/contracts/alert-store.ts';
import { callbackOutboxContract } from '../support/contracts/callback-outbox.ts';
import { enrollmentStoreContract } from '../support/contracts/enrollment-store.ts';
import { inboundLogContract } from '../support/contracts/inbound-log.ts';
import { nonceStoreContract } from '../support/contracts/nonce-store.ts';
import { subscriberStoreContract } from '../support/contracts/subscriber-store.ts';
import {
  FakeAlertStore,
  FakeCallbackOutbox,
  FakeEnrollmentStore,
  FakeInboundLog,
  FakeNonceStore,
  FakeSubscriberStore,
} from '../support/fakes/index.ts';

// The same contract runs against the DynamoDB adapters in test/integration/store-contracts.test.ts.
subscriberStoreContract('fake', () => new FakeSubscriberStore());
enrollmentStoreContract('fake', () => new FakeEnrollmentStore());
inboundLogContract('fake', () => new FakeInboundLog());
alertStoreContract('in-memory', () => new FakeAlertStore());
callbackOutboxContract('fake', () => new FakeCallbackOutbox());
nonceStoreContract('fake', () => new FakeNonceStore());
