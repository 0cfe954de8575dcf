/**
 * In-memory ports for unit tests. The stores `vigil backtest` replays with are reused from
 * shared/adapters; the others live here. A store with a contract in test/support/contracts/
 * passes it as its DynamoDB adapter does (test/unit/fakes-contract.test.ts and
 * test/integration/store-contracts.test.ts).
 */
export { InMemoryAlertStore as FakeAlertStore } from '../../../shared/adapters/in-memory-alert-store.ts';
export { InMemoryErasureMarkers as FakeErasureMarkers } from '../../../shared/adapters/in-memory-erasure-markers.ts';
export { InMemoryPreferenceStore as FakePreferenceStore } from '../../../shared/adapters/in-memory-preference-store.ts';
export { InMemoryThresholdStore as FakeThresholdStore } from '../../../shared/adapters/in-memory-threshold-store.ts';
export { FakeBankDirectory } from './bank-directory.ts';
export { FakeBankSecrets } from './bank-secrets.ts';
export { FakeCallbackOutbox } from './callback-outbox.ts';
export { FakeCallbackSender } from './callback-sender.ts';
export { FakeChannel } from './channel.ts';
export { FixedClock } from './clock.ts';
export { FakeEnrollmentStore } from './enrollment-store.ts';
export { FakeInboundLog } from './inbound-log.ts';
export { FakeMessenger } from './messenger.ts';
export { FakeNonceStore } from './nonce-store.ts';
export { FakeSubscriberStore } from './subscriber-store.ts';
