import { Webhook } from 'standardwebhooks';
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
const verifiers = new Map<string, Webhook>();

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
  const headers = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
  let valid = false;
  for (const secret of secrets.length > 0 ? secrets : [DECOY_SECRET]) {
    try {
      verifierFor(secret).verify(request.body, headers, { jsonParse: false });
      valid = secrets.length > 0;
    } catch {
      // Not this secret; during a rotation the next one may match.
    }
  }
  if (valid) return undefined;
  if (secrets.length === 0)
    return { check: 'unknown-bank', detail: 'No event signing secret exists for this bank id.' };
  return {
    check: 'signature-mismatch',
    detail: `No signature matches webhook-id.webhook-timestamp.body under the bank's ${secrets.length === 1 ? 'secret' : `${secrets.length} secrets`} (wrong secret, or the body changed after signing).`,
  };
}

function verifierFor(secret: string): Webhook {
  let verifier = verifiers.get(secret);
  if (verifier === undefined) {
    verifier = new Webhook(secret);
    if (verifiers.size > 1000) verifiers.clear();
    verifiers.set(secret, verifier);
  }
  return verifier;
}
