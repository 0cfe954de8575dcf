import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.ts';
import {
  BUILT_IN_THRESHOLDS,
  mergeThresholds,
  thresholdOverrideSchema,
  thresholdsSchema,
} from '../../shared/domain/thresholds.ts';
import { parseOrThrow } from '../../shared/domain/validate.ts';

function problems(schema: typeof thresholdsSchema | typeof thresholdOverrideSchema, value: unknown) {
  try {
    parseOrThrow(schema, value);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return (error.errors ?? []).map((problem) => problem.path);
  }
}

describe('thresholds', () => {
  it('accepts the built-in defaults as a bank default', () => {
    expect(problems(thresholdsSchema, BUILT_IN_THRESHOLDS)).toEqual([]);
  });

  it('requires every field of a bank default, and reports each missing one', () => {
    const { velocity: _, weights: __, ...partial } = BUILT_IN_THRESHOLDS;
    expect(problems(thresholdsSchema, partial).sort()).toEqual(['velocity', 'weights']);
  });

  it.each([
    ['a negative limit', { singleTransactionAmount: -1 }, 'singleTransactionAmount'],
    ['a fractional limit', { dailySpendAmount: 1.5 }, 'dailySpendAmount'],
    ['an unknown currency', { currency: 'EURO' }, 'currency'],
    ['an unknown country', { homeCountries: ['FR', 'XX'] }, 'homeCountries[1]'],
    ['a bad MCC', { riskyMerchantCategories: ['79'] }, 'riskyMerchantCategories[0]'],
    ['a zero velocity count', { velocity: { count: 0 } }, 'velocity.count'],
    ['a negative weight', { weights: { declined: -5 } }, 'weights.declined'],
    ['an unknown weight', { weights: { loyalty: 5 } }, 'weights'],
    ['an unknown field', { maxAmount: 5 }, '$'],
  ])('refuses %s with its path', (_, override, path) => {
    expect(problems(thresholdOverrideSchema, override)).toEqual([path]);
  });

  it('accepts an empty override', () => {
    expect(problems(thresholdOverrideSchema, {})).toEqual([]);
  });

  it('merges an override over the default field by field, inside velocity and weights too', () => {
    const merged = mergeThresholds(BUILT_IN_THRESHOLDS, {
      singleTransactionAmount: 10_000,
      velocity: { count: 2 },
      weights: { declined: 0 },
    });
    expect(merged).toEqual({
      ...BUILT_IN_THRESHOLDS,
      singleTransactionAmount: 10_000,
      velocity: { count: 2, windowMinutes: BUILT_IN_THRESHOLDS.velocity.windowMinutes },
      weights: { ...BUILT_IN_THRESHOLDS.weights, declined: 0 },
    });
    expect(mergeThresholds(BUILT_IN_THRESHOLDS, undefined)).toBe(BUILT_IN_THRESHOLDS);
  });
});
