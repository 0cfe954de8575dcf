import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../ports/clock.ts';
import type { EnrollmentStore } from '../ports/enrollment-store.ts';
import { customerIdSchema } from './bank-event.ts';
import { customerKeyOf } from './stored-event.ts';
import { parseOrThrow } from './validate.ts';

/** A link is valid 24 hours by default (docs/contract.md#enrollments). */
export const ENROLLMENT_VALIDITY_SECONDS = 24 * 60 * 60;

export const enrollmentRequestSchema = z.strictObject({
  customerId: customerIdSchema,
  /** The customer's language for Messenger: `fr_FR`, `en_US`... (others get English). */
  locale: z
    .string()
    .regex(/^[a-z]{2}_[A-Z]{2}$/, 'Must be a locale such as en_US or fr_FR.')
    .default('en_US'),
});

export interface EnrollmentLink {
  readonly enrollmentId: string;
  readonly link: string;
  readonly expiresAt: string;
}

/** SHA-256 of a token, as stored: a leaked table gives no usable link. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Creates a single-use enrollment link for a customer: a random 256-bit, URL-safe token carried
 * by the page's m.me link as `ref`, stored only as its hash, valid 24 hours.
 */
export async function enrollCustomer(
  bankId: string,
  body: unknown,
  ports: { readonly enrollments: EnrollmentStore; readonly clock: Clock; readonly pageId: string },
): Promise<EnrollmentLink> {
  const { customerId, locale } = parseOrThrow(enrollmentRequestSchema, body);
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
  return {
    enrollmentId,
    link: `https://m.me/${ports.pageId}?ref=${token}`,
    expiresAt: new Date(expiresAt * 1000).toISOString(),
  };
}
