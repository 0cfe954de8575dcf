import { z } from 'zod';
import { countrySchema, currencySchema, mccSchema } from './bank-event.ts';

// The thresholds of docs/contract.md#thresholds: a bank default, and per-customer overrides whose absent fields
// fall back to it (also inside `velocity` and `weights`).

const amount = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const weight = z.int().min(0).max(1000);

export const ruleNames = [
  'singleTransaction',
  'dailySpend',
  'velocity',
  'foreignCountry',
  'riskyMerchant',
  'cardNotPresent',
  'declined',
] as const;

export type RuleName = (typeof ruleNames)[number];

const weightsShape = Object.fromEntries(ruleNames.map((rule) => [rule, weight])) as Record<
  RuleName,
  typeof weight
>;

export const thresholdsSchema = z.strictObject({
  /** Amount limits apply to transactions in this currency only. */
  currency: currencySchema,
  singleTransactionAmount: amount,
  dailySpendAmount: amount,
  velocity: z.strictObject({ count: z.int().min(1).max(1000), windowMinutes: z.int().min(1).max(1440) }),
  /** Empty: the foreignCountry rule is off. */
  homeCountries: z.array(countrySchema).max(250),
  riskyMerchantCategories: z.array(mccSchema).max(1000),
  cardNotPresentAmount: amount,
  lowBalanceAmount: amount,
  alertScore: z.int().min(1).max(10_000),
  /** A weight of 0 turns its rule off. */
  weights: z.strictObject(weightsShape),
});

export const thresholdOverrideSchema = z
  .strictObject({
    ...thresholdsSchema.shape,
    velocity: thresholdsSchema.shape.velocity.partial(),
    weights: thresholdsSchema.shape.weights.partial(),
  })
  .partial();

export type Thresholds = z.infer<typeof thresholdsSchema>;
export type ThresholdOverride = z.infer<typeof thresholdOverrideSchema>;

/**
 * Vigil's defaults, for a bank that has set none: amounts in euro cents. The risky categories are
 * gambling (7995), quasi-cash and crypto purchases (6051) and money transfers (4829), the MCCs
 * card schemes most often tie to fraud; the weights make one strong signal, or two weaker ones,
 * reach the alert score.
 */
export const BUILT_IN_THRESHOLDS: Thresholds = {
  currency: 'EUR',
  singleTransactionAmount: 50_000,
  dailySpendAmount: 150_000,
  velocity: { count: 5, windowMinutes: 10 },
  homeCountries: [],
  riskyMerchantCategories: ['7995', '6051', '4829'],
  cardNotPresentAmount: 20_000,
  lowBalanceAmount: 10_000,
  alertScore: 50,
  weights: {
    singleTransaction: 50,
    dailySpend: 30,
    velocity: 40,
    foreignCountry: 30,
    riskyMerchant: 50,
    cardNotPresent: 20,
    declined: 10,
  },
};

/** The thresholds for a customer: their override over the bank default, field by field. */
export function mergeThresholds(
  bankDefault: Thresholds,
  override: ThresholdOverride | undefined,
): Thresholds {
  if (override === undefined) return bankDefault;
  const { velocity, weights, ...rest } = override;
  return {
    ...bankDefault,
    ...withoutUndefined(rest),
    velocity: { ...bankDefault.velocity, ...withoutUndefined(velocity ?? {}) },
    weights: { ...bankDefault.weights, ...withoutUndefined(weights ?? {}) },
  };
}

type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

function withoutUndefined<T extends object>(value: T): Defined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Defined<T>;
}
