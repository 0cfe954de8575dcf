import type { ChannelName } from '../ports/channel.ts';

/**
 * The longest bank name: with it, the longest merchant name and amount, every message in every
 * locale stays within Messenger's limits (test/unit/render-message.test.ts checks it).
 */
export const MAX_BANK_NAME_LENGTH = 80;

/** A bank as Vigil shows it to customers and calls it back. */
export interface BankProfile {
  readonly bankId: string;
  /** Shown to customers: "ACME Bank". */
  readonly name: string;
  readonly callbackUrl?: string;
  /** Time zone of the times shown in messages, e.g. Europe/Paris. */
  readonly timeZone?: string;
  /** Minutes a customer has to answer a fraud check (docs/contract.md#alert-lifecycle: 60 by default). */
  readonly alertExpiryMinutes?: number;
  /**
   * At most this many alert messages (fraud checks, follow-ups, notices) to one customer per
   * clock hour; beyond it, fraud checks and notices are `undeliverable` (`rate_limited`) and
   * follow-ups are skipped. Replies to what the customer writes do not count.
   */
  readonly maxMessagesPerHour?: number;
  /** The bank's approved Messenger utility template, for alerts outside the 24 h window. */
  readonly utilityTemplate?: UtilityTemplate;
  /**
   * The channels the bank offers its customers, in the order its app shows them; Messenger only
   * unless set (docs/channels.md).
   */
  readonly channels?: readonly ChannelName[];
  /** The bank's WhatsApp Business phone number, for the WhatsApp channel. */
  readonly whatsapp?: WhatsAppSettings;
  /** When set, the bank's requests are accepted only from these addresses or CIDR blocks. */
  readonly allowedSourceIps?: readonly string[];
  /**
   * When set, the bank's requests must carry a client certificate with this subject, verified by
   * the API's custom domain with mutual TLS (docs/operator-guide.md).
   */
  readonly clientCertificateSubject?: string;
}

/**
 * A utility message template approved for the bank's page. `parameters` lists, in the order of
 * the template's `{{1}}`, `{{2}}`... placeholders, which alert field fills each one.
 */
export interface UtilityTemplate {
  readonly name: string;
  readonly language: string;
  readonly parameters: readonly TemplateParameter[];
}

/** A bank's WhatsApp Business phone number and its approved utility template. */
export interface WhatsAppSettings {
  /** The Cloud API's id of the phone number that sends (`POST /{version}/{phoneNumberId}/messages`). */
  readonly phoneNumberId: string;
  /** The number customers write to, digits only with the country code: the `wa.me` link's. */
  readonly displayNumber: string;
  /**
   * The approved utility template with two quick-reply buttons (Yes, then No), for fraud checks
   * outside the 24 h customer service window.
   */
  readonly template?: UtilityTemplate;
}

/** The channels a bank offers: Messenger only unless it set them. */
export function offeredChannels(bank: Pick<BankProfile, 'channels'>): readonly ChannelName[] {
  return bank.channels ?? ['messenger'];
}

export type TemplateParameter = 'bankName' | 'cardLast4' | 'amount' | 'merchant' | 'time';

export const DEFAULT_ALERT_EXPIRY_MINUTES = 60;

/** Alert messages per customer per hour unless the bank sets another ceiling. */
export const DEFAULT_MAX_MESSAGES_PER_HOUR = 10;
export const MAX_MESSAGES_PER_HOUR = 100;

/** The bank's name as shown in messages: a name stored before the cap was set is cut to it. */
export function displayBankName(name: string): string {
  const chars = [...name];
  return chars.length <= MAX_BANK_NAME_LENGTH
    ? name
    : `${chars.slice(0, MAX_BANK_NAME_LENGTH - 1).join('')}…`;
}
