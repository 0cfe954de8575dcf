import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { BankDirectory } from '../ports/bank-directory.ts';
import type { ChannelName } from '../ports/channel.ts';
import type { Clock } from '../ports/clock.ts';
import type { EnrollmentStore } from '../ports/enrollment-store.ts';
import { customerIdSchema } from './bank-event.ts';
import { offeredChannels } from './bank-profile.ts';
import { supportedLocale } from './render-message.ts';
import { customerKeyOf } from './stored-event.ts';
import { parseOrThrow } from './validate.ts';
import * as z from './zod.ts';

/** A link is valid 24 hours by default (docs/contract.md#enrollments). */
export const ENROLLMENT_VALIDITY_SECONDS = 24 * 60 * 60;

export const enrollmentRequestSchema = z.strictObject({
  customerId: customerIdSchema,
  /** The customer's language for Messenger: `fr_FR`, `en_US`... (others get English). */
  locale: z._default(
    z.string().check(z.regex(/^[a-z]{2}_[A-Z]{2}$/, 'Must be a locale such as en_US or fr_FR.')),
    'en_US',
  ),
});

export interface EnrollmentLink {
  readonly enrollmentId: string;
  /** The first offered channel's link (the m.me link when Messenger is offered), as before. */
  readonly link: string;
  /** One link per channel the bank offers; all carry the same single-use token. */
  readonly links: Partial<Record<ChannelName, string>>;
  readonly expiresAt: string;
}

/** A token: 32 random bytes, base64url (43 characters). */
const TOKEN = /(?:^|[^A-Za-z0-9_-])([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/;

/** The enrollment token a customer's text carries (the `wa.me` link's prefilled text), if any. */
export function enrollmentTokenIn(text: string): string | undefined {
  return TOKEN.exec(text)?.[1];
}

/** The text the `wa.me` link prefills: the customer sends it as is, token included. */
export function whatsappEnrollmentText(token: string, locale: string): string {
  return supportedLocale(locale) === 'fr_FR'
    ? `Activer mes alertes carte : ${token}`
    : `Turn on my card alerts: ${token}`;
}

/** SHA-256 of a token, as stored: a leaked table gives no usable link. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Creates a single-use enrollment link for a customer: a random 256-bit, URL-safe token carried
 * by the page's m.me link as `ref` and by the bank's `wa.me` link in its prefilled text, one link
 * per channel the bank offers (docs/channels.md), stored only as its hash, valid 24 hours.
 */
export async function enrollCustomer(
  bankId: string,
  body: unknown,
  ports: {
    readonly enrollments: EnrollmentStore;
    readonly clock: Clock;
    readonly pageId: string;
    /** The bank's channels; Messenger only without it. */
    readonly banks?: BankDirectory;
  },
): Promise<EnrollmentLink> {
  const { customerId, locale } = parseOrThrow(enrollmentRequestSchema, body);
  const bank = await ports.banks?.get(bankId);
  const channels = offeredChannels(bank ?? {});
  const token = randomBytes(32).toString('base64url');
  const now = ports.clock.now();
  const expiresAt = Math.floor(now.getTime() / 1000) + ENROLLMENT_VALIDITY_SECONDS;
  const enrollmentId = `enr_${randomUUID()}`;
  await ports.enrollments.create({
    tokenHash: hashToken(token),
    enrollmentId,
    bankId,
    customerId,
    customerKey: customerKeyOf(bankId, customerId),
    locale,
    createdAt: now.toISOString(),
    expiresAt,
    used: false,
  });
  const messenger = `https://m.me/${ports.pageId}?ref=${token}`;
  const links: Partial<Record<ChannelName, string>> = {};
  for (const channel of channels) {
    if (channel === 'messenger') links.messenger = messenger;
    if (channel === 'whatsapp' && bank?.whatsapp !== undefined) {
      // Click-to-chat: wa.me/<number> with the prefilled text, percent-encoded.
      const text = encodeURIComponent(whatsappEnrollmentText(token, locale));
      links.whatsapp = `https://wa.me/${bank.whatsapp.displayNumber}?text=${text}`;
    }
  }
  // A bank always gets a link: Messenger's when none of its channels could make one.
  if (Object.keys(links).length === 0) links.messenger = messenger;
  return {
    enrollmentId,
    link: Object.values(links)[0] ?? messenger,
    links,
    expiresAt: new Date(expiresAt * 1000).toISOString(),
  };
}
