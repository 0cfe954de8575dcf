import { ISO_COUNTRY_CODES } from './iso-countries.ts';
import * as z from './zod.ts';

// The bank event contract of docs/contract.md#events. Objects are strict: an unknown field is an error, so a
// bank that sends more than Vigil needs learns it at once instead of leaking data silently.

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** A bank's id in URLs and secret names: lower-case letters, digits and dashes. */
export const bankIdPattern = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** An opaque reference chosen by the bank (a customer or transaction id). */
export const opaqueIdPattern = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A delivery's `webhook-id`: the event id and idempotency key. */
export const eventIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/;

export const opaqueIdSchema = z
  .string()
  .check(z.regex(opaqueIdPattern, 'Must be 1 to 64 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-".'));

/** The bank's opaque customer reference: never a name, e-mail or phone number. */
export const customerIdSchema = opaqueIdSchema.check(
  z.meta({ description: "The bank's opaque customer reference: never a name, e-mail or phone number" }),
);

export const currencySchema = z.string().check(
  z.refine((code) => /^[A-Z]{3}$/.test(code) && CURRENCIES.has(code), 'Must be an ISO 4217 currency code.'),
  z.meta({ description: 'ISO 4217 currency code', pattern: '^[A-Z]{3}$', examples: ['EUR'] }),
);

export const countrySchema = z.string().check(
  z.refine((code) => ISO_COUNTRY_CODES.has(code), 'Must be an ISO 3166-1 alpha-2 country code.'),
  z.meta({ description: 'ISO 3166-1 alpha-2 country code', pattern: '^[A-Z]{2}$', examples: ['FR'] }),
);

/**
 * Characters refused in any text a bank sends: controls (line breaks and tabs included), format
 * characters (zero-width and bidirectional controls such as U+202E), line and paragraph
 * separators, private-use characters and lone surrogates. Each could rewrite how a message reads.
 */
export const UNSAFE_TEXT_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/u;

/** A free text field: refused (with its path) when it holds an unsafe character. */
export function cleanText() {
  return z
    .string()
    .check(
      z.refine(
        (text) => !UNSAFE_TEXT_CHARACTERS.test(text),
        'Must not contain control, format (zero-width, bidirectional) or separator characters.',
      ),
    );
}

/** The bank's stable id of a merchant (its acquirer's merchant id, say): keys confirmed-fraud marks. */
export const merchantIdSchema = opaqueIdSchema.check(
  z.meta({
    description:
      "Optional: your stable id of the merchant (e.g. the acquirer's merchant id). When present, confirmed-fraud marks key on it instead of name and country.",
  }),
);

export const mccSchema = z.string().check(z.regex(/^\d{4}$/, 'Must be a 4-digit merchant category code.'));

const last4Schema = z.string().check(z.regex(/^\d{4}$/, 'Must be exactly the last 4 digits.'));
/** An amount in the currency's minor units: an integer number of cents for EUR. */
export const MINOR_UNITS_MESSAGE = 'Must be an integer amount in minor units (cents): 12500 for 125.00.';
const minorUnits = z
  .int({ error: (issue) => (issue.input === undefined ? 'Required.' : MINOR_UNITS_MESSAGE) })
  .check(z.minimum(-Number.MAX_SAFE_INTEGER), z.maximum(Number.MAX_SAFE_INTEGER));
/** When it happened: ISO 8601 with its offset (`Z` or `+01:00`), which says which instant it was. */
export const occurredAtSchema = z.isoDateTime({
  offset: true,
  error: (issue) => {
    if (issue.input === undefined) return 'Required.';
    if (
      typeof issue.input === 'string' &&
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(issue.input)
    ) {
      return 'The time zone offset is missing: add Z for UTC or the offset, e.g. 2026-11-29T10:00:00Z or 2026-11-29T11:00:00+01:00.';
    }
    return 'Must be an ISO 8601 date and time with its offset, e.g. 2026-11-29T10:00:00Z.';
  },
});

export const transactionChannels = ['card_present', 'card_not_present', 'atm', 'transfer'] as const;

export const cardTransactionEventSchema = z.strictObject({
  type: z.literal('card.transaction'),
  customerId: customerIdSchema,
  occurredAt: occurredAtSchema,
  transaction: z.strictObject({
    id: opaqueIdSchema,
    cardLast4: last4Schema,
    amount: minorUnits.check(z.minimum(0)),
    currency: currencySchema,
    merchant: z.strictObject({
      id: z.optional(merchantIdSchema),
      name: cleanText().check(z.trim(), z.minLength(1), z.maxLength(100)),
      mcc: mccSchema,
      country: countrySchema,
    }),
    channel: z.enum(transactionChannels),
    status: z.enum(['authorized', 'declined']),
  }),
});

export const accountBalanceEventSchema = z.strictObject({
  type: z.literal('account.balance'),
  customerId: customerIdSchema,
  occurredAt: occurredAtSchema,
  balance: z.strictObject({
    accountLast4: last4Schema,
    available: minorUnits,
    currency: currencySchema,
  }),
});

export const bankEventSchema = z.discriminatedUnion('type', [
  cardTransactionEventSchema,
  accountBalanceEventSchema,
]);

export type CardTransactionEvent = z.infer<typeof cardTransactionEventSchema>;
export type AccountBalanceEvent = z.infer<typeof accountBalanceEventSchema>;
export type BankEvent = z.infer<typeof bankEventSchema>;
