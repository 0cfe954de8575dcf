import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRules, scoreTransaction, type TransactionFacts } from '../../shared/domain/fraud-rules.ts';
import { thresholds } from '../fixtures/thresholds.ts';

// The compiled rules' mechanics (the hot path of scoring): they must decide exactly as the
// thresholds say, whatever the length of the lists.

const tx: TransactionFacts = {
  amount: 1000,
  currency: 'EUR',
  country: 'FR',
  mcc: '5411',
  channel: 'card_present',
  status: 'authorized',
};
const calm = { velocityCount: 1, dailySpend: 1000 };
const code = (length: number) => fc.stringMatching(new RegExp(`^[A-Z0-9]{${length}}$`));

describe('compiled scoring rules', () => {
  it('gives every transaction that fires no rule the same frozen decision, which nobody can change', () => {
    const rules = compileRules(thresholds());
    const first = scoreTransaction(tx, calm, rules);
    const second = scoreTransaction({ ...tx, amount: 2000 }, calm, rules);
    expect(first).toBe(second);
    expect(first).toEqual({ score: 0, alert: false, reasons: [] });
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as { score: number }).score = 99;
    }).toThrow(TypeError);
    expect(scoreTransaction(tx, calm, rules).score).toBe(0);
  });

  it('gives a transaction that fires a rule a decision of its own', () => {
    const rules = compileRules(thresholds());
    const a = scoreTransaction({ ...tx, status: 'declined' }, calm, rules);
    const b = scoreTransaction({ ...tx, status: 'declined' }, calm, rules);
    expect(a).not.toBe(b);
    expect(a.reasons).not.toBe(b.reasons);
    expect(a).toEqual(b);
  });

  it('matches merchant categories and home countries exactly as the lists hold them, short or long', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(code(4), { maxLength: 20 }),
        fc.uniqueArray(code(2), { maxLength: 20 }),
        code(4),
        code(2),
        fc.boolean(),
        fc.boolean(),
        (categories, countries, mcc, country, useListedMcc, useListedCountry) => {
          const seenMcc = useListedMcc && categories.length > 0 ? (categories.at(-1) as string) : mcc;
          const seenCountry =
            useListedCountry && countries.length > 0 ? (countries.at(-1) as string) : country;
          const rules = compileRules(
            thresholds({ riskyMerchantCategories: categories, homeCountries: countries }),
          );
          // A string built at run time, as a parsed request's would be, not the list's own.
          const fresh = (value: string) => [...value].join('');
          const fired = scoreTransaction(
            { ...tx, mcc: fresh(seenMcc), country: fresh(seenCountry) },
            calm,
            rules,
          ).reasons.map((reason) => reason.rule);
          expect(fired.includes('riskyMerchant')).toBe(categories.includes(seenMcc));
          expect(fired.includes('foreignCountry')).toBe(
            countries.length > 0 && !countries.includes(seenCountry),
          );
        },
      ),
    );
  });

  it('does not see a list changed after compiling', () => {
    const categories = ['7995'];
    const rules = compileRules(thresholds({ riskyMerchantCategories: categories }));
    categories.push('5411');
    expect(scoreTransaction(tx, calm, rules).reasons).toEqual([]);
  });
});
