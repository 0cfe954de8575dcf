import type { ActivitySummary } from './activity.ts';
import type { RuleName, Thresholds } from './thresholds.ts';

/** Why a rule fired: what was seen against what the thresholds allow. */
export interface Reason {
  /**
   * A scoring rule, `lowBalance` for a balance notice, or `customerAlertAmount` for a payment over
   * the amount the customer chose to be asked about (docs/messenger.md, "Customer controls").
   */
  readonly rule: RuleName | 'lowBalance' | 'customerAlertAmount';
  readonly observed: number | string;
  readonly limit: number | string | readonly string[];
  /** For amount rules: the currency of `observed` and `limit`. */
  readonly currency?: string;
}

export interface Decision {
  readonly score: number;
  /** The score reached the alert score: ask the customer "Was this you?". */
  readonly alert: boolean;
  readonly reasons: readonly Reason[];
}

export interface TransactionFacts {
  readonly amount: number;
  readonly currency: string;
  readonly country: string;
  readonly mcc: string;
  readonly channel: string;
  readonly status: string;
}

/** Thresholds prepared for scoring many transactions: lists become sets. */
export interface ScoringRules {
  readonly thresholds: Thresholds;
  readonly velocityWindowMs: number;
  readonly homeCountries: ReadonlySet<string>;
  readonly riskyMerchantCategories: ReadonlySet<string>;
}

const NO_REASONS: readonly Reason[] = Object.freeze([]);

/** Prepares thresholds for scoring. */
export function compileRules(thresholds: Thresholds): ScoringRules {
  return {
    thresholds,
    velocityWindowMs: thresholds.velocity.windowMinutes * 60_000,
    homeCountries: new Set(thresholds.homeCountries),
    riskyMerchantCategories: new Set(thresholds.riskyMerchantCategories),
  };
}

/**
 * Scores a transaction (SPEC §2): each rule that fires adds its weight and a reason. Pure and
 * allocation-free for a transaction that fires no rule. Weights are never negative, so the score
 * never drops when only the amount grows.
 */
export function scoreTransaction(
  tx: TransactionFacts,
  activity: ActivitySummary,
  rules: ScoringRules,
): Decision {
  const { thresholds } = rules;
  const { weights, currency } = thresholds;
  const sameCurrency = tx.currency === currency;
  let score = 0;
  let reasons: Reason[] | undefined;

  if (weights.singleTransaction > 0 && sameCurrency && tx.amount >= thresholds.singleTransactionAmount) {
    score += weights.singleTransaction;
    reasons = append(reasons, {
      rule: 'singleTransaction',
      observed: tx.amount,
      limit: thresholds.singleTransactionAmount,
      currency,
    });
  }
  if (weights.dailySpend > 0 && activity.dailySpend >= thresholds.dailySpendAmount) {
    score += weights.dailySpend;
    reasons = append(reasons, {
      rule: 'dailySpend',
      observed: activity.dailySpend,
      limit: thresholds.dailySpendAmount,
      currency,
    });
  }
  if (weights.velocity > 0 && activity.velocityCount >= thresholds.velocity.count) {
    score += weights.velocity;
    reasons = append(reasons, {
      rule: 'velocity',
      observed: activity.velocityCount,
      limit: thresholds.velocity.count,
    });
  }
  if (weights.foreignCountry > 0 && rules.homeCountries.size > 0 && !rules.homeCountries.has(tx.country)) {
    score += weights.foreignCountry;
    reasons = append(reasons, {
      rule: 'foreignCountry',
      observed: tx.country,
      limit: thresholds.homeCountries,
    });
  }
  if (weights.riskyMerchant > 0 && rules.riskyMerchantCategories.has(tx.mcc)) {
    score += weights.riskyMerchant;
    reasons = append(reasons, {
      rule: 'riskyMerchant',
      observed: tx.mcc,
      limit: thresholds.riskyMerchantCategories,
    });
  }
  if (
    weights.cardNotPresent > 0 &&
    tx.channel === 'card_not_present' &&
    sameCurrency &&
    tx.amount >= thresholds.cardNotPresentAmount
  ) {
    score += weights.cardNotPresent;
    reasons = append(reasons, {
      rule: 'cardNotPresent',
      observed: tx.amount,
      limit: thresholds.cardNotPresentAmount,
      currency,
    });
  }
  if (weights.declined > 0 && tx.status === 'declined') {
    score += weights.declined;
    reasons = append(reasons, { rule: 'declined', observed: tx.status, limit: 'declined' });
  }
  return { score, alert: score >= thresholds.alertScore, reasons: reasons ?? NO_REASONS };
}

function append(reasons: Reason[] | undefined, reason: Reason): Reason[] {
  if (reasons === undefined) return [reason];
  reasons.push(reason);
  return reasons;
}
