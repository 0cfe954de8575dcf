import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../bench/simulate.ts';
import { DAY_MS } from '../../shared/domain/activity.ts';
import { fraudCheckAlert } from '../../shared/domain/alert.ts';
import {
  fraudReportSchema,
  merchantKeyOf,
  reportOfDisputedAlert,
} from '../../shared/domain/compromised-merchant.ts';
import {
  addSighting,
  emptyProfile,
  type HistoryFacts,
  historyFacts,
  PROFILE_LIMITS,
  type ProfileSettings,
  type Sighting,
} from '../../shared/domain/customer-profile.ts';
import { compileRules, scoreTransaction, type TransactionFacts } from '../../shared/domain/fraud-rules.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import {
  BUILT_IN_THRESHOLDS,
  mergeThresholds,
  thresholdOverrideSchema,
} from '../../shared/domain/thresholds.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
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

/** A customer who paid €30–50 at a grocer in France every day for `days` days. */
function habitualProfile(days = 20) {
  const profile = emptyProfile();
  for (let day = 0; day < days; day++)
    addSighting(profile, sighting(T0 + day * DAY_MS, { amount: 3000 + (day % 5) * 500 }), settings);
  return profile;
}

const everyday: TransactionFacts = {
  amount: 4000,
  currency: 'EUR',
  country: 'FR',
  mcc: '5411',
  channel: 'card_present',
  status: 'authorized',
};

function scoreAgainst(
  profile: ReturnType<typeof emptyProfile>,
  tx: Partial<TransactionFacts>,
  at: number,
  reporters = 0,
) {
  const facts = { ...everyday, ...tx };
  const rules = compileRules(thresholds());
  const own: Sighting = {
    ...sighting(at, { amount: facts.amount, country: facts.country, mcc: facts.mcc }),
    authorized: facts.status === 'authorized',
    probe: facts.channel === 'card_not_present' && facts.amount <= settings.cardTesting.maxAmount,
  };
  addSighting(profile, own, settings);
  return scoreTransaction(
    facts,
    { velocityCount: 1, dailySpend: facts.amount },
    rules,
    historyFacts(profile, own, settings, reporters),
  );
}

describe('customer profile', () => {
  it('judges a payment against the payments before it only, so a redelivery is judged the same', () => {
    const profile = habitualProfile();
    const at = T0 + 21 * DAY_MS;
    const big = sighting(at, { amount: 30_000 });
    addSighting(profile, big, settings);
    const first = historyFacts(profile, big, settings, 0);
    expect(addSighting(profile, big, settings)).toBe(false);
    expect(historyFacts(profile, big, settings, 0)).toEqual(first);
    expect(first.historyCount).toBe(20);
    expect(first.medianAmount).toBe(4000);
  });

  it('stays bounded however many payments, countries and categories it sees', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            offset: fc.integer({ min: 0, max: 200 * DAY_MS }),
            country: fc.constantFrom('FR', 'DE', 'ES', 'US', 'GB', 'IT', 'BE', 'NL', 'PT', 'CH'),
            mcc: fc.integer({ min: 1000, max: 1100 }).map(String),
            probe: fc.boolean(),
          }),
          { maxLength: 300 },
        ),
        (items) => {
          const profile = emptyProfile();
          for (const item of items) addSighting(profile, sighting(T0 + item.offset, item), settings);
          expect(profile.amounts.length).toBeLessThanOrEqual(PROFILE_LIMITS.amounts);
          expect(Object.keys(profile.categories).length).toBeLessThanOrEqual(PROFILE_LIMITS.places);
          expect(profile.probes.length).toBeLessThanOrEqual(PROFILE_LIMITS.probes);
          expect(JSON.stringify(profile).length).toBeLessThan(4000);
        },
      ),
    );
  });

  it('forgets a country not seen for longer than the window', () => {
    const profile = habitualProfile();
    addSighting(profile, sighting(T0 + DAY_MS, { country: 'ES' }), settings);
    const back = sighting(T0 + 100 * DAY_MS, { country: 'ES' });
    addSighting(profile, back, settings);
    expect(historyFacts(profile, back, settings, 0).countrySeen).toBe(false);
    const again = sighting(T0 + 101 * DAY_MS, { country: 'ES' });
    addSighting(profile, again, settings);
    expect(historyFacts(profile, again, settings, 0).countrySeen).toBe(true);
  });
});

