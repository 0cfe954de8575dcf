import { createHash, createHmac } from 'node:crypto';
import { type ChannelName, channelOf } from '../ports/channel.ts';
import type { Alert, AlertStatus, CheckMember } from './alert.ts';
import type { CustomerPreferences } from './preferences.ts';
import type { Subscriber } from './subscriber.ts';

// The callbacks of docs/contract.md#callbacks: every alert status change and every subscription change becomes one
// Standard Webhooks request to the bank. Its id (the `webhook-id`) is derived from what changed,
// so a redelivered stream record makes the same callback, which the outbox stores once.

export type CallbackType =
  | 'customer.subscribed'
  | 'customer.unsubscribed'
  | 'customer.preferences_changed'
  | 'alert.sent'
  | 'alert.delivered'
  | 'alert.confirmed'
  | 'alert.disputed'
  | 'alert.expired'
  | 'alert.undeliverable';

export interface BankCallback {
  /** The `webhook-id`, stable across retries. */
  readonly id: string;
  readonly bankId: string;
  readonly type: CallbackType;
  readonly occurredAt: string;
  readonly data: Record<string, unknown>;
}

const ALERT_CALLBACKS: Partial<Record<AlertStatus, CallbackType>> = {
  sent: 'alert.sent',
  confirmed: 'alert.confirmed',
  disputed: 'alert.disputed',
  expired: 'alert.expired',
  undeliverable: 'alert.undeliverable',
};

/** A stable, opaque callback id. */
export function callbackId(...parts: string[]): string {
  return `cb_${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32)}`;
}

/** The callback for an alert's status change, if the new status is one the bank hears of. */
export function alertCallback(before: Alert | undefined, after: Alert, now: Date): BankCallback | undefined {
  if (before?.status === after.status) return undefined;
  const type = ALERT_CALLBACKS[after.status];
  if (type === undefined) return undefined;
  return {
    id: callbackId(after.alertId, after.status),
    bankId: after.bankId,
    type,
    occurredAt: changedAt(after) ?? now.toISOString(),
    data: {
      ...alertData(after),
      ...(after.undeliverableReason !== undefined && { reason: after.undeliverableReason }),
    },
  };
}

/** What every callback about an alert says of it. */
function alertData(alert: Alert) {
  return {
    alertId: alert.alertId,
    customerId: alert.customerId,
    kind: alert.kind,
    ...(alert.transactionId !== undefined && { transactionId: alert.transactionId }),
    ...(alert.score !== undefined && { score: alert.score }),
    reasons: alert.reasons,
    ...(alert.checkId !== undefined && { checkId: alert.checkId }),
  };
}

/** The outcomes a fraud check passes on to every transaction that joined it. */
const CHECK_OUTCOMES: ReadonlySet<AlertStatus> = new Set([
  'confirmed',
  'disputed',
  'expired',
  'undeliverable',
]);

/**
 * The callbacks of an alert's status change: the alert's own, and when a fraud check closes, one
 * more per transaction that joined it, with the check's outcome and each transaction's own id,
 * score and reasons (docs/bank-integration.md, "Fraud checks"). Each has its own stable id.
 */
