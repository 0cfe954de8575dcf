import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignatureDiagnosis } from './admin-signature.ts';

export interface SignedRequest {
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

/** Standard Webhooks' tolerance, both ways. */
const TOLERANCE_SECONDS = 300;

// Verifying against a throwaway key when a bank is unknown costs the same time as a real check,
// so response times do not reveal which bank ids exist.
const DECOY_SECRET = `whsec_${Buffer.from('vigil-decoy-key-never-valid-0000').toString('base64')}`;
const SECRET_PREFIX = 'whsec_';
/** Decoded keys by secret; undefined for a secret that is not canonical base64. */
const keys = new Map<string, Buffer | undefined>();

/**
 * True when the request carries a valid Standard Webhooks signature by any of the secrets, with
 * a timestamp within 5 minutes of now. The signature header may hold several signatures.
 */
export function verifyBankSignature(
  secrets: readonly string[],
  request: SignedRequest,
  now: Date = new Date(),
): boolean {
  return diagnoseBankSignature(secrets, request, now) === undefined;
}

/**
 * Why a Standard Webhooks signature is refused, or undefined when it is valid. The timestamp must
 * be a plain integer of seconds (no sign, fraction, spaces or leading zeros), as the reference
 * implementations require; the library alone would read `"<ts>abc"` as `<ts>`.
 */
export function diagnoseBankSignature(
  secrets: readonly string[],
  request: SignedRequest,
  now: Date,
): SignatureDiagnosis | undefined {
  const id = request.headers['webhook-id'] ?? '';
  const timestamp = request.headers['webhook-timestamp'] ?? '';
  const signature = request.headers['webhook-signature'] ?? '';
  if (id === '' || timestamp === '' || signature === '') {
    const admin =
      request.headers['signature-input'] === undefined
        ? ''
        : ' (HTTP Message Signatures sign administration requests only)';
    return {
      check: 'missing-signature',
      detail: `webhook-id, webhook-timestamp and webhook-signature are required${admin}.`,
    };
  }
  if (!/^[1-9][0-9]{0,15}$/.test(timestamp)) {
    return {
      check: 'header-format',
      detail:
        'webhook-timestamp must be a plain integer of seconds since 1970 (not milliseconds, no spaces, sign, fraction or leading zeros).',
    };
  }
  const skew = Math.floor(now.getTime() / 1000) - Number(timestamp);
  if (Math.abs(skew) > TOLERANCE_SECONDS) {
    const hint = Number(timestamp) > 1e11 ? ' It looks like milliseconds: send seconds.' : '';
    const when = skew > 0 ? `${skew} s in the past` : `${-skew} s in the future`;
    return {
      check: 'timestamp-skew',
      detail: `webhook-timestamp is ${when}; the tolerance is ${TOLERANCE_SECONDS} s.${hint}`,
      skewSeconds: skew,
    };
  }
  const entries = signature.split(' ');
  if (!entries.some((entry) => /^v1,[A-Za-z0-9+/]+={0,2}$/.test(entry))) {
    return {
      check: 'header-format',
      detail:
        'webhook-signature must hold space-separated "v1,<base64>" entries (a comma after v1, not "=").',
    };
  }
  let valid = false;
  for (const secret of secrets.length > 0 ? secrets : [DECOY_SECRET]) {
    // Every secret is tried (no early exit), so the time taken does not tell which one matched.
    if (signatureMatches(secret, id, timestamp, request.body, signature)) valid = secrets.length > 0;
  }
  if (valid) return undefined;
  if (secrets.length === 0)
    return { check: 'unknown-bank', detail: 'No event signing secret exists for this bank id.' };
  return {
    check: 'signature-mismatch',
    detail: `No signature matches webhook-id.webhook-timestamp.body under the bank's ${secrets.length === 1 ? 'secret' : `${secrets.length} secrets`} (wrong secret, or the body changed after signing).`,
  };
}

/**
 * Standard Webhooks' check, as the `standardwebhooks` library does it but on `node:crypto`:
 * HMAC-SHA256 with the base64 key after `whsec_`, over `<id>.<timestamp>.<body>` (the body read
 * as UTF-8, as the library reads it), compared in constant time with each space-separated
 * `v1,<base64>` entry; other versions are skipped. The timestamp's tolerance is checked by the
 * caller. test/unit/signature-equivalence.test.ts checks it against the library on random inputs.
 */
export function signatureMatches(
  secret: string,
  id: string,
  timestamp: string,
  body: Buffer,
  signatureHeader: string,
): boolean {
  const key = keyOf(secret);
  if (key === undefined) return false;
  const expected = Buffer.from(
    createHmac('sha256', key)
      .update(`${id}.${Number.parseInt(timestamp, 10)}.${body.toString()}`)
      .digest('base64'),
  );
  let matched = false;
  for (const entry of signatureHeader.split(' ')) {
    const [version, signature = ''] = entry.split(',');
    if (version !== 'v1') continue;
    const given = Buffer.from(signature);
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}

/**
 * A Standard Webhooks signature entry, `v1,<base64>`, as the library's `Webhook.sign` makes it but
 * on `node:crypto` (no pure-JS HMAC in the bundles that sign callbacks): HMAC-SHA256 under the
 * secret's key over `<id>.<seconds>.<body>`. Throws for a secret that is not a canonical
 * `whsec_<base64>` key, as the library throws for one it cannot decode.
 * test/unit/signature-equivalence.test.ts checks it against the library on random inputs.
 */
export function standardWebhookSignature(secret: string, id: string, at: Date, body: string): string {
  const key = keyOf(secret);
  if (key === undefined) throw new TypeError('A Standard Webhooks secret is whsec_ and canonical base64.');
  const seconds = Math.floor(at.getTime() / 1000);
  return `v1,${createHmac('sha256', key).update(`${id}.${seconds}.${body}`).digest('base64')}`;
}

/** The HMAC key of a `whsec_<base64>` secret (the prefix is optional), cached. */
function keyOf(secret: string): Buffer | undefined {
  if (keys.has(secret)) return keys.get(secret);
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  // Only canonical base64 (Vigil's secrets are): a key Buffer would read leniently is refused.
  const usable = key.length > 0 && key.toString('base64') === encoded ? key : undefined;
  if (keys.size > 1000) keys.clear();
  keys.set(secret, usable);
  return usable;
}
