import { countrySchema, currencySchema, MINOR_UNITS_MESSAGE, mccSchema } from './bank-event.ts';
import * as z from './zod.ts';

// The thresholds of docs/contract.md#thresholds: a bank default, and per-customer overrides whose absent fields
// fall back to it (also inside `velocity` and `weights`).

const amount = z
  .int({ error: (issue) => (issue.input === undefined ? 'Required.' : MINOR_UNITS_MESSAGE) })
  .check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
const weight = z.int().check(z.minimum(0), z.maximum(1000));

export const ruleNames = [
  'singleTransaction',
  'dailySpend',
  'velocity',
  'foreignCountry',
  'riskyMerchant',
  'cardNotPresent',
  'declined',
] as const;

/**
 * The rules that compare a payment with the customer's own history and with the bank's confirmed
 * fraud (docs/scoring.md). Their settings and weights are optional: absent, the defaults apply.
 */
export const historyRuleNames = [
  'unusualAmount',
  'largeAmount',
  'newCountry',
  'newMerchantCategory',
  'cardTesting',
  'compromisedMerchant',
] as const;

export type RuleName = (typeof ruleNames)[number] | (typeof historyRuleNames)[number];

const weightsShape = {
  ...(Object.fromEntries(ruleNames.map((rule) => [rule, weight])) as Record<
    (typeof ruleNames)[number],
    typeof weight
  >),
  ...(Object.fromEntries(historyRuleNames.map((rule) => [rule, z.optional(weight)])) as Record<
    (typeof historyRuleNames)[number],
    z.ZodMiniOptional<typeof weight>
  >),
};

const baselineSchema = z.strictObject({
  /** How far back the customer's habits are looked at. */
  windowDays: z.int().check(z.minimum(1), z.maximum(400)),
  /** Payments needed in the window before the history rules judge; fewer: only the bank thresholds. */
  minHistory: z.int().check(z.minimum(1), z.maximum(40)),
  /** unusualAmount: the amount is at least this many robust deviations above the median… */
  deviations: z.number().check(z.minimum(0), z.maximum(100)),
  /** …and at least this multiple of the median… */
  minMultiple: z.number().check(z.minimum(1), z.maximum(1000)),
  /** …and at least this amount (in the thresholds' currency). */
  minAmount: amount,
  /** largeAmount: at least this amount, for a customer with any history in the window… */
  largeAmount: z.optional(amount),
  /** …and at least this multiple of their median… */
  largeMultiple: z.optional(z.number().check(z.minimum(1), z.maximum(1000))),
  /** …and at least this multiple of their largest payment in the window (0: not required). */
  largeOverLargest: z.optional(z.number().check(z.minimum(0), z.maximum(1000))),
  /** riskyMerchant does not fire for a category the customer paid in within the window. */
  habitualRiskyCategories: z.boolean(),
});

const cardTestingSchema = z.strictObject({
  /** A card-not-present payment up to this amount counts as a probe. */
  maxAmount: amount,
  /** This many probes in the window, this one included, fire the rule. */
  count: z.int().check(z.minimum(2), z.maximum(1000)),
  windowMinutes: z.int().check(z.minimum(1), z.maximum(1440)),
});

const compromisedMerchantsSchema = z.strictObject({
  /** How long a confirmed fraud at a merchant counts (the bank default's, for every customer). */
  days: z.int().check(z.minimum(1), z.maximum(365)),
  /** compromisedMerchant: customers with a confirmed fraud there in that time, others than the payer. */
  minReporters: z.int().check(z.minimum(1), z.maximum(100)),
});

export const thresholdsSchema = z.strictObject({
  /** Amount limits apply to transactions in this currency only. */
  currency: currencySchema,
  singleTransactionAmount: amount,
  dailySpendAmount: amount,
  velocity: z.strictObject({
    count: z.int().check(z.minimum(1), z.maximum(1000)),
    windowMinutes: z.int().check(z.minimum(1), z.maximum(1440)),
  }),
  /** Empty: the foreignCountry rule is off. */
  homeCountries: z.array(countrySchema).check(z.maxLength(250)),
  riskyMerchantCategories: z.array(mccSchema).check(z.maxLength(1000)),
  cardNotPresentAmount: amount,
  lowBalanceAmount: amount,
  alertScore: z.int().check(z.minimum(1), z.maximum(10_000)),
  /** A weight of 0 turns its rule off. */
  weights: z.strictObject(weightsShape),
  /** The customer's own history (unusualAmount, newCountry, newMerchantCategory). */
  baseline: z.optional(baselineSchema),
  cardTesting: z.optional(cardTestingSchema),
  compromisedMerchants: z.optional(compromisedMerchantsSchema),
});

