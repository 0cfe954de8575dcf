/**
 * In-memory ports for unit tests. The stores `vigil backtest` replays with are reused from
 * shared/adapters; the others live here. Each store passes the same contract tests as its
 * DynamoDB adapter (test/support/contracts/, run in test/unit/ and test/integration/).
 */
export { InMemoryAlertStore as FakeAlertStore } from '../../../shared/adapters/in-memory-alert-store.ts';
export { InMemoryErasureMarkers as FakeErasureMarkers } from '../../../shared/adapters/in-memory-erasure-markers.ts';
export { InMemoryThresholdStore as FakeThresholdStore } from '../../../shared/adapters/in-memory-threshold-store.ts';
export { FakeBankDirectory } from './bank-directory.ts';
export { FakeBankSecrets } from './bank-secrets.ts';
export { FakeCallbackOutbox } from './callback-outbox.ts';
export { FakeCallbackSender } from './callback-sender.ts';
export { FixedClock } from './clock.ts';
export { FakeEnrollmentStore } from './enrollment-store.ts';
export { FakeInboundLog } from './inbound-log.ts';
export { FakeMessenger } from './messenger.ts';
export { FakeNonceStore } from './nonce-store.ts';
export { FakeSubscriberStore } from './subscriber-store.ts';
