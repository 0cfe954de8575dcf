import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_THRESHOLDS,
  historySettings,
  mergeThresholds,
  type Thresholds,
} from '../../shared/domain/thresholds.ts';

// A bank default stored before the history rules existed has no baseline, card testing or
// compromised-merchant settings: the built-in ones apply, and a customer override fills them in.
const { baseline: _, cardTesting: __, compromisedMerchants: ___, ...older } = BUILT_IN_THRESHOLDS;
const OLDER: Thresholds = older;

describe('historySettings', () => {
  it('gives the built-in history settings where the bank default has none, and the bank’s where it has', () => {
    expect(historySettings(OLDER)).toMatchObject({
      baseline: BUILT_IN_THRESHOLDS.baseline,
      cardTesting: BUILT_IN_THRESHOLDS.cardTesting,
      compromisedMerchants: BUILT_IN_THRESHOLDS.compromisedMerchants,
    });
    const own = { ...BUILT_IN_THRESHOLDS, compromisedMerchants: { days: 30, minReporters: 1 } };
    expect(historySettings(own).compromisedMerchants).toEqual({ days: 30, minReporters: 1 });
  });

  it('fills every weight the default leaves out with the built-in one', () => {
    const weights = {
      ...BUILT_IN_THRESHOLDS.weights,
      cardTesting: undefined,
    } as unknown as Thresholds['weights'];
    expect(historySettings({ ...OLDER, weights }).weights.cardTesting).toBe(
      BUILT_IN_THRESHOLDS.weights.cardTesting,
    );
  });
});

describe('mergeThresholds', () => {
  it('takes the customer’s compromised-merchant settings field by field over the built-in ones', () => {
    const merged = mergeThresholds(OLDER, { compromisedMerchants: { minReporters: 1 } });
    expect(merged.compromisedMerchants).toEqual({
      ...BUILT_IN_THRESHOLDS.compromisedMerchants,
      minReporters: 1,
    });
    expect(merged.baseline).toBeUndefined();
    expect(merged.cardTesting).toBeUndefined();
  });

  it('leaves the bank default as it is without an override, and ignores undefined override fields', () => {
    expect(mergeThresholds(OLDER, undefined)).toBe(OLDER);
    const merged = mergeThresholds(BUILT_IN_THRESHOLDS, {
      alertScore: undefined,
      cardTesting: { count: 5, windowMinutes: undefined },
    });
    expect(merged.alertScore).toBe(BUILT_IN_THRESHOLDS.alertScore);
    expect(merged.cardTesting).toEqual({ ...BUILT_IN_THRESHOLDS.cardTesting, count: 5 });
  });
});
