import { createHmac } from 'node:crypto';
import type { CompromisedMerchants, ReporterKey } from '../ports/compromised-merchants.ts';
import type { ThresholdStore } from '../ports/threshold-store.ts';
import { DAY_MS } from './activity.ts';
import type { Alert } from './alert.ts';
import {
  cleanText,
  countrySchema,
  customerIdSchema,
  merchantIdSchema,
  opaqueIdSchema,
} from './bank-event.ts';
import { BUILT_IN_THRESHOLDS, historySettings } from './thresholds.ts';
import { parseOrThrow } from './validate.ts';
import * as z from './zod.ts';

// Confirmed fraud fed back by the bank (its chargebacks and investigations, POST
// /v1/banks/{bankId}/fraud-reports) or by the customer answering "No" to an alert: the merchant
// is marked compromised for the bank's `compromisedMerchants.days`, and other customers'
// card-present payments there score `compromisedMerchant` (docs/scoring.md, "Confirmed fraud").

/** A merchant as the bank names it: its own stable id when it has one, else name and country. */
export interface MerchantRef {
  readonly id?: string | undefined;
  readonly name: string;
  readonly country: string;
}

/**
 * A merchant's identity in the marks: `mid:<id>` for a bank's stable merchant id, else
 * `<country>:<NAME>`, the name upper-cased with spaces collapsed. The two never collide: a
 * country code has two letters.
 */
export function merchantKeyOf(merchant: MerchantRef): string {
  if (merchant.id !== undefined) return `mid:${merchant.id}`;
  return `${merchant.country}:${merchant.name.trim().replace(/\s+/g, ' ').toUpperCase()}`;
}

/**
 * A reporter as the marks keep them: 16 characters of an HMAC-SHA256 of the bank and customer ids
 * under the deployment's reporter key. Enough to tell customers apart; without the key, a mark
 * cannot be tied to a customer id, even by hashing guessed ids.
 */
export function reporterOf(key: string, bankId: string, customerId: string): string {
  const input = `${key}\u0000${bankId}\u0000${customerId}`;
  let reporter = reporters.get(input);
  if (reporter === undefined) {
    reporter = createHmac('sha256', key)
      .update(`${bankId}\u0000${customerId}`)
      .digest('base64url')
      .slice(0, 16);
    // Bounded: a scorer sees the same customers again and again; the backtest, all of a bank's.
    if (reporters.size >= MAX_CACHED_REPORTERS) reporters.clear();
    reporters.set(input, reporter);
  }
  return reporter;
}

const MAX_CACHED_REPORTERS = 50_000;
const reporters = new Map<string, string>();

/** The reporter key `vigil backtest` and the tuning bench use offline: no deployment's secret. */
export const OFFLINE_REPORTER_KEY = 'vigil-backtest-offline-reporter-key';

/** One confirmed fraudulent payment, as the fraud-reports route takes it. */
export const fraudReportSchema = z.strictObject({
  transactionId: opaqueIdSchema.check(z.meta({ description: 'The fraudulent payment’s transaction id.' })),
  customerId: customerIdSchema,
  merchant: z
    .strictObject({
      id: z.optional(merchantIdSchema),
      name: cleanText().check(z.trim(), z.minLength(1), z.maxLength(100)),
      country: countrySchema,
    })
    .check(
      z.meta({
        description:
          'The merchant as in the payment’s card.transaction event: with its `id` when the events carry one (the mark is then keyed on it), else its name and country.',
      }),
    ),
});

/** The most reports one request takes (a body is also at most 64 KiB). */
export const MAX_FRAUD_REPORTS = 250;

export const fraudReportBatchSchema = z.strictObject({
  reports: z.array(fraudReportSchema).check(z.minLength(1), z.maxLength(MAX_FRAUD_REPORTS)),
});

export type FraudReport = z.infer<typeof fraudReportSchema>;

export interface FraudFeedbackPorts {
  readonly merchants: CompromisedMerchants;
  readonly thresholds: ThresholdStore;
  readonly reporterKey: ReporterKey;
}

/** What a batch of reports recorded. */
export interface RecordedFraud {
  /** Reports taken (duplicates within the batch included). */
  readonly reports: number;
  /** Distinct merchants marked. */
  readonly merchants: number;
  /** Until when the marks count. */
  readonly until: string;
}

