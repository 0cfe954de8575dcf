import { Webhook } from 'standardwebhooks';

export interface SignedRequest {
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

// Verifying against a throwaway key when a bank is unknown costs the same time as a real check,
// so response times do not reveal which bank ids exist.
const DECOY_SECRET = `whsec_${Buffer.from('vigil-decoy-key-never-valid-0000').toString('base64')}`;
const verifiers = new Map<string, Webhook>();

/**
 * True when the request carries a valid Standard Webhooks signature by any of the secrets, with
 * a timestamp within 5 minutes of now. The signature header may hold several signatures.
 */
export function verifyBankSignature(secrets: readonly string[], request: SignedRequest): boolean {
  const headers = {
    'webhook-id': request.headers['webhook-id'] ?? '',
    'webhook-timestamp': request.headers['webhook-timestamp'] ?? '',
    'webhook-signature': request.headers['webhook-signature'] ?? '',
  };
  let valid = false;
  for (const secret of secrets.length > 0 ? secrets : [DECOY_SECRET]) {
    try {
      verifierFor(secret).verify(request.body, headers, { jsonParse: false });
      valid = secrets.length > 0;
    } catch {
      // Not this secret; during a rotation the next one may match.
    }
  }
  return valid;
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
