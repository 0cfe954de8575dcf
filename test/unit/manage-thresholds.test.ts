import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../shared/domain/errors.ts';
import {
  clearCustomerPreferences,
  getBankThresholds,
  getCustomerPreferences,
  getCustomerThresholds,
  setBankThresholds,
  setCustomerThresholds,
} from '../../shared/domain/manage-thresholds.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';
import { FakePreferenceStore, FakeThresholdStore } from '../support/fakes/index.ts';

async function problems(call: Promise<unknown>): Promise<string[]> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return ((error as ValidationError).errors ?? []).map((p) => p.path).sort();
}

describe('bank thresholds', () => {
  it.each([
    ['a prototype key', JSON.parse('{"__proto__": {"alertScore": 1}}')],
    ['an unknown field', { ...BUILT_IN_THRESHOLDS, alertScoreX: 1 }],
    ['a score as a string', { ...BUILT_IN_THRESHOLDS, alertScore: '50' }],
    ['a negative amount', { ...BUILT_IN_THRESHOLDS, singleTransactionAmount: -1 }],
    ['an unsafe integer', { ...BUILT_IN_THRESHOLDS, dailySpendAmount: 2 ** 60 }],
    ['a country that is not one', { ...BUILT_IN_THRESHOLDS, homeCountries: ['FR', '<script>'] }],
    ['not an object', ['alertScore', 50]],
    ['null', null],
  ])('refuses %s and keeps the previous default', async (_, body) => {
    const store = new FakeThresholdStore();
    const previous = { ...BUILT_IN_THRESHOLDS, alertScore: 70 };
    await setBankThresholds('acme', previous, store);
    expect((await problems(setBankThresholds('acme', body, store))).length).toBeGreaterThan(0);
    expect(await getBankThresholds('acme', store)).toEqual(previous);
    expect(Object.hasOwn(Object.prototype, 'alertScore')).toBe(false);
  });

  it('stores only the parsed default, and propagates a store failure without a partial write', async () => {
    const store = new FakeThresholdStore();
    const failing = Object.create(store) as FakeThresholdStore;
    failing.putBankDefault = async () => {
      throw new Error('ResourceNotFoundException');
    };
    await expect(setBankThresholds('acme', BUILT_IN_THRESHOLDS, failing)).rejects.toThrow('ResourceNotFound');
    expect(await store.bankDefault('acme')).toBeUndefined();
    expect(await getBankThresholds('acme', store)).toBe(BUILT_IN_THRESHOLDS);
  });
});

describe('customer overrides', () => {
  it('refuses a hostile customer id in the path before reading or writing the store', async () => {
    const store = new FakeThresholdStore();
    const touched: string[] = [];
    const spying = Object.create(store) as FakeThresholdStore;
    spying.putCustomerOverride = async (...args) => void touched.push(args[1]);
    spying.customerOverride = async (...args) => void touched.push(args[1]);
    for (const id of ['jane@example.com', '../x', 'a#b']) {
      expect(await problems(setCustomerThresholds('acme', id, { alertScore: 60 }, spying))).toEqual([
        'path:customerId',
      ]);
      expect(await problems(getCustomerThresholds('acme', id, spying))).toEqual(['path:customerId']);
    }
    expect(touched).toEqual([]);
  });

  it('refuses an invalid override with every problem named, and keeps the previous one', async () => {
    const store = new FakeThresholdStore();
    await setCustomerThresholds('acme', 'cust_1', { alertScore: 60 }, store);
    expect(
      await problems(
        setCustomerThresholds('acme', 'cust_1', { alertScore: 0, velocity: { count: 'x' } }, store),
      ),
    ).toEqual(['alertScore', 'velocity.count']);
    expect(await getCustomerThresholds('acme', 'cust_1', store)).toEqual({ alertScore: 60 });
  });
});

describe('customer preferences, as the bank sees them', () => {
  it('reads them, 404 when there are none, and clears them idempotently', async () => {
    const store = new FakePreferenceStore();
    await expect(getCustomerPreferences('acme', 'cust_1', store)).rejects.toBeInstanceOf(NotFoundError);
    const preferences = {
      alertsOver: { amount: 5000, currency: 'EUR' },
      updatedAt: '2026-03-01T12:00:00.000Z',
    };
    await store.put('acme', 'cust_1', preferences);
    expect(await getCustomerPreferences('acme', 'cust_1', store)).toEqual(preferences);
    // Another bank's customer with the same id is another customer.
    await expect(getCustomerPreferences('globex', 'cust_1', store)).rejects.toBeInstanceOf(NotFoundError);
    await clearCustomerPreferences('acme', 'cust_1', store);
    await clearCustomerPreferences('acme', 'cust_1', store);
    await expect(getCustomerPreferences('acme', 'cust_1', store)).rejects.toBeInstanceOf(NotFoundError);
    expect(await problems(clearCustomerPreferences('acme', '../cust_1', store))).toEqual(['path:customerId']);
  });
});
