import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createSigner, createVerifier, httpbis } from 'http-message-signatures';
import { type InnerList, isInnerList, parseDictionary, Token } from 'structured-headers';

// Administration requests are signed with HTTP Message Signatures (RFC 9421, hmac-sha256) over
// the method, authority, path, query and, with a body, its Content-Digest (RFC 9530), with
// `created`, `nonce` and `keyid` parameters (docs/decisions/0007-admin-request-signatures.md).

/** How far `created` may be from Vigil's clock, either way. */
export const ADMIN_SIGNATURE_TOLERANCE_SECONDS = 300;

/** The components every administration signature covers; `content-digest` too when there is a body. */
export const ADMIN_COVERED_COMPONENTS = ['@method', '@authority', '@path', '@query'] as const;

/** A bank-chosen nonce: 16 to 128 characters, URL-safe. */
export const NONCE_PATTERN = /^[A-Za-z0-9_~.+/=-]{16,128}$/;

const ADMIN_KEY_PREFIX = 'vadm_';

export interface AdminRequest {
  readonly method: string;
  /** Host (and port, when not the scheme's default) the client addressed. */
  readonly authority: string;
  /** The path as sent, percent-encoding included. */
  readonly path: string;
  /** The query string without `?`; empty when there is none. */
  readonly query: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

/** Which check refused a request: for the operator's log and `vigil events verify`, never the client. */
export interface SignatureDiagnosis {
  readonly check:
    | 'missing-signature'
    | 'header-format'
    | 'covered-components'
    | 'parameters'
    | 'timestamp-skew'
    | 'unknown-bank'
    | 'unknown-key'
    | 'content-digest'
    | 'signature-mismatch'
    | 'nonce-reuse'
    | 'replay';
  readonly detail: string;
  /** Seconds between the signature's time and Vigil's clock (positive: in the past). */
  readonly skewSeconds?: number;
}

export type AdminVerification =
  | { readonly valid: true; readonly keyid: string; readonly nonce: string; readonly created: number }
  | { readonly valid: false; readonly diagnosis: SignatureDiagnosis };

export { isAdminKey } from './admin-key.ts';

/** The HMAC key bytes of an administration key. */
export function adminKeyBytes(key: string): Buffer {
  return Buffer.from(key.slice(ADMIN_KEY_PREFIX.length), 'base64');
}

/** The `keyid` that names an administration key: derived from it, so it cannot go out of step. */
export function adminKeyId(key: string): string {
  return `adm_${createHash('sha256').update(adminKeyBytes(key)).digest('hex').slice(0, 16)}`;
}

/** RFC 9530 `Content-Digest` of a body, with SHA-256. */
export function contentDigest(body: Buffer | string): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/**
 * Checks an administration request's signature against the bank's administration keys (one, or
 * two during a rotation; none when the bank is unknown), cheapest checks first. The nonce is
 * only checked for form here; the caller claims it.
 */
export async function verifyAdminRequest(
  request: AdminRequest,
  keys: readonly string[],
  now: Date,
): Promise<AdminVerification> {
  const refuse = (check: SignatureDiagnosis['check'], detail: string, skewSeconds?: number) => ({
    valid: false as const,
    diagnosis: { check, detail, ...(skewSeconds !== undefined && { skewSeconds }) },
  });
  const inputHeader = request.headers['signature-input'];
  const signatureHeader = request.headers.signature;
  if (inputHeader === undefined || signatureHeader === undefined) {
    const hint =
      request.headers['webhook-signature'] === undefined ? '' : ' (Standard Webhooks signs events only)';
    return refuse('missing-signature', `Signature and Signature-Input headers are required${hint}.`);
  }
  let input: InnerList;
  let label: string;
  try {
    const inputs = parseDictionary(inputHeader);
    const signatures = parseDictionary(signatureHeader);
    if (inputs.size !== 1) return refuse('header-format', 'Signature-Input must hold exactly one signature.');
    const [entry] = [...inputs.entries()];
    if (entry === undefined || !isInnerList(entry[1])) {
      return refuse('header-format', 'Signature-Input is not a list of components with parameters.');
    }
    [label, input] = [entry[0], entry[1]];
    const signature = signatures.get(label)?.[0];
    if (!(signature instanceof ArrayBuffer)) {
      return refuse('header-format', `Signature has no byte sequence labelled ${label} (:base64:).`);
    }
  } catch {
    return refuse(
      'header-format',
      'Signature or Signature-Input is not a valid structured field dictionary.',
    );
  }

  const [items, parameters] = input;
  const components = items.map(([name]) => name);
  const required = [...ADMIN_COVERED_COMPONENTS, ...(request.body.length > 0 ? ['content-digest'] : [])];
  const uncovered = required.filter((name) => !components.includes(name));
  if (uncovered.length > 0) return refuse('covered-components', `Not covered: ${uncovered.join(', ')}.`);

  const created = parameters.get('created');
  const nonce = parameters.get('nonce');
  const keyid = parameters.get('keyid');
  const alg = parameters.get('alg');
  if (typeof created !== 'number' || !Number.isInteger(created)) {
    return refuse('parameters', 'The created parameter (integer seconds) is required.');
  }
  if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) {
    return refuse(
      'parameters',
      'The nonce parameter is required: 16 to 128 URL-safe characters, new for each request.',
    );
  }
  if (typeof keyid !== 'string') return refuse('parameters', 'The keyid parameter (a string) is required.');
  if (alg !== undefined && !(typeof alg === 'string' && alg === 'hmac-sha256')) {
    return refuse(
      'parameters',
      `alg must be "hmac-sha256" when given, not ${String(alg instanceof Token ? alg.toString() : alg)}.`,
    );
  }

