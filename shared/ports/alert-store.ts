import type { Alert, DeliveryReport } from '../domain/alert.ts';
import type { ChannelName } from './channel.ts';

/** A bank's customer, whose alerts a store finds. */
export type AlertCustomer = Pick<Alert, 'bankId' | 'customerId'>;

export interface SentFields {
  /** The customer's address on the channel. */
  readonly address: string;
  /** The subscriber's channel; absent for Messenger. */
  readonly channel?: ChannelName;
  readonly messageId: string;
  readonly sentAt: string;
  /** When an unanswered fraud check expires; absent for notices that need no answer. */
  readonly deadline?: string;
}

export interface FiledCheck {
  /** The check the alert belongs to: the id of its first alert. */
  readonly checkId: string;
  /** True when this call stored the alert (false for a redelivery). */
  readonly created: boolean;
}

/** Alerts, one per id; every status change is conditional, so none goes backwards. */
export interface AlertStore {
  /** Stores the alert unless one with its id exists; true when this call created it. */
  createOnce(alert: Alert): Promise<boolean>;
  /**
   * Files a fraud check's alert: it opens the customer's fraud check when none is open, else it
   * joins the open one (status `grouped`). At most one check per customer is open, by conditional
   * writes; a check that closes meanwhile is never joined. Idempotent per alert id.
   */
  fileFraudCheck(alert: Alert, now: Date): Promise<FiledCheck>;
  /**
   * Takes the given members of a sent check for a follow-up message, once, and no sooner than
   * `gapMs` after the last follow-up; false when another took them or it is too soon or closed.
   */
  claimFollowUp(checkId: string, memberIds: readonly string[], now: Date, gapMs: number): Promise<boolean>;
  /**
   * Counts one alert message to the customer in the current clock hour, unless `limit` were
   * already sent in it: false then, and nothing is counted.
   */
  takeMessageSlot(customer: AlertCustomer, now: Date, limit: number): Promise<boolean>;
  get(alertId: string): Promise<Alert | undefined>;
  /**
   * The customer's alert that an opaque reference (a quick reply's, a delivery status's) points
   * to; undefined for another customer's, and for a fraud check's member (its message is the check's).
   */
  byRef(customer: AlertCustomer, ref: string): Promise<Alert | undefined>;
  /**
   * Takes a pending alert for sending, once: the number of this attempt, or undefined when the
   * alert is not pending or another attempt holds it.
   */
  claimSend(alertId: string, now: Date): Promise<number | undefined>;
  /** Gives a claim back after a transient failure, for the next attempt. */
  releaseSend(alertId: string): Promise<void>;
  /** pending → sent. */
  markSent(alertId: string, fields: SentFields): Promise<void>;
  /** pending → undeliverable. */
  markUndeliverable(alertId: string, reason: string, at: Date): Promise<void>;
  /**
   * sent → confirmed or disputed, by the customer it was sent to; false when it is no longer open.
   * Closing a fraud check (answer, expiry, undeliverable) also ends it as the customer's open one.
   */
  answer(alertId: string, status: 'confirmed' | 'disputed', address: string, at: Date): Promise<boolean>;
  /**
   * Records a channel's delivery report of the alert's message (docs/channels.md): each of
   * `deliveredAt`, `readAt`, `deliveryFailedAt` is set once, the first time; a `read` implies
   * `delivered`. False when the alert does not exist or its message is another one.
   */
  recordDelivery(alertId: string, messageId: string, report: DeliveryReport): Promise<boolean>;
  /** Sent alerts of a bank whose deadline has passed, oldest first. */
  openPastDeadline(bankId: string, now: Date, limit: number): Promise<string[]>;
  /** sent → expired, once the deadline has passed; false when no longer open. */
  expire(alertId: string, at: Date): Promise<boolean>;
}