/** Marks written side by side: a full batch takes a few round trips, not one per report. */
const MARK_CONCURRENCY = 16;

/**
 * Marks the merchants of confirmed fraudulent payments as compromised, from `at` for the bank's
 * window. Idempotent: reporting the same payment again changes nothing but, from a later `at`,
 * the end of its window.
 */
export async function recordConfirmedFraud(
  bankId: string,
  reports: readonly FraudReport[],
  at: Date,
  ports: FraudFeedbackPorts,
): Promise<RecordedFraud> {
  const bankDefault = (await ports.thresholds.bankDefault(bankId)) ?? BUILT_IN_THRESHOLDS;
  const until = new Date(at.getTime() + historySettings(bankDefault).compromisedMerchants.days * DAY_MS);
  const key = await ports.reporterKey();
  // One mark per merchant and reporter, whatever the batch repeats.
  const marks = new Map<string, { merchantKey: string; reporter: string }>();
  for (const report of reports) {
    const merchantKey = merchantKeyOf(report.merchant);
    const reporter = reporterOf(key, bankId, report.customerId);
    marks.set(`${merchantKey}\u0000${reporter}`, { merchantKey, reporter });
  }
  const queue = [...marks.values()];
  const worker = async () => {
    for (let mark = queue.shift(); mark !== undefined; mark = queue.shift())
      await ports.merchants.mark(bankId, mark.merchantKey, mark.reporter, until, at);
  };
  await Promise.all(Array.from({ length: Math.min(MARK_CONCURRENCY, queue.length) }, worker));
  return {
    reports: reports.length,
    merchants: new Set([...marks.values()].map((mark) => mark.merchantKey)).size,
    until: until.toISOString(),
  };
}

/**
 * Removes every report the customer made at the bank (their "No" answers and the bank's reports
 * of their payments): part of erasing them (docs/contract.md#erasure).
 */
export async function forgetReporter(
  bankId: string,
  customerId: string,
  ports: Pick<FraudFeedbackPorts, 'merchants' | 'reporterKey'>,
): Promise<void> {
  await ports.merchants.forget(bankId, reporterOf(await ports.reporterKey(), bankId, customerId));
}

/**
 * `POST /v1/banks/{bankId}/fraud-reports` (docs/bank-integration.md, "Confirmed fraud"): the
 * whole batch is validated before anything is marked, so a bad report changes nothing.
 */
export async function reportFraud(
  bankId: string,
  body: unknown,
  now: Date,
  ports: FraudFeedbackPorts,
): Promise<RecordedFraud> {
  const { reports } = parseOrThrow(fraudReportBatchSchema, body);
  return recordConfirmedFraud(bankId, reports, now, ports);
}

/**
 * The reports a "No, it wasn't me" answer makes: the disputed fraud check's payment and every
 * payment that joined the check, each with its merchant. Empty for any other alert, for a
 * transaction that joined a check (the check's first alert speaks for it), and when the alert
 * was disputed already (a redelivered change).
 */
export function reportsOfDisputedAlert(before: Alert | undefined, after: Alert): FraudReport[] {
  if (after.status !== 'disputed' || before?.status === 'disputed') return [];
  if (after.kind !== 'fraud_check' || after.transactionId === undefined) return [];
  if (after.checkId !== undefined && after.checkId !== after.alertId) return [];
  const payments = [
    { transactionId: after.transactionId, display: after.display },
    ...Object.values(after.members ?? {}),
  ];
  return payments.flatMap(({ transactionId, display }) =>
    'merchantName' in display
      ? [
          {
            transactionId,
            customerId: after.customerId,
            merchant: {
              ...(display.merchantId !== undefined && { id: display.merchantId }),
              name: display.merchantName,
              country: display.merchantCountry,
            },
          },
        ]
      : [],
  );
}

/**
 * Records a "No" answer as confirmed fraud, from the time it was given (so a redelivery marks
 * the same window). Returns the merchants marked.
 */
export async function recordDisputedAlert(
  before: Alert | undefined,
  after: Alert,
  now: Date,
  ports: FraudFeedbackPorts,
): Promise<number> {
  const reports = reportsOfDisputedAlert(before, after);
  if (reports.length === 0) return 0;
  const at = after.answeredAt !== undefined ? new Date(after.answeredAt) : now;
  return (await recordConfirmedFraud(after.bankId, reports, at, ports)).merchants;
}
