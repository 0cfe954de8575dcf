import { describe, expect, it } from 'vitest';
import { eraseCustomer } from '../../shared/domain/erase-customer.ts';
import { erasureRefOf } from '../../shared/domain/erasure.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import type { ErasureKeys } from '../../shared/ports/erasure.ts';
import {
  FakeCustomerEraser,
  FakeErasureMarkers,
  FakePreferenceStore,
  FakeSubscriberStore,
  FakeThresholdStore,
  FixedClock,
} from '../support/fakes/index.ts';

const NOW = '2026-03-01T12:00:00.000Z';
const KEY = Buffer.from('k'.repeat(43));

async function world() {
  const clock = new FixedClock(NOW);
  const stores = {
    subscribers: new FakeSubscriberStore(() => clock.now()),
    thresholds: new FakeThresholdStore(),
    preferences: new FakePreferenceStore(),
    markers: new FakeErasureMarkers(),
  };
  const eraser = new FakeCustomerEraser(stores, clock);
  const asked: string[][] = [];
  const erasure: ErasureKeys = {
    refOf: async (bankId, customerId) => {
      asked.push([bankId, customerId]);
      return erasureRefOf(KEY, bankId, customerId);
    },
  };
  await stores.subscribers.save({
    bankId: 'acme',
    customerId: 'cust_1',
    address: 'psid-1',
    status: 'active',
    locale: 'en_US',
    enrollmentId: 'enr-1',
    updatedAt: NOW,
  });
  await stores.preferences.put('acme', 'cust_1', {
    alertsOver: { amount: 100, currency: 'EUR' },
    updatedAt: NOW,
  });
  await stores.thresholds.putCustomerOverride('acme', 'cust_1', { singleTransactionAmount: 100 });
  return { ...stores, clock, eraser, erasure, asked, ports: { eraser, erasure } };
}

describe('eraseCustomer', () => {
  it('erases under the customer’s keyed erasure ref, which holds neither id in clear', async () => {
    const w = await world();
    await eraseCustomer('acme', 'cust_1', w.ports);
    const ref = erasureRefOf(KEY, 'acme', 'cust_1');
    expect(w.eraser.erased).toEqual([{ bankId: 'acme', customerId: 'cust_1', erasureRef: ref }]);
    expect(ref).not.toMatch(/acme|cust_1/);
    expect(await w.markers.erasedAt(ref)).toBe(NOW);
    expect(await w.subscribers.get('acme', 'cust_1')).toBeUndefined();
    expect(await w.preferences.get('acme', 'cust_1')).toBeUndefined();
    expect(await w.thresholds.customerOverride('acme', 'cust_1')).toBeUndefined();
    // The same customer id at another bank is another customer, with another ref.
    expect(erasureRefOf(KEY, 'globex', 'cust_1')).not.toBe(ref);
  });

  it('is idempotent: erasing again succeeds and moves the marker to the later time', async () => {
    const w = await world();
    await eraseCustomer('acme', 'cust_1', w.ports);
    w.clock.advance(60_000);
    await eraseCustomer('acme', 'cust_1', w.ports);
    expect(await w.markers.erasedAt(erasureRefOf(KEY, 'acme', 'cust_1'))).toBe('2026-03-01T12:01:00.000Z');
  });

  it.each([
    ['an e-mail address', 'jane@example.com'],
    ['a path', '../cust_1'],
    ['a key separator', 'cust#1'],
    ['an empty id', ''],
    ['a control character', 'cust\u0000_1'],
  ])('refuses %s as the customer id before computing a ref or erasing anything', async (_, id) => {
    const w = await world();
    await expect(eraseCustomer('acme', id, w.ports)).rejects.toBeInstanceOf(ValidationError);
    expect(w.asked).toEqual([]);
    expect(w.eraser.erased).toEqual([]);
    expect(await w.subscribers.get('acme', 'cust_1')).toBeDefined();
  });

  it('erases nothing when the erasure key cannot be read, and fails so the bank retries', async () => {
    const w = await world();
    const ports = {
      eraser: w.eraser,
      erasure: {
        refOf: async () => {
          throw new Error('The secret vigil/test/erasure-key does not exist.');
        },
      },
    };
    await expect(eraseCustomer('acme', 'cust_1', ports)).rejects.toThrow(/erasure-key/);
    expect(w.eraser.erased).toEqual([]);
    expect(await w.subscribers.get('acme', 'cust_1')).toBeDefined();
  });

  it('fails when a delete fails midway, with the marker already set so nothing in flight comes back', async () => {
    const w = await world();
    const failing = Object.create(w.preferences) as FakePreferenceStore;
    failing.delete = async () => {
      throw new Error('InternalServerError');
    };
    const eraser = new FakeCustomerEraser({ ...w, preferences: failing }, w.clock);
    await expect(eraseCustomer('acme', 'cust_1', { eraser, erasure: w.erasure })).rejects.toThrow();
    expect(await w.markers.erasedAt(erasureRefOf(KEY, 'acme', 'cust_1'))).toBe(NOW);
    expect(await w.subscribers.get('acme', 'cust_1')).toBeUndefined();
    // The bank's retry finishes it.
    await eraseCustomer('acme', 'cust_1', w.ports);
    expect(await w.preferences.get('acme', 'cust_1')).toBeUndefined();
  });
});
