import type { ChannelName } from '../ports/channel.ts';

/** pending_consent: the customer opened the bank's link; active: agreed; revoked: said STOP. */
export type SubscriberStatus = 'pending_consent' | 'active' | 'revoked';

/** The version of the consent text the customer agreed to; change it when the text changes. */
export const CONSENT_VERSION = 'consent-v1';

/**
 * Meta's standard messaging window, Messenger's and WhatsApp's customer service window alike:
 * free-form messages within 24 h of the customer's last message.
 */
export const MESSAGING_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface Subscriber {
  readonly bankId: string;
  readonly customerId: string;
  /**
   * The customer's address on their channel: Messenger's page-scoped id, or their WhatsApp id
   * (a phone number). Personal data: never logged, never sent to the bank.
   */
  readonly address: string;
  /** The channel of the address; absent for Messenger (subscriptions stored before channels). */
  readonly channel?: ChannelName;
  readonly status: SubscriberStatus;
  readonly locale: string;
  readonly enrollmentId: string;
  readonly consentVersion?: string;
  readonly consentedAt?: string;
  /** The customer's last message to the page, ISO time: opens the 24 h window. */
  readonly lastInboundAt?: string;
  readonly updatedAt: string;
  /**
   * Another person who opened a fresh link for this customer while the subscription is
   * active: they take it over only when they agree; until then alerts go to `address`.
   */
  readonly pendingAddress?: string;
  readonly pendingChannel?: ChannelName;
  readonly pendingEnrollmentId?: string;
  readonly pendingLocale?: string;
}

/** True when a normal (non-template) message may be sent now. */
export function insideMessagingWindow(
  subscriber: Pick<Subscriber, 'lastInboundAt'>,
  now: Date,
  windowMs = MESSAGING_WINDOW_MS,
): boolean {
  if (subscriber.lastInboundAt === undefined) return false;
  return now.getTime() - Date.parse(subscriber.lastInboundAt) < windowMs;
}