describe('history rules', () => {
  const at = T0 + 21 * DAY_MS;

  it('fires unusualAmount far above the customer’s habit, not for an everyday amount', () => {
    expect(scoreAgainst(habitualProfile(), { amount: 30_000 }, at)).toMatchObject({
      alert: true,
      reasons: [{ rule: 'unusualAmount', observed: 30_000, currency: 'EUR' }],
    });
    expect(scoreAgainst(habitualProfile(), { amount: 6_000 }, at).reasons).toEqual([]);
  });

  it('falls back to the bank thresholds alone while the history is short', () => {
    const decision = scoreAgainst(habitualProfile(3), { amount: 30_000 }, at);
    expect(decision.reasons).toEqual([]);
    expect(scoreAgainst(habitualProfile(3), { amount: 60_000 }, at).reasons.map((r) => r.rule)).toEqual([
      'singleTransaction',
    ]);
  });

  it('adds newCountry to foreignCountry for a first payment in a country, not for a known one', () => {
    expect(scoreAgainst(habitualProfile(), { country: 'US' }, at).reasons.map((r) => r.rule)).toEqual([
      'foreignCountry',
      'newCountry',
    ]);
    const profile = habitualProfile();
    addSighting(profile, sighting(T0 + 5 * DAY_MS, { country: 'US' }), settings);
    expect(scoreAgainst(profile, { country: 'US' }, at).reasons.map((r) => r.rule)).toEqual([
      'foreignCountry',
    ]);
  });

  it('fires cardTesting from the third tiny online payment within the hour', () => {
    const profile = habitualProfile();
    const probe = { amount: 150, channel: 'card_not_present' };
    expect(scoreAgainst(profile, probe, at).alert).toBe(false);
    expect(scoreAgainst(profile, probe, at + 60_000).alert).toBe(false);
    expect(scoreAgainst(profile, probe, at + 120_000)).toMatchObject({
      alert: true,
      reasons: [{ rule: 'cardTesting', observed: 3, limit: 3 }],
    });
    // An hour later the burst no longer counts.
    expect(scoreAgainst(profile, probe, at + 2 * 3_600_000).alert).toBe(false);
  });

  it('fires compromisedMerchant for a card-present payment once enough other customers reported it', () => {
    expect(scoreAgainst(habitualProfile(), {}, at, 3).reasons.map((r) => r.rule)).toEqual([
      'compromisedMerchant',
    ]);
    expect(scoreAgainst(habitualProfile(), {}, at, 2).reasons).toEqual([]);
    expect(scoreAgainst(habitualProfile(), { channel: 'card_not_present' }, at, 9).reasons).toEqual([]);
  });

  it('lets riskyMerchant ignore a category the customer pays in, unless told otherwise', () => {
    const profile = habitualProfile();
    addSighting(profile, sighting(T0 + 5 * DAY_MS, { mcc: '7995' }), settings);
    expect(scoreAgainst(profile, { mcc: '7995' }, at).reasons).toEqual([]);
    expect(scoreAgainst(habitualProfile(), { mcc: '7995' }, at).reasons.map((r) => r.rule)).toEqual([
      'riskyMerchant',
    ]);
    const strict = compileRules(
      thresholds({ baseline: { ...settings.baseline, habitualRiskyCategories: false } }),
    );
    const own = sighting(at, { mcc: '7995' });
    addSighting(profile, own, settings);
    expect(
      scoreTransaction(
        { ...everyday, mcc: '7995' },
        { velocityCount: 1, dailySpend: 0 },
        strict,
        historyFacts(profile, own, settings, 0),
      ).reasons.map((r) => r.rule),
    ).toEqual(['riskyMerchant']);
  });

  it('turns each history rule off with a weight of 0', () => {
    const off = compileRules(
      thresholds({
        weights: {
          ...BUILT_IN_THRESHOLDS.weights,
          unusualAmount: 0,
          newCountry: 0,
          cardTesting: 0,
          compromisedMerchant: 0,
        },
      }),
    );
    const facts: HistoryFacts = {
      historyCount: 50,
      medianAmount: 1000,
      deviation: 100,
      countrySeen: false,
      categorySeen: false,
      probeCount: 10,
      merchantReporters: 10,
    };
    expect(
      scoreTransaction(
        { ...everyday, amount: 40_000, country: 'FR' },
        { velocityCount: 1, dailySpend: 0 },
        off,
        facts,
      ).reasons,
    ).toEqual([]);
  });
});

