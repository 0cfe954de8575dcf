/** pending_consent: the customer opened the bank's link; active: agreed; revoked: said STOP. */
export type SubscriberStatus = 'pending_consent' | 'active' | 'revoked';

/** The version of the consent text the customer agreed to; change it when the text changes. */
export const CONSENT_VERSION = 'consent-v1';

/** Meta's standard messaging window: free-form messages within 24 h of the customer's last message. */
export const MESSAGING_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface Subscriber {
  readonly bankId: string;
  readonly customerId: string;
  /** The customer's page-scoped id: how Messenger addresses them, and all Meta knows of them. */
  readonly psid: string;
  readonly status: SubscriberStatus;
  readonly locale: string;
  readonly enrollmentId: string;
  readonly consentVersion?: string;
  readonly consentedAt?: string;
  /** The customer's last message to the page, ISO time: opens the 24 h window. */
  readonly lastInboundAt?: string;
  readonly updatedAt: string;
  /**
   * Another Messenger user who opened a fresh link for this customer while the subscription is
   * active: they take it over only when they agree; until then alerts go to `psid`.
   */
  readonly pendingPsid?: string;
  readonly pendingEnrollmentId?: string;
  readonly pendingLocale?: string;
}

/** True when a normal (non-template) message may be sent now. */
export function insideMessagingWindow(subscriber: Pick<Subscriber, 'lastInboundAt'>, now: Date): boolean {
  if (subscriber.lastInboundAt === undefined) return false;
  return now.getTime() - Date.parse(subscriber.lastInboundAt) < MESSAGING_WINDOW_MS;
}
