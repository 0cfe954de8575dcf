import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * True when `X-Hub-Signature-256` is `sha256=` and the hex HMAC-SHA256 of the raw body under the
 * app secret, compared in constant time.
 */
export function verifyMetaSignature(appSecret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', appSecret).update(body).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The header value Meta sends for a body; for the emulator and tests. */
export function metaSignature(appSecret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}
