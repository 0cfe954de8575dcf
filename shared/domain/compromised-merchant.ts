import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CompromisedMerchants } from '../ports/compromised-merchants.ts';
import type { ThresholdStore } from '../ports/threshold-store.ts';
import { DAY_MS } from './activity.ts';
import type { Alert } from './alert.ts';
import { countrySchema, customerIdSchema, opaqueIdSchema } from './bank-event.ts';
import { BUILT_IN_THRESHOLDS, historySettings } from './thresholds.ts';

// Confirmed fraud fed back by the bank (its chargebacks and investigations) or by the customer
// answering "No" to an alert: the merchant is marked compromised for the bank's
// `compromisedMerchantDays`, and other customers' payments there score `compromisedMerchant`.

/** A merchant's identity: its country and its name, upper-cased with spaces collapsed. */
export function merchantKeyOf(name: string, country: string): string {
  return `${country}:${name.trim().replace(/\s+/g, ' ').toUpperCase()}`;
}

/** A reporter is kept as a short hash: enough to tell customers apart, not to name them. */
export function reporterOf(customerId: string): string {
  return createHash('sha256').update(customerId).digest('base64url').slice(0, 16);
}

/** One confirmed fraudulent payment: the body of a future fraud-report route takes a batch of them. */
export const fraudReportSchema = z.strictObject({
  transactionId: opaqueIdSchema,
  customerId: customerIdSchema,
  merchant: z.strictObject({ name: z.string().trim().min(1).max(100), country: countrySchema }),
});

export const fraudReportBatchSchema = z.strictObject({
  reports: z.array(fraudReportSchema).min(1).max(500),
});

export type FraudReport = z.infer<typeof fraudReportSchema>;

export interface FraudFeedbackPorts {
  readonly merchants: CompromisedMerchants;
  readonly thresholds: ThresholdStore;
}

/**
 * Marks the merchants of confirmed fraudulent payments as compromised, from `at` for the bank's
 * window. Idempotent: reporting the same payment again changes nothing more than extending the
 * window from the new time.
 */
export async function recordConfirmedFraud(
  bankId: string,
  reports: readonly FraudReport[],
  at: Date,
  ports: FraudFeedbackPorts,
): Promise<number> {
  const bankDefault = (await ports.thresholds.bankDefault(bankId)) ?? BUILT_IN_THRESHOLDS;
  const until = new Date(at.getTime() + historySettings(bankDefault).compromisedMerchants.days * DAY_MS);
  for (const report of reports) {
    await ports.merchants.mark(
      bankId,
      merchantKeyOf(report.merchant.name, report.merchant.country),
      reporterOf(report.customerId),
      until,
      at,
    );
  }
  return reports.length;
}

/**
 * The report a "No, it wasn't me" answer makes: the disputed fraud check's payment and merchant.
 * Undefined for any other alert.
 */
export function reportOfDisputedAlert(alert: Alert): FraudReport | undefined {
  if (alert.status !== 'disputed' || alert.kind !== 'fraud_check' || alert.transactionId === undefined)
    return undefined;
  if (!('merchantName' in alert.display)) return undefined;
  return {
    transactionId: alert.transactionId,
    customerId: alert.customerId,
    merchant: { name: alert.display.merchantName, country: alert.display.merchantCountry },
  };
}
