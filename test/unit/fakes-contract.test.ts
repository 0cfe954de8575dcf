import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { FileSecretStore } from '../../shared/adapters/file-secret-store.ts';
import type { StoredAlert } from '../../shared/adapters/in-memory-alert-store.ts';
import {
  erasureKeySecretName,
  SecretStoreErasureKeys,
} from '../../shared/adapters/secret-store-erasure-keys.ts';
import type { Subscriber } from '../../shared/domain/subscriber.ts';
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
import { erasureKeysContract } from '../support/contracts/erasure-keys.ts';
import { erasureMarkersContract } from '../support/contracts/erasure-markers.ts';
import { eventStoreContract } from '../support/contracts/event-store.ts';
import { inboundLogContract } from '../support/contracts/inbound-log.ts';
import { nonceStoreContract } from '../support/contracts/nonce-store.ts';
import { preferenceStoreContract } from '../support/contracts/preference-store.ts';
import { redriveStoreContract } from '../support/contracts/redrive-store.ts';
import { secretStoreContract } from '../support/contracts/secret-store.ts';
import { subscriberDirectoryContract } from '../support/contracts/subscriber-directory.ts';
import { subscriberStoreContract } from '../support/contracts/subscriber-store.ts';
import { thresholdStoreContract } from '../support/contracts/threshold-store.ts';
import {
  FakeAlertStore,
  FakeBalanceWatch,
  FakeBankDirectory,
  FakeCallbackOutbox,
  FakeCompromisedMerchants,
  FakeCustomerEraser,
  FakeCustomerHistory,
  FakeEnrollmentStore,
  FakeErasureKeys,
  FakeErasureMarkers,
  FakeEventStore,
  FakeInboundLog,
  FakeNonceStore,
  FakePreferenceStore,
  FakeRedriveStore,
  FakeSecretStore,
  FakeSubscriberDirectory,
  FakeSubscriberStore,
  FakeThresholdStore,
  FixedClock,
} from '../support/fakes/index.ts';

// The same contracts run against the DynamoDB adapters in test/integration/store-contracts.test.ts.
subscriberStoreContract('fake', () => new FakeSubscriberStore());
enrollmentStoreContract('fake', () => new FakeEnrollmentStore());
inboundLogContract('fake', () => new FakeInboundLog());
alertStoreContract('in-memory', () => new FakeAlertStore());
halfOpenedCheckContract('in-memory', () => {
  let crashes = 0;
  let closingCrashes = 0;
  // Dies where the second write of an opening, or of a closing, would be.
  const store = new (class extends FakeAlertStore {
    protected override storeOpened(alert: StoredAlert): boolean {
      if (crashes > 0) {
        crashes--;
        throw new Error('the function died here, after the open-check item');
      }
      return super.storeOpened(alert);
    }
    protected override forgetOpenCheck(checkKey: string, checkId: string): void {
      if (closingCrashes > 0) {
        closingCrashes--;
        throw new Error('the function died here, after the status change');
      }
      super.forgetOpenCheck(checkKey, checkId);
    }
  })();
  return {
    store,
    crashNextOpening: () => void crashes++,
    crashNextClosing: () => void closingCrashes++,
  };
});
callbackOutboxContract('fake', () => new FakeCallbackOutbox());
nonceStoreContract('fake', () => new FakeNonceStore());
eventStoreContract('in-memory', () => new FakeEventStore());
preferenceStoreContract('in-memory', () => new FakePreferenceStore());
thresholdStoreContract('in-memory', () => new FakeThresholdStore());
erasureMarkersContract('in-memory', () => new FakeErasureMarkers());
balanceWatchContract('in-memory', () => new FakeBalanceWatch());
compromisedMerchantsContract('in-memory', () => new FakeCompromisedMerchants());
customerHistoryContract('in-memory', () => new FakeCustomerHistory());
customerHistoryErasureContract('in-memory', () => {
  const markers = new FakeErasureMarkers();
  return { history: new FakeCustomerHistory(markers), markers };
});
bankDirectoryContract('fake', (banks) => new FakeBankDirectory(banks));
subscriberDirectoryContract('fake', async (subscriptions) => {
  const store = new FakeSubscriberStore();
  for (const { bankId, customerId, status } of subscriptions)
    await store.save(subscriber(bankId, customerId, status));
  return new FakeSubscriberDirectory(store);
});

customerEraserContract('fake', (now) => {
  const stores = {
    subscribers: new FakeSubscriberStore(),
    thresholds: new FakeThresholdStore(),
    preferences: new FakePreferenceStore(),
    markers: new FakeErasureMarkers(),
  };
  return { ...stores, eraser: new FakeCustomerEraser(stores, new FixedClock(now)) };
});

redriveStoreContract('fake', (seed) => new FakeRedriveStore(seed));

secretStoreContract('fake', (secrets) => new FakeSecretStore(secrets));
erasureKeysContract('fake', () => new FakeErasureKeys());
erasureKeysContract(
  'secret store',
  () =>
    new SecretStoreErasureKeys(
      new FakeSecretStore({ [erasureKeySecretName('vigil/test')]: { key: 'k'.repeat(43) } }),
      'vigil/test',
    ),
);
// Local mode's file store holds the same JSON as Secrets Manager (whose own test is
// test/integration/secrets-manager-secret-store.test.ts, against the SDK mock).
const secretFiles = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
afterAll(() => rmSync(secretFiles, { recursive: true, force: true }));
let secretFileCount = 0;
secretStoreContract('local file', (secrets) => {
  const path = join(secretFiles, `secrets-${++secretFileCount}.json`);
  writeFileSync(path, JSON.stringify(secrets));
  return new FileSecretStore(path);
});

function subscriber(bankId: string, customerId: string, status: Subscriber['status']): Subscriber {
  return {
    bankId,
    customerId,
    address: `psid_${customerId}`,
    status,
    locale: 'fr_FR',
    enrollmentId: `enr_${customerId}`,
    updatedAt: '2026-03-01T12:00:00.000Z',
  };
}
