import { randomBytes } from 'node:crypto';
import type { Decision, Reason } from './score-transaction.ts';
import { customerKeyOf, type StoredEvent } from './stored-event.ts';

/** Alerts are kept 90 days (docs/contract.md#privacy): long enough for a bank's dispute process. */
export const ALERT_RETENTION_SECONDS = 90 * 24 * 60 * 60;

export type AlertKind = 'fraud_check' | 'low_balance';
export type AlertStatus = 'pending' | 'sent' | 'confirmed' | 'disputed' | 'expired' | 'undeliverable';

/** What the alert message shows: masked, and only what the customer agreed to see. */
export type AlertDisplay =
  | {
      readonly cardLast4: string;
      readonly amount: number;
      readonly currency: string;
      readonly merchantName: string;
      readonly merchantCountry: string;
      readonly occurredAt: string;
    }
  | {
      readonly accountLast4: string;
      readonly available: number;
      readonly currency: string;
      readonly occurredAt: string;
    };

export interface Alert {
  readonly alertId: string;
  /**
   * Random and opaque: the quick replies carry it to Messenger instead of the alert id, which
   * holds the bank's transaction id.
   */
  readonly ref: string;
  readonly bankId: string;
  readonly customerId: string;
  readonly customerKey: string;
  readonly kind: AlertKind;
  readonly status: AlertStatus;
  /** The bank event that raised it. */
  readonly eventId: string;
  readonly transactionId?: string;
  readonly score?: number;
  readonly reasons: readonly Reason[];
  readonly display: AlertDisplay;
  readonly createdAt: string;
  /** The event's erasure ref and reception time, checked against erasure markers. */
  readonly erasureRef?: string;
  readonly receivedAt?: string;
  /** DynamoDB TTL, epoch seconds. */
  readonly expiresAt: number;
  /** Set when the message is sent: to whom, Meta's message id, and the answer deadline. */
  readonly psid?: string;
  readonly messageId?: string;
  readonly sentAt?: string;
  readonly deadline?: string;
  /** Why the customer could not be reached, when `undeliverable`. */
  readonly undeliverableReason?: string;
  readonly answeredAt?: string;
  readonly expiredAt?: string;
  /** Set while a send is in flight (decision 5). */
  readonly sendClaimedAt?: string;
  /** When it became undeliverable. */
  readonly updatedAt?: string;
}

/** One fraud check per transaction, whatever is redelivered: the id is the transaction's. */
export function fraudAlertId(bankId: string, transactionId: string): string {
  return `${bankId}#txn#${transactionId}`;
}

/** One low-balance notice per crossing: the id is the crossing event's. */
export function lowBalanceAlertId(bankId: string, eventId: string): string {
  return `${bankId}#balance#${eventId}`;
}

/** The "Was this you?" alert for a scored transaction. */
export function fraudCheckAlert(event: StoredEvent, decision: Decision, now: Date): Alert {
  const transaction = event.transaction;
  if (transaction === undefined) throw new TypeError('A fraud check needs a card transaction.');
  return {
    ...alertBase(event, now),
    alertId: fraudAlertId(event.bankId, transaction.id),
    kind: 'fraud_check',
    transactionId: transaction.id,
    score: decision.score,
    reasons: decision.reasons,
    display: {
      cardLast4: transaction.cardLast4,
      amount: transaction.amount,
      currency: transaction.currency,
      merchantName: transaction.merchantName,
      merchantCountry: transaction.country,
      occurredAt: event.occurredAt,
    },
  };
}

/** The notice for a balance that went below the bank's limit. */
export function lowBalanceAlert(event: StoredEvent, limit: number, now: Date): Alert {
  const balance = event.balance;
  if (balance === undefined) throw new TypeError('A low-balance notice needs a balance event.');
  return {
    ...alertBase(event, now),
    alertId: lowBalanceAlertId(event.bankId, event.eventId),
    kind: 'low_balance',
    reasons: [{ rule: 'lowBalance', observed: balance.available, limit, currency: balance.currency }],
    display: {
      accountLast4: balance.accountLast4,
      available: balance.available,
      currency: balance.currency,
      occurredAt: event.occurredAt,
    },
  };
}

function alertBase(event: StoredEvent, now: Date) {
  return {
    ref: randomBytes(16).toString('base64url'),
    bankId: event.bankId,
    customerId: event.customerId,
    customerKey: customerKeyOf(event.bankId, event.customerId),
    status: 'pending' as const,
    eventId: event.eventId,
    ...(event.erasureRef !== undefined && { erasureRef: event.erasureRef, receivedAt: event.receivedAt }),
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + ALERT_RETENTION_SECONDS,
  };
}