export const thresholdOverrideSchema = z.partial(
  z.strictObject({
    ...thresholdsSchema.shape,
    velocity: z.partial(thresholdsSchema.shape.velocity),
    weights: z.partial(thresholdsSchema.shape.weights),
    baseline: z.partial(baselineSchema),
    cardTesting: z.partial(cardTestingSchema),
    compromisedMerchants: z.partial(compromisedMerchantsSchema),
  }),
);

export type Thresholds = z.infer<typeof thresholdsSchema>;
export type BaselineSettings = z.infer<typeof baselineSchema>;
export type CardTestingSettings = z.infer<typeof cardTestingSchema>;
export type CompromisedMerchantSettings = z.infer<typeof compromisedMerchantsSchema>;
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
    riskyMerchant: 30,
    cardNotPresent: 20,
    declined: 10,
    unusualAmount: 50,
    largeAmount: 50,
    newCountry: 0,
    newMerchantCategory: 0,
    cardTesting: 50,
    compromisedMerchant: 50,
  },
  baseline: {
    windowDays: 90,
    minHistory: 10,
    deviations: 5,
    minMultiple: 3,
    minAmount: 3_000,
    largeAmount: 21_000,
    largeMultiple: 1.6,
    largeOverLargest: 1.05,
    habitualRiskyCategories: true,
  },
  cardTesting: { maxAmount: 500, count: 3, windowMinutes: 60 },
  compromisedMerchants: { days: 4, minReporters: 3 },
};

/** The settings of the history rules, the built-in ones where the thresholds have none. */
export function historySettings(thresholds: Thresholds) {
  return {
    // Field by field: a baseline stored before largeAmount existed lacks its fields.
    baseline: {
      ...BUILT_IN_THRESHOLDS.baseline,
      ...withoutUndefined(thresholds.baseline ?? {}),
    } as { [K in keyof BaselineSettings]-?: Exclude<BaselineSettings[K], undefined> },
    cardTesting: thresholds.cardTesting ?? (BUILT_IN_THRESHOLDS.cardTesting as CardTestingSettings),
    compromisedMerchants:
      thresholds.compromisedMerchants ??
      (BUILT_IN_THRESHOLDS.compromisedMerchants as CompromisedMerchantSettings),
    weights: { ...BUILT_IN_THRESHOLDS.weights, ...withoutUndefined(thresholds.weights) } as Record<
      RuleName,
      number
    >,
  };
}

/** The thresholds for a customer: their override over the bank default, field by field. */
export function mergeThresholds(
  bankDefault: Thresholds,
  override: ThresholdOverride | undefined,
): Thresholds {
  if (override === undefined) return bankDefault;
  const { velocity, weights, baseline, cardTesting, compromisedMerchants, ...rest } = override;
  const settings = historySettings(bankDefault);
  return {
    ...bankDefault,
    ...withoutUndefined(rest),
    velocity: { ...bankDefault.velocity, ...withoutUndefined(velocity ?? {}) },
    weights: { ...bankDefault.weights, ...withoutUndefined(weights ?? {}) },
    ...(baseline !== undefined && { baseline: { ...settings.baseline, ...withoutUndefined(baseline) } }),
    ...(cardTesting !== undefined && {
      cardTesting: { ...settings.cardTesting, ...withoutUndefined(cardTesting) },
    }),
    ...(compromisedMerchants !== undefined && {
      compromisedMerchants: { ...settings.compromisedMerchants, ...withoutUndefined(compromisedMerchants) },
    }),
  };
}

type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

function withoutUndefined<T extends object>(value: T): Defined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Defined<T>;
}
