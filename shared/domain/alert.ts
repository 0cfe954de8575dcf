import { randomBytes } from 'node:crypto';
import type { ChannelName } from '../ports/channel.ts';
import type { Decision, Reason } from './fraud-rules.ts';
import { customerKeyOf, type StoredEvent } from './stored-event.ts';

/** Alerts are kept 90 days (docs/contract.md#privacy): long enough for a bank's dispute process. */
export const ALERT_RETENTION_SECONDS = 90 * 24 * 60 * 60;

export type AlertKind = 'fraud_check' | 'low_balance';
/**
 * `grouped`: a suspicious transaction that joined an open fraud check (docs/scoring.md, "Fraud
 * checks"); the check's outcome is its outcome, told to the bank when the check closes.
 */
export type AlertStatus =
  | 'pending'
  | 'sent'
  | 'confirmed'
  | 'disputed'
  | 'expired'
  | 'undeliverable'
  | 'grouped';

/** A transaction that joined an open fraud check, as the check keeps it. */
export interface CheckMember {
  readonly transactionId: string;
  readonly score: number;
  readonly reasons: readonly Reason[];
  readonly display: AlertDisplay;
  readonly joinedAt: string;
  readonly erasureRef?: string;
  readonly receivedAt?: string;
}

/** Gap between two follow-up messages of one fraud check. */
export const FOLLOW_UP_GAP_MS = 10 * 60_000;

/** What the alert message shows: masked, and only what the customer agreed to see. */
export type AlertDisplay =
  | {
      readonly cardLast4: string;
      readonly amount: number;
      readonly currency: string;
      readonly merchantName: string;
      readonly merchantCountry: string;
      /** The bank's stable merchant id, when the event had one (not shown to the customer). */
      readonly merchantId?: string;
      readonly occurredAt: string;
    }
  | {
      readonly accountLast4: string;
      readonly available: number;
      readonly currency: string;
      readonly occurredAt: string;
    };

/** A channel's report on a sent message: reached the phone, opened, or failed on the way. */
export interface DeliveryReport {
  readonly status: 'delivered' | 'read' | 'failed';
  readonly at: Date;
  readonly errorCode?: number;
}

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
  readonly address?: string;
  /** The channel it was sent on; absent for Messenger. */
  readonly channel?: ChannelName;
  readonly messageId?: string;
  /** The channel's delivery reports (WhatsApp's message statuses), each the first time. */
  readonly deliveredAt?: string;
  readonly readAt?: string;
  readonly deliveryFailedAt?: string;
  /** The platform's error code of a failed delivery. */
  readonly deliveryError?: number;
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
  /**
   * The fraud check this transaction belongs to: the id of the check's first alert (its own id
   * when it opened the check).
   */
  readonly checkId?: string;
  /** On a check's first alert: the transactions that joined it, by their alert id. */
  readonly members?: Readonly<Record<string, CheckMember>>;
  /** On a check's first alert: members already summarised in a follow-up, and when the last went. */
  readonly summarized?: ReadonlySet<string>;
  readonly lastFollowUpAt?: string;
}

/**
 * The item that holds a customer's one open fraud check, in the alerts table: its id is the
 * customer's, so a conditional put makes at most one (docs/scoring.md, "Fraud checks").
 */
export function openCheckKey(bankId: string, customerId: string): string {
  return `${bankId}#open-check#${customerId}`;
}

/**
 * A pending alert no send has claimed: notify-customer sends it when its item is written or
 * changed (how `vigil redrive` resends one), so nothing else may rewrite it.
 */
export function awaitingSend(alert: Pick<Alert, 'status' | 'sendClaimedAt'>): boolean {
  return alert.status === 'pending' && alert.sendClaimedAt === undefined;
}

/** The counter of alert messages sent to a customer in one clock hour (`2026-11-29T10`). */
export function messageCounterKey(bankId: string, customerId: string, now: Date): string {
  return `${bankId}#messages#${customerId}#${now.toISOString().slice(0, 13)}`;
}

/** A message counter is kept this long after its last count (its TTL). */
export const MESSAGE_COUNTER_TTL_SECONDS = 2 * 60 * 60;

const HOUR_MS = 60 * 60 * 1000;

/**
 * How far back erasure looks for a customer's message counters, in hours: the counter of an
 * hour is counted up to the hour's end and kept MESSAGE_COUNTER_TTL_SECONDS after that (3 hours
 * in all), and DynamoDB removes an expired item some time after its TTL (typically within two
 * days): 48 hours more for that, and one for the writers' clock skew.
 */
export const MESSAGE_COUNTER_ERASURE_HOURS_BACK = 1 + MESSAGE_COUNTER_TTL_SECONDS / 3600 + 48 + 1;

/**
 * The keys of every message counter of the customer that may still be stored at `now`: they are
 * in no index (docs/decisions/0017-one-alerts-index-by-customer-and-ref.md), so erasure deletes
 * them by key. From `hoursBack` hours back to the next hour (a writer whose clock is ahead),
 * oldest first.
 */
export function messageCounterKeysOf(
  bankId: string,
  customerId: string,
  now: Date,
  hoursBack = MESSAGE_COUNTER_ERASURE_HOURS_BACK,
): string[] {
  const hour = Math.floor(now.getTime() / HOUR_MS);
  const keys: string[] = [];
  for (let h = hour - hoursBack; h <= hour + 1; h++) {
    keys.push(messageCounterKey(bankId, customerId, new Date(h * HOUR_MS)));
  }
  return keys;
}

/** A transaction that joins an open check, as the check keeps it. */
export function checkMember(alert: Alert, joinedAt: Date): CheckMember {
  return {
    transactionId: alert.transactionId ?? '',
    score: alert.score ?? 0,
    reasons: alert.reasons,
    display: alert.display,
    joinedAt: joinedAt.toISOString(),
    ...(alert.erasureRef !== undefined && { erasureRef: alert.erasureRef, receivedAt: alert.receivedAt }),
  };
}

/** Members of a check not yet summarised in a follow-up, oldest first. */
export function unsummarizedMembers(alert: Alert): [string, CheckMember][] {
  const summarized = alert.summarized ?? new Set<string>();
  return Object.entries(alert.members ?? {})
    .filter(([alertId]) => !summarized.has(alertId))
    .sort(([a, x], [b, y]) => x.joinedAt.localeCompare(y.joinedAt) || a.localeCompare(b));
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
      ...(transaction.merchantId !== undefined && { merchantId: transaction.merchantId }),
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
