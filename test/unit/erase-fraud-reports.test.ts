import { describe, expect, it } from 'vitest';
import { merchantKeyOf, reporterOf, reportFraud } from '../../shared/domain/compromised-merchant.ts';
import { eraseCustomer } from '../../shared/domain/erase-customer.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import {
  FakeCompromisedMerchants,
  FakeCustomerEraser,
  FakeErasureKeys,
  FakeErasureMarkers,
  FakePreferenceStore,
  FakeSubscriberStore,
  FakeThresholdStore,
  FixedClock,
} from '../support/fakes/index.ts';

// A bank's confirmed-fraud reports mark merchants (docs/scoring.md, "Confirmed fraud"); erasing a
// customer removes that customer's reports from the marks and nobody else's.

const NOW = '2026-03-01T12:00:00.000Z';
const KEY = 'reporter-key-for-tests';
const BAKERY = { name: 'Bakery', country: 'FR' };

function world() {
  const clock = new FixedClock(NOW);
  const thresholds = new FakeThresholdStore();
  const merchants = new FakeCompromisedMerchants();
  const feedback = { merchants, thresholds, reporterKey: async () => KEY };
  const eraser = new FakeCustomerEraser(
    {
      subscribers: new FakeSubscriberStore(() => clock.now()),
      thresholds,
      preferences: new FakePreferenceStore(),
      markers: new FakeErasureMarkers(),
    },
    clock,
  );
  const reporters = (customerId = 'nobody') =>
    merchants.reporters('acme', merchantKeyOf(BAKERY), reporterOf(KEY, 'acme', customerId), clock.now());
  return { clock, merchants, feedback, eraser, reporters };
}

const report = (customerId: string, transactionId = `t-${customerId}`) => ({
  transactionId,
  customerId,
  merchant: BAKERY,
});

describe('fraud reports and erasure', () => {
  it('marks the merchant once per customer, and erasing one customer forgets only their report', async () => {
    const w = world();
    const recorded = await reportFraud(
      'acme',
      { reports: [report('cus_1'), report('cus_1', 't-again'), report('cus_2')] },
      w.clock.now(),
      w.feedback,
    );
    expect(recorded).toMatchObject({ reports: 3, merchants: 1 });
    expect(await w.reporters()).toBe(2);
    await eraseCustomer('acme', 'cus_1', {
      eraser: w.eraser,
      erasure: new FakeErasureKeys(),
      fraudFeedback: w.feedback,
    });
    expect(await w.reporters()).toBe(1);
    // The remaining report is cus_2's: not counted when cus_2 is the one asking.
    expect(await w.reporters('cus_2')).toBe(0);
  });

  it('refuses a bad batch and marks nothing of it', async () => {
    const w = world();
    const bad = { reports: [report('cus_1'), { ...report('cus_2'), merchant: { name: '', country: 'FR' } }] };
    await expect(reportFraud('acme', bad, w.clock.now(), w.feedback)).rejects.toThrow(ValidationError);
    await expect(reportFraud('acme', { reports: [] }, w.clock.now(), w.feedback)).rejects.toThrow(
      ValidationError,
    );
    expect(await w.reporters()).toBe(0);
  });

  it('erases without fraud feedback ports, leaving marks alone', async () => {
    const w = world();
    await reportFraud('acme', { reports: [report('cus_1')] }, w.clock.now(), w.feedback);
    await eraseCustomer('acme', 'cus_1', { eraser: w.eraser, erasure: new FakeErasureKeys() });
    expect(await w.reporters()).toBe(1);
  });
});
