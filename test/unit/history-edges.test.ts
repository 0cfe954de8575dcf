import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../shared/domain/activity.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import { reportOfDisputedAlert } from '../../shared/domain/compromised-merchant.ts';
import {
  addSighting,
  emptyProfile,
  historyFacts,
  PROFILE_LIMITS,
  type ProfileSettings,
  type Sighting,
} from '../../shared/domain/customer-profile.ts';
import { compileRules, scoreTransaction, type TransactionFacts } from '../../shared/domain/fraud-rules.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';
import { thresholds } from '../fixtures/thresholds.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const settings: ProfileSettings = {
  currency: 'EUR',
  baseline: BUILT_IN_THRESHOLDS.baseline as ProfileSettings['baseline'],
  cardTesting: BUILT_IN_THRESHOLDS.cardTesting as ProfileSettings['cardTesting'],
};
const sighting = (at: number, overrides: Partial<Sighting> = {}): Sighting => ({
  at,
  amount: 4000,
  currency: 'EUR',
  country: 'FR',
  mcc: '5411',
  authorized: true,
  probe: false,
  ...overrides,
});
const grocer: TransactionFacts = {
  amount: 4000,
  currency: 'EUR',
  country: 'FR',
  mcc: '5411',
  channel: 'card_present',
  status: 'authorized',
};

describe('newMerchantCategory (off by default)', () => {
  const on = compileRules(
    thresholds({ weights: { ...BUILT_IN_THRESHOLDS.weights, newMerchantCategory: 20 } }),
  );
  const habitual = () => {
    const profile = emptyProfile();
    for (let day = 0; day < 20; day++) addSighting(profile, sighting(T0 + day * DAY_MS), settings);
    return profile;
  };
  const score = (profile: ReturnType<typeof emptyProfile>, mcc: string) => {
    const own = sighting(T0 + 21 * DAY_MS, { mcc });
    addSighting(profile, own, settings);
    return scoreTransaction(
      { ...grocer, mcc },
      { velocityCount: 1, dailySpend: 4000 },
      on,
      historyFacts(profile, own, settings, 0),
    );
  };

  it('adds its weight for a first payment in a category once the customer has a history, when the bank turns it on', () => {
    const decision = score(habitual(), '5812');
    expect(decision.reasons).toEqual([{ rule: 'newMerchantCategory', observed: '5812', limit: 90 }]);
    expect(decision.score).toBe(20);
    expect(score(habitual(), '5411').reasons).toEqual([]);
  });

  it('does not fire for a customer without enough history', () => {
    expect(score(emptyProfile(), '5812').reasons).toEqual([]);
  });
});

describe('customer profile bounds', () => {
  it('keeps at most PROFILE_LIMITS.places countries, forgetting the least recently seen', () => {
    const profile = emptyProfile();
    const codes = Array.from({ length: PROFILE_LIMITS.places + 1 }, (_, i) =>
      String.fromCharCode(65 + Math.floor(i / 26), 65 + (i % 26)),
    );
    codes.forEach((country, i) => {
      addSighting(profile, sighting(T0 + i * 60_000, { country, mcc: '5411' }), settings);
    });
    expect(Object.keys(profile.countries)).toHaveLength(PROFILE_LIMITS.places);
    expect(profile.countries[codes[0] as string]).toBeUndefined();
    expect(profile.countries[codes.at(-1) as string]).toBeDefined();
    // Seeing the oldest remaining country again makes it the most recent: the next new one evicts another.
    addSighting(profile, sighting(T0 + 100 * 60_000, { country: codes[1] as string }), settings);
    addSighting(profile, sighting(T0 + 101 * 60_000, { country: 'ZZ' }), settings);
    expect(profile.countries[codes[1] as string]).toBeDefined();
    expect(profile.countries[codes[2] as string]).toBeUndefined();
  });
});

describe('reportOfDisputedAlert', () => {
  it('reports no merchant for a disputed alert that is about a balance', () => {
    const balance = {
      alertId: 'a1',
      ref: 'r',
      bankId: 'acme',
      customerId: 'c1',
      customerKey: 'acme#c1',
      kind: 'fraud_check',
      status: 'disputed',
      transactionId: 't1',
      eventId: 'e1',
      reasons: [],
      display: { accountLast4: '1234', available: 10, currency: 'EUR', occurredAt: '2026-03-01T12:00:00Z' },
      createdAt: '2026-03-01T12:00:00Z',
      expiresAt: 0,
    } as Alert;
    expect(reportOfDisputedAlert(balance)).toBeUndefined();
    expect(
      reportOfDisputedAlert({
        ...balance,
        display: {
          cardLast4: '4242',
          amount: 100,
          currency: 'EUR',
          merchantName: 'Shop',
          merchantCountry: 'FR',
          occurredAt: '2026-03-01T12:00:00Z',
        },
      }),
    ).toEqual({ transactionId: 't1', customerId: 'c1', merchant: { name: 'Shop', country: 'FR' } });
  });
});
