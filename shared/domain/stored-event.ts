import { createHash } from 'node:crypto';
import type { BankEvent } from './bank-event.ts';

/** Events are kept only as long as scoring and redrive can need them (docs/contract.md#privacy). */
export const EVENT_RETENTION_SECONDS = 7 * 24 * 60 * 60;

export type EventStatus = 'received' | 'scored';

export interface StoredTransaction {
  readonly id: string;
  readonly cardLast4: string;
  readonly amount: number;
  readonly currency: string;
  readonly merchantName: string;
  /** The bank's stable merchant id, when the event had one. */
  readonly merchantId?: string;
  readonly mcc: string;
  readonly country: string;
  readonly channel: string;
  readonly status: string;
}

export interface StoredBalance {
  readonly accountLast4: string;
  readonly available: number;
  readonly currency: string;
}

/**
 * What Vigil keeps of a bank event: the fields scoring and the alert text need, never the raw
 * payload, with a hash of the body to tell a retry from a conflicting reuse of the event id.
 */
export interface StoredEvent {
  /** `<bankId>#<eventId>`: the table key, unique per bank and event id. */
  readonly eventKey: string;
  readonly bankId: string;
  readonly eventId: string;
  /** `<bankId>#<customerId>`: finds a customer's events to erase them. */
  readonly customerKey: string;
  readonly type: BankEvent['type'];
  readonly customerId: string;
  readonly occurredAt: string;
  readonly receivedAt: string;
  readonly bodyHash: string;
  readonly status: EventStatus;
  /** The keyed hash checked against erasure markers (docs/security.md, "Erasure"). */
  readonly erasureRef?: string;
  /** DynamoDB TTL, epoch seconds. */
  readonly expiresAt: number;
  readonly transaction?: StoredTransaction;
  readonly balance?: StoredBalance;
}

/**
 * Reduces a validated bank event to the record Vigil stores. A replay that stores nothing (the
 * backtest) may pass its own `bodyHash` and skip hashing; `erasureRef` ties the record to its
 * customer's erasure marker.
 */
export function toStoredEvent(
  bankId: string,
  eventId: string,
  event: BankEvent,
  receivedAt: Date,
  { erasureRef, bodyHash = hashEvent(event) }: { erasureRef?: string; bodyHash?: string } = {},
): StoredEvent {
  // Built field by field, without rest or conditional spreads: the backtest makes one per event.
  const common: { -readonly [K in keyof StoredEvent]: StoredEvent[K] } = {
    eventKey: eventKeyOf(bankId, eventId),
    bankId,
    eventId,
    customerKey: customerKeyOf(bankId, event.customerId),
    type: event.type,
    customerId: event.customerId,
    occurredAt: event.occurredAt,
    receivedAt: receivedAt.toISOString(),
    bodyHash,
    status: 'received',
    expiresAt: Math.floor(receivedAt.getTime() / 1000) + EVENT_RETENTION_SECONDS,
  };
  if (erasureRef !== undefined) common.erasureRef = erasureRef;
  if (event.type === 'account.balance') {
    const { accountLast4, available, currency } = event.balance;
    common.balance = { accountLast4, available, currency };
    return common;
  }
  const { id, cardLast4, amount, currency, merchant, channel, status } = event.transaction;
  const transaction: { -readonly [K in keyof StoredTransaction]: StoredTransaction[K] } = {
    id,
    cardLast4,
    amount,
    currency,
    merchantName: merchant.name,
    mcc: merchant.mcc,
    country: merchant.country,
    channel,
    status,
  };
  if (merchant.id !== undefined) transaction.merchantId = merchant.id;
  common.transaction = transaction;
  return common;
}

/** The key that finds everything Vigil holds on a bank's customer. */
export function customerKeyOf(bankId: string, customerId: string): string {
  return `${bankId}#${customerId}`;
}

/** The events table key of a bank's event. */
export function eventKeyOf(bankId: string, eventId: string): string {
  return `${bankId}#${eventId}`;
}

/**
 * SHA-256 of the event in canonical JSON (keys sorted), so that a retry whose JSON differs only
 * in key order or whitespace still counts as the same body.
 */
export function hashEvent(event: BankEvent): string {
  return createHash('sha256').update(canonicalJson(event)).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