export function alertCallbacks(before: Alert | undefined, after: Alert, now: Date): BankCallback[] {
  const delivered = deliveredCallback(before, after);
  const own = alertCallback(before, after, now);
  if (own === undefined) return delivered === undefined ? [] : [delivered];
  if (!CHECK_OUTCOMES.has(after.status) || after.checkId !== after.alertId) return [own];
  const members = Object.entries(after.members ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return [own, ...members.map(([alertId, member]) => memberCallback(after, alertId, member, own))];
}

/**
 * `alert.delivered`: the channel reported the alert's message on the customer's phone (WhatsApp's
 * `delivered` or `read` status; docs/channels.md), once per alert, when it is first recorded.
 */
export function deliveredCallback(before: Alert | undefined, after: Alert): BankCallback | undefined {
  if (after.deliveredAt === undefined || before?.deliveredAt !== undefined) return undefined;
  return {
    id: callbackId(after.alertId, 'delivered'),
    bankId: after.bankId,
    type: 'alert.delivered',
    occurredAt: after.deliveredAt,
    data: alertData(after),
  };
}

function memberCallback(check: Alert, alertId: string, member: CheckMember, own: BankCallback): BankCallback {
  return {
    id: callbackId(alertId, check.status),
    bankId: check.bankId,
    type: own.type,
    occurredAt: own.occurredAt,
    data: {
      alertId,
      customerId: check.customerId,
      kind: 'fraud_check',
      transactionId: member.transactionId,
      score: member.score,
      reasons: member.reasons,
      checkId: check.alertId,
      ...(check.undeliverableReason !== undefined && { reason: check.undeliverableReason }),
    },
  };
}

function changedAt(alert: Alert): string | undefined {
  switch (alert.status) {
    case 'sent':
      return alert.sentAt;
    case 'confirmed':
    case 'disputed':
      return alert.answeredAt;
    case 'expired':
      return alert.expiredAt;
    default:
      return alert.updatedAt;
  }
}

/**
 * A stable, non-reversible reference to the person behind a subscription: a keyed hash of the
 * channel and address (a page-scoped id, a WhatsApp id) under a per-deployment key, so that a bank sees when the person
 * changed without ever learning the address.
 */
export function subscriberRef(key: string, channel: ChannelName, address: string): string {
  return `sr_${createHmac('sha256', key).update(`${channel}:${address}`).digest('base64url').slice(0, 32)}`;
}

/**
 * The callback for a subscription change: `customer.subscribed` when it becomes active or moves
 * to another person (a new `subscriberRef`), `customer.unsubscribed` when an active one is
 * revoked (STOP) or erased. A refused consent is no subscription, so the bank hears nothing of it.
 */
export function subscriberCallback(
  before: Subscriber | undefined,
  after: Subscriber | undefined,
  now: Date,
  refOf: (address: string, channel: ChannelName) => string,
): BankCallback | undefined {
  const wasActive = before?.status === 'active';
  const isActive = after?.status === 'active';
  const subject = after ?? before;
  const moved =
    wasActive &&
    isActive &&
    (before?.address !== after?.address || channelOf(before ?? {}) !== channelOf(after ?? {}));
  if (subject === undefined || (wasActive === isActive && !moved)) return undefined;
  const consent = (isActive ? after?.consentedAt : before?.consentedAt) ?? '';
  const type: CallbackType = isActive ? 'customer.subscribed' : 'customer.unsubscribed';
  return {
    id: callbackId(subject.bankId, subject.customerId, consent, type),
    bankId: subject.bankId,
    type,
    occurredAt: (isActive ? after?.consentedAt : after?.updatedAt) ?? now.toISOString(),
    data: {
      customerId: subject.customerId,
      channel: channelOf(subject),
      subscriberRef: refOf(subject.address, channelOf(subject)),
      ...(isActive && { consentVersion: after?.consentVersion }),
      ...(!isActive && { reason: after === undefined ? 'erased' : 'stopped' }),
    },
  };
}

/**
 * The callback for a customer's change of their own controls in the chat: their preferences as
 * they are now (docs/bank-integration.md, "Customer preferences"). Its id is derived from the
 * change's time, so a retried enqueue of one change is stored once.
 */
export function preferencesCallback(
  bankId: string,
  customerId: string,
  preferences: CustomerPreferences,
): BankCallback {
  return {
    id: callbackId(bankId, customerId, 'preferences', preferences.updatedAt),
    bankId,
    type: 'customer.preferences_changed',
    occurredAt: preferences.updatedAt,
    data: {
      customerId,
      ...(preferences.travel !== undefined && { travel: preferences.travel }),
      ...(preferences.alertsOver !== undefined && { alertsOver: preferences.alertsOver }),
    },
  };
}