  const skew = Math.floor(now.getTime() / 1000) - created;
  if (Math.abs(skew) > ADMIN_SIGNATURE_TOLERANCE_SECONDS) {
    const when = skew > 0 ? `${skew} s in the past` : `${-skew} s in the future`;
    return refuse(
      'timestamp-skew',
      `created is ${when}; the tolerance is ${ADMIN_SIGNATURE_TOLERANCE_SECONDS} s.`,
      skew,
    );
  }
  if (keys.length === 0) return refuse('unknown-bank', 'No administration key exists for this bank id.');
  const key = keys.find((candidate) => adminKeyId(candidate) === keyid);
  if (key === undefined) {
    return refuse('unknown-key', `keyid ${keyid} is not a current administration key of this bank.`);
  }

  const digest = request.headers['content-digest'];
  if (digest !== undefined || request.body.length > 0) {
    const problem = contentDigestProblem(digest, request.body);
    if (problem !== undefined) return refuse('content-digest', problem);
  }

  const url = `https://${request.authority}${request.path}${request.query === '' ? '' : `?${request.query}`}`;
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const verifier = createVerifier(adminKeyBytes(key), 'hmac-sha256');
  let verified: boolean | null;
  try {
    verified = await httpbis.verifyMessage(
      {
        keyLookup: async (params) =>
          params.keyid === keyid ? { id: keyid, algs: ['hmac-sha256'], verify: verifier } : null,
        // Time was checked above against Vigil's clock, with the tolerance both ways.
        notAfter: Number.MAX_SAFE_INTEGER,
      },
      { method: request.method, url, headers },
    );
  } catch (error) {
    return refuse('header-format', `The signature base cannot be built: ${(error as Error).message}.`);
  }
  if (verified !== true) {
    return refuse(
      'signature-mismatch',
      `The ${label} signature does not match this method, authority, path, query and digest under keyid ${keyid}.`,
    );
  }
  return { valid: true, keyid, nonce, created };
}

/** Why a Content-Digest does not vouch for the body, or undefined when it does. */
function contentDigestProblem(header: string | undefined, body: Buffer): string | undefined {
  if (header === undefined) return 'A body needs a Content-Digest header (sha-256=:base64:).';
  let digests: Map<string, unknown>;
  try {
    digests = parseDictionary(header);
  } catch {
    return 'Content-Digest is not a structured field dictionary (sha-256=:base64:).';
  }
  const algorithms = { 'sha-256': 'sha256', 'sha-512': 'sha512' } as const;
  const known = [...digests.entries()].filter(([name]) => Object.hasOwn(algorithms, name));
  if (known.length === 0) return 'Content-Digest holds no sha-256 or sha-512 digest.';
  for (const [name, item] of known) {
    const value = (item as [unknown])[0];
    const expected = createHash(algorithms[name as keyof typeof algorithms])
      .update(body)
      .digest();
    if (!(value instanceof ArrayBuffer) || !sameBytes(Buffer.from(value), expected)) {
      return `Content-Digest ${name} does not match the body received.`;
    }
  }
  return undefined;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new administration key: `vadm_` and 32 random bytes in base64. */
export function newAdminKey(): string {
  return `${ADMIN_KEY_PREFIX}${randomBytes(32).toString('base64')}`;
}

export interface AdminSignOptions {
  readonly created?: Date;
  readonly nonce?: string;
  /** Signs under this keyid instead of the key's own (tests of a wrong keyid). */
  readonly keyid?: string;
}

/**
 * The headers that sign an administration request as a bank does: Content-Digest when there is a
 * body, Signature-Input and Signature (label `sig`) under the administration key.
 */
export async function signAdminRequest(
  key: string,
  request: { readonly method: string; readonly url: string; readonly body?: Buffer | string | undefined },
  options: AdminSignOptions = {},
): Promise<Record<string, string>> {
  const body = request.body === undefined ? '' : request.body;
  const headers: Record<string, string> = body.length > 0 ? { 'content-digest': contentDigest(body) } : {};
  const keyid = options.keyid ?? adminKeyId(key);
  const signed = await httpbis.signMessage(
    {
      key: { ...createSigner(adminKeyBytes(key), 'hmac-sha256', keyid), alg: 'hmac-sha256' },
      name: 'sig',
      params: ['created', 'nonce', 'keyid', 'alg'],
      fields: [...ADMIN_COVERED_COMPONENTS, ...(body.length > 0 ? ['content-digest'] : [])],
      paramValues: {
        created: options.created ?? new Date(),
        nonce: options.nonce ?? randomBytes(18).toString('base64url'),
        keyid,
      },
    },
    { method: request.method, url: request.url, headers },
  );
  return Object.fromEntries(
    Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), [value].flat().join(', ')]),
  );
}