describe('history thresholds', () => {
  it('merges a partial override of the history settings field by field', () => {
    const override = thresholdOverrideSchema.parse({
      baseline: { minHistory: 8 },
      cardTesting: { count: 5 },
    });
    const merged = mergeThresholds(BUILT_IN_THRESHOLDS, override);
    expect(merged.baseline).toEqual({ ...BUILT_IN_THRESHOLDS.baseline, minHistory: 8 });
    expect(merged.cardTesting).toEqual({ ...BUILT_IN_THRESHOLDS.cardTesting, count: 5 });
    expect(merged.compromisedMerchants).toEqual(BUILT_IN_THRESHOLDS.compromisedMerchants);
  });

  it('refuses out-of-range history settings', () => {
    for (const bad of [
      { baseline: { minHistory: 0 } },
      { baseline: { deviations: -1 } },
      { cardTesting: { count: 1 } },
      { compromisedMerchants: { days: 0 } },
      { weights: { unusualAmount: -1 } },
      { baseline: { unknown: 1 } },
    ])
      expect(thresholdOverrideSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});

describe('simulator', () => {
  it('is deterministic for a seed, differs between seeds, and labels every scenario', () => {
    const a = simulate({ seed: 5, customers: 200, days: 20 });
    expect(simulate({ seed: 5, customers: 200, days: 20 })).toEqual(a);
    expect(simulate({ seed: 6, customers: 200, days: 20 }).events).not.toEqual(a.events);
    const scenarios = new Set(a.labels.filter((label) => label.fraud).map((label) => label.scenario));
    expect([...scenarios].sort()).toEqual([
      'cardTesting',
      'compromisedMerchant',
      'inflatedAmounts',
      'oneOffLarge',
      'takeoverAbroad',
    ]);
    const times = a.events.map((event) => Date.parse(event.event.occurredAt));
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });
});

describe('confirmed-fraud feedback', () => {
  it('turns a disputed fraud check, and only that, into a report of its merchant', () => {
    const event = toStoredEvent(
      'bank',
      'evt_1',
      cardTransaction({ customerId: 'cus_1', transaction: { id: 'txn_1' } }),
      new Date(T0),
    );
    const alert = fraudCheckAlert(event, { score: 50, alert: true, reasons: [] }, new Date(T0));
    expect(reportOfDisputedAlert(alert)).toBeUndefined();
    expect(reportOfDisputedAlert({ ...alert, status: 'confirmed' })).toBeUndefined();
    expect(reportOfDisputedAlert({ ...alert, status: 'disputed' })).toEqual({
      transactionId: 'txn_1',
      customerId: 'cus_1',
      merchant: { name: event.transaction?.merchantName, country: event.transaction?.country },
    });
    expect(fraudReportSchema.safeParse(reportOfDisputedAlert({ ...alert, status: 'disputed' })).success).toBe(
      true,
    );
  });

  it('keys a merchant by country and normalized name', () => {
    expect(merchantKeyOf('  acme   Store ', 'FR')).toBe(merchantKeyOf('ACME STORE', 'FR'));
    expect(merchantKeyOf('ACME STORE', 'FR')).not.toBe(merchantKeyOf('ACME STORE', 'BE'));
  });
});
