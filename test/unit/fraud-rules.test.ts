import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActivitySummary } from '../../shared/domain/activity.ts';
import { compileRules, scoreTransaction, type TransactionFacts } from '../../shared/domain/fraud-rules.ts';
import { ruleNames, type Thresholds } from '../../shared/domain/thresholds.ts';
import { thresholds } from '../fixtures/thresholds.ts';

const quiet: TransactionFacts = {
  amount: 1000,
  currency: 'EUR',
  country: 'FR',
  mcc: '5411',
  channel: 'card_present',
  status: 'authorized',
};
const calm: ActivitySummary = { velocityCount: 1, dailySpend: 1000 };

function score(
  tx: Partial<TransactionFacts>,
  activity: Partial<ActivitySummary> = {},
  limits: Partial<Thresholds> = {},
) {
  return scoreTransaction({ ...quiet, ...tx }, { ...calm, ...activity }, compileRules(thresholds(limits)));
}

describe('scoring rules (docs/contract.md#scoring)', () => {
  it('fires nothing for an everyday transaction', () => {
    expect(score({})).toEqual({ score: 0, alert: false, reasons: [] });
  });

  describe.each([
    // rule, the input just below, at and above the limit
    ['singleTransaction', (n: number) => score({ amount: n }), 50_000, 50, 'EUR'],
    ['dailySpend', (n: number) => score({}, { dailySpend: n }), 150_000, 30, 'EUR'],
    ['velocity', (n: number) => score({}, { velocityCount: n }), 5, 40, undefined],
    ['cardNotPresent', (n: number) => score({ amount: n, channel: 'card_not_present' }), 20_000, 20, 'EUR'],
  ] as const)('%s', (rule, scoreAt, limit, weight, currency) => {
    it('does not fire below the limit', () => {
      expect(scoreAt(limit - 1).reasons.map((reason) => reason.rule)).not.toContain(rule);
    });
    it('fires at the limit, with its weight and reason', () => {
      const decision = scoreAt(limit);
      expect(decision.reasons).toContainEqual({
        rule,
        observed: limit,
        limit,
        ...(currency !== undefined && { currency }),
      });
      expect(decision.score).toBeGreaterThanOrEqual(weight);
    });
    it('fires above the limit', () => {
      expect(scoreAt(limit + 1).reasons.map((reason) => reason.rule)).toContain(rule);
    });
  });

  it('compares amounts only in the thresholds currency', () => {
    expect(score({ amount: 10_000_000, currency: 'USD' }).reasons).toEqual([]);
    expect(score({ amount: 10_000_000, currency: 'USD', channel: 'card_not_present' }).reasons).toEqual([]);
    expect(score({ amount: 50_000, currency: 'USD' }, {}, { currency: 'USD' }).reasons[0]).toMatchObject({
      rule: 'singleTransaction',
      currency: 'USD',
    });
  });

  it('needs card_not_present for the cardNotPresent rule', () => {
    for (const channel of ['card_present', 'atm', 'transfer']) {
      expect(score({ amount: 25_000, channel }).reasons).toEqual([]);
    }
  });

  it('fires foreignCountry outside the home countries, and never without home countries', () => {
    expect(score({ country: 'US' }).reasons).toEqual([
      { rule: 'foreignCountry', observed: 'US', limit: ['FR'] },
    ]);
    expect(score({ country: 'BE' }, {}, { homeCountries: ['FR', 'BE'] }).reasons).toEqual([]);
    expect(score({ country: 'US' }, {}, { homeCountries: [] }).reasons).toEqual([]);
  });

  it('fires riskyMerchant for a listed MCC only, needing a second signal to alert', () => {
    expect(score({ mcc: '7995' })).toEqual({
      score: 30,
      alert: false,
      reasons: [{ rule: 'riskyMerchant', observed: '7995', limit: ['7995', '6051', '4829'] }],
    });
    expect(score({ mcc: '7995', country: 'MT' })).toMatchObject({ score: 60, alert: true });
    expect(score({ mcc: '7996' }).reasons).toEqual([]);
  });

  it('fires declined for a declined transaction', () => {
    expect(score({ status: 'declined' })).toEqual({
      score: 10,
      alert: false,
      reasons: [{ rule: 'declined', observed: 'declined', limit: 'declined' }],
    });
  });

  it('alerts when the sum of weights reaches the alert score, not below', () => {
    expect(score({ country: 'US', channel: 'card_not_present', amount: 20_000 })).toMatchObject({
      score: 50,
      alert: true,
    });
    expect(score({ country: 'US', channel: 'card_not_present', amount: 19_999 })).toMatchObject({
      score: 30,
      alert: false,
    });
  });

  it('lists every reason of a transaction that fires every rule', () => {
    const decision = score(
      { amount: 60_000, country: 'US', mcc: '6051', channel: 'card_not_present', status: 'declined' },
      { velocityCount: 9, dailySpend: 200_000 },
    );
    expect(decision.reasons.map((reason) => reason.rule).sort()).toEqual([...ruleNames].sort());
    expect(decision.score).toBe(50 + 30 + 40 + 30 + 30 + 20 + 10);
  });

  it('turns a rule off with a weight of 0', () => {
    const weights = { ...thresholds().weights, foreignCountry: 0 };
    expect(score({ country: 'US' }, {}, { weights }).reasons).toEqual([]);
  });

  it('never lowers the score when only the amount grows (and daily spend with it)', () => {
    const facts = fc.record({
      amount: fc.integer({ min: 0, max: 1_000_000 }),
      currency: fc.constantFrom('EUR', 'USD'),
      country: fc.constantFrom('FR', 'US', 'DE'),
      mcc: fc.constantFrom('5411', '7995', '6051'),
      channel: fc.constantFrom('card_present', 'card_not_present', 'atm', 'transfer'),
      status: fc.constantFrom('authorized', 'declined'),
    });
    const limits = fc.record({
      singleTransactionAmount: fc.integer({ min: 0, max: 500_000 }),
      dailySpendAmount: fc.integer({ min: 0, max: 2_000_000 }),
      cardNotPresentAmount: fc.integer({ min: 0, max: 500_000 }),
      alertScore: fc.integer({ min: 1, max: 300 }),
      weights: fc.record(
        Object.fromEntries(ruleNames.map((rule) => [rule, fc.integer({ min: 0, max: 100 })])) as Record<
          (typeof ruleNames)[number],
          fc.Arbitrary<number>
        >,
      ),
    });
    fc.assert(
      fc.property(
        facts,
        limits,
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 500_000 }),
        fc.integer({ min: 1, max: 20 }),
        (tx, limit, spentBefore, raise, velocityCount) => {
          const rules = compileRules(thresholds(limit));
          const counted = tx.status === 'authorized' && tx.currency === 'EUR';
          const at = (amount: number) =>
            scoreTransaction(
              { ...tx, amount },
              { velocityCount, dailySpend: spentBefore + (counted ? amount : 0) },
              rules,
            );
          const before = at(tx.amount);
          const after = at(tx.amount + raise);
          expect(after.score).toBeGreaterThanOrEqual(before.score);
          if (before.alert) expect(after.alert).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
