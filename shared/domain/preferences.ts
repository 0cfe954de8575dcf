import { normalizedWords } from './commands.ts';
import type { Decision, Reason, TransactionFacts } from './fraud-rules.ts';
import { ISO_COUNTRY_CODES } from './iso-countries.ts';
import type { Thresholds } from './thresholds.ts';
import * as z from './zod.ts';

// What a customer sets for themselves in the chat (docs/channels.md, "Customer controls"): a
// travel notice, and their own alert amount. A customer may only make alerts more frequent,
// never silence the bank's rules; the one exception they ask for by name is the travel notice,
// which silences `foreignCountry` for one country until a date.

/** The longest a travel notice may last. */
export const MAX_TRAVEL_DAYS = 365;

const travelSchema = z.strictObject({
  country: z.string().check(z.regex(/^[A-Z]{2}$/)),
  /** The notice ends at this instant (the end of the last day, UTC). */
  until: z.isoDateTime({ offset: true }),
});

const alertsOverSchema = z.strictObject({
  /** Minor units of `currency`, the bank's threshold currency. */
  amount: z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
});

export const preferencesSchema = z.strictObject({
  travel: z.optional(travelSchema),
  alertsOver: z.optional(alertsOverSchema),
  updatedAt: z.isoDateTime({ offset: true }),
});

export type CustomerPreferences = z.infer<typeof preferencesSchema>;
export type TravelNotice = z.infer<typeof travelSchema>;
export type AlertsOver = z.infer<typeof alertsOverSchema>;

/** A travel notice in force at this time (it ends by itself at `until`). */
export function activeTravel(
  preferences: CustomerPreferences | undefined,
  at: Date,
): TravelNotice | undefined {
  const travel = preferences?.travel;
  return travel !== undefined && at.getTime() < Date.parse(travel.until) ? travel : undefined;
}

/**
 * The thresholds for one transaction with the customer's travel notice: the country they travel
 * to counts as home while the notice lasts. A bank with the foreignCountry rule off (no home
 * countries) keeps it off.
 */
export function withTravelNotice(
  thresholds: Thresholds,
  preferences: CustomerPreferences | undefined,
  at: Date,
): Thresholds {
  const travel = activeTravel(preferences, at);
  if (travel === undefined || thresholds.homeCountries.length === 0) return thresholds;
  if (thresholds.homeCountries.includes(travel.country)) return thresholds;
  return { ...thresholds, homeCountries: [...thresholds.homeCountries, travel.country] };
}

/**
 * The decision with the customer's own alert amount: a payment over it asks the customer even
 * when the bank's rules would not, with the reason `customerAlertAmount`. It never removes an
 * alert.
 */
export function withCustomerAlertAmount(
  decision: Decision,
  transaction: TransactionFacts,
  preferences: CustomerPreferences | undefined,
): Decision {
  const over = preferences?.alertsOver;
  if (decision.alert || over === undefined) return decision;
  if (transaction.currency !== over.currency || transaction.amount <= over.amount) return decision;
  const reason: Reason = {
    rule: 'customerAlertAmount',
    observed: transaction.amount,
    limit: over.amount,
    currency: over.currency,
  };
  return { ...decision, alert: true, reasons: [...decision.reasons, reason] };
}

// Reading what the customer writes.

/** "50", "50.5", "€50", "50 €", "50,00": minor units (two decimals), or undefined. */
export function parseAmount(text: string): number | undefined {
  const match = /^\s*[€$£]?\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*(?:€|\$|£|EUR|USD|GBP)?\s*$/i.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

const countryNames = new Map<string, string>();
for (const locale of ['en', 'fr']) {
  const names = new Intl.DisplayNames([locale], { type: 'region' });
  for (const code of ISO_COUNTRY_CODES) {
    const name = names.of(code);
    if (name !== undefined) countryNames.set(normalizedWords(name), code);
  }
}

/** "ES", "es", "Spain", "Espagne": the ISO country code, or undefined. */
export function parseCountry(text: string): string | undefined {
  const words = normalizedWords(text);
  if (/^[A-Z]{2}$/.test(words) && ISO_COUNTRY_CODES.has(words)) return words;
  return countryNames.get(words);
}

/** The country's name in the customer's language. */
export function countryName(code: string, locale: string): string {
  return (
    new Intl.DisplayNames([locale.toLowerCase().startsWith('fr') ? 'fr' : 'en'], { type: 'region' }).of(
      code,
    ) ?? code
  );
}

/**
 * "2026-12-20" or "20/12/2026": the end of that day (UTC), if it is after `now` and within
 * MAX_TRAVEL_DAYS; else undefined.
 */
export function parseUntil(text: string, now: Date): string | undefined {
  const iso = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(text);
  const european = /^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*$/.exec(text);
  const [year, month, day] = iso
    ? [iso[1], iso[2], iso[3]]
    : european
      ? [european[3], european[2], european[1]]
      : [];
  if (year === undefined || month === undefined || day === undefined) return undefined;
  const end = Date.UTC(Number(year), Number(month) - 1, Number(day) + 1);
  const date = new Date(end - 1);
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1) return undefined;
  return endWithin(end, now);
}

/** The end of the day `days` from now (UTC). */
export function untilInDays(days: number, now: Date): string {
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days + 1);
  return new Date(end).toISOString();
}

function endWithin(end: number, now: Date): string | undefined {
  if (end <= now.getTime() || end - now.getTime() > (MAX_TRAVEL_DAYS + 1) * 86_400_000) return undefined;
  return new Date(end).toISOString();
}
