import { timingSafeEqual } from 'node:crypto';
import { ForbiddenError } from './errors.ts';

/**
 * Meta's subscription check of the webhook (docs/channels.md): `hub.mode=subscribe` with the
 * app's verify token (compared in constant time) is answered with `hub.challenge`; anything else
 * is refused with 403.
 */
export function verifySubscription(
  query: Readonly<Record<string, string | undefined>>,
  verifyToken: string,
): string {
  if (query['hub.mode'] !== 'subscribe' || !sameText(query['hub.verify_token'] ?? '', verifyToken)) {
    throw new ForbiddenError();
  }
  return query['hub.challenge'] ?? '';
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
