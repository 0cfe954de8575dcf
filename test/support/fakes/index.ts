/**
 * In-memory ports for unit tests, one for every port in shared/ports. The stores `vigil backtest`
 * replays with are reused from shared/adapters; the others live here. Each one with a DynamoDB
 * adapter passes the same contract in test/support/contracts/ as that adapter
 * (test/unit/fakes-contract.test.ts and test/integration/store-contracts.test.ts).
 */
export { InMemoryAlertStore as FakeAlertStore } from '../../../shared/adapters/in-memory-alert-store.ts';
export { InMemoryBalanceWatch as FakeBalanceWatch } from '../../../shared/adapters/in-memory-balance-watch.ts';
export { InMemoryCompromisedMerchants as FakeCompromisedMerchants } from '../../../shared/adapters/in-memory-compromised-merchants.ts';
export { InMemoryCustomerHistory as FakeCustomerHistory } from '../../../shared/adapters/in-memory-customer-history.ts';
export { InMemoryErasureMarkers as FakeErasureMarkers } from '../../../shared/adapters/in-memory-erasure-markers.ts';
export { InMemoryEventStore as FakeEventStore } from '../../../shared/adapters/in-memory-event-store.ts';
export { InMemoryPreferenceStore as FakePreferenceStore } from '../../../shared/adapters/in-memory-preference-store.ts';
export { InMemoryThresholdStore as FakeThresholdStore } from '../../../shared/adapters/in-memory-threshold-store.ts';
export { FakeBankDirectory } from './bank-directory.ts';
export { FakeBankSecrets } from './bank-secrets.ts';
export { FakeCallbackOutbox } from './callback-outbox.ts';
export { FakeCallbackSender } from './callback-sender.ts';
export { FakeChannel } from './channel.ts';
export { FixedClock } from './clock.ts';
export { FakeCustomerEraser } from './customer-eraser.ts';
export { FakeEnrollmentStore } from './enrollment-store.ts';
export { FakeErasureKeys } from './erasure-keys.ts';
export { FakeInboundLog } from './inbound-log.ts';
export { FakeMessenger } from './messenger.ts';
export { FakeNonceStore } from './nonce-store.ts';
export { FakeRedriveStore } from './redrive-store.ts';
export { FakeSecretStore } from './secret-store.ts';
export { FakeSubscriberDirectory } from './subscriber-directory.ts';
export { FakeSubscriberStore } from './subscriber-store.ts';
