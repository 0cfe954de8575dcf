import { createHash } from 'node:crypto';
import type { BankDirectory } from '../ports/bank-directory.ts';
import type { BankSecrets } from '../ports/bank-secrets.ts';
import { verifyAdminRequest } from './admin-signature.ts';
import { type Caller, checkBankAccess } from './bank-access.ts';
import { bankIdPattern } from './bank-event.ts';
import {
  BodyNotAllowedError,
  ExponentNumberError,
  MalformedJsonError,
  PanDetectedError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from './errors.ts';
import { ExponentNumberFound, jsonContainsPan, panOutsideBody } from './pan-guard.ts';
import { diagnoseBankSignature, type SignedRequest } from './verify-bank-signature.ts';

export const MAX_BODY_BYTES = 64 * 1024;

export interface BankRequest extends SignedRequest, Caller {
  readonly bankId: string;
  /** Every path parameter (the bank's id, a customer's id...), read by the PAN guard. */
  readonly pathParameters?: Readonly<Record<string, string | undefined>>;
  /**
   * For administration requests, what their HTTP Message Signature covers; events (without it)
   * are signed with Standard Webhooks.
   */
  readonly admin?: AdminTarget;
}

export interface AdminTarget {
  readonly method: string;
  readonly authority: string;
  /** The path and query as received, percent-encoding included; query without `?`. */
  readonly path: string;
  readonly query: string;
  readonly now: Date;
}

/** An authenticated administration request: its nonce, and a fingerprint of what it asks. */
export interface AdminAuthentication {
  readonly nonce: string;
  /** The signature's `created`, seconds: each signature is used once. */
  readonly created: number;
  readonly fingerprint: string;
}

/**
 * The checks every bank request passes, cheapest first, before anything is read or written:
 * size, the PAN guard on headers and path, content type (when there is a body), then the
 * signature: Standard Webhooks with the event signing secret for events, HTTP Message Signatures
 * (RFC 9421) with the administration key for everything else, where GET and DELETE must then
 * carry no body; then (given the bank directory) the bank's source IP allow-list and client
 * certificate.
 */
export async function authenticateBankRequest(
  request: BankRequest,
  secrets: BankSecrets,
  banks?: BankDirectory,
): Promise<AdminAuthentication | undefined> {
  if (request.body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  refusePanOutsideBody(request);
  const { admin } = request;
  const bodyless = admin !== undefined && (admin.method === 'GET' || admin.method === 'DELETE');
  // A GET or DELETE body is refused as such (400) once signed, whatever its content type.
  if (request.body.length > 0 && !bodyless && !isJsonContentType(request.headers['content-type'])) {
    throw new UnsupportedMediaTypeError();
  }
  const knownId = bankIdPattern.test(request.bankId);
  if (admin === undefined) {
    const bankSecrets = knownId ? await secrets.signingSecrets(request.bankId) : [];
    const diagnosis = diagnoseBankSignature(bankSecrets, request, new Date());
    if (diagnosis !== undefined) throw new UnauthorizedError(diagnosis);
    if (banks !== undefined) checkBankAccess(await banks.get(request.bankId), request);
    return undefined;
  }
  const keys = knownId ? await secrets.adminKeys(request.bankId) : [];
  const verification = await verifyAdminRequest(
    { ...admin, headers: request.headers, body: request.body },
    keys,
    admin.now,
  );
  if (!verification.valid) throw new UnauthorizedError(verification.diagnosis);
  if (banks !== undefined) checkBankAccess(await banks.get(request.bankId), request);
  // After the signature, so that a captured request moved to another route is refused as such.
  if (bodyless && request.body.length > 0) throw new BodyNotAllowedError(admin.method);
  return {
    nonce: verification.nonce,
    created: verification.created,
    fingerprint: requestFingerprint(admin, request.body),
  };
}

/**
 * The PAN guard on headers and path parameters, before anything (a secret's name included) is
 * looked up with them.
 */
export function refusePanOutsideBody(
  request: Pick<BankRequest, 'bankId' | 'headers' | 'pathParameters'>,
): void {
  const where = panOutsideBody(request.headers, { bankId: request.bankId, ...request.pathParameters });
  if (where !== undefined) throw new PanDetectedError(where);
}

/** What a nonce was used for: method, path, query and body, hashed. */
function requestFingerprint(admin: AdminTarget, body: Buffer): string {
  const bodyHash = createHash('sha256').update(body).digest('base64url');
  return createHash('sha256')
    .update([admin.method, admin.authority, admin.path, admin.query, bodyHash].join('\n'))
    .digest('base64url');
}

/**
 * The body of an authenticated request as JSON, refused when it is not UTF-8 JSON or when it
 * holds what looks like a card number (the PAN guard).
 */
export function readJsonBody(body: Buffer): unknown {
  const text = decodeUtf8(body);
  const json = parseJson(text);
  if (containsPan(text)) throw new PanDetectedError();
  return json;
}

function containsPan(json: string): boolean {
  try {
    return jsonContainsPan(json);
  } catch (error) {
    if (error instanceof ExponentNumberFound) throw new ExponentNumberError();
    throw error;
  }
}

/** `application/json` or `application/<anything>+json`, optionally with a UTF-8 charset. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [mediaType = '', ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  if (!/^application\/(?:[a-z0-9.+-]+\+)?json$/.test(mediaType)) return false;
  return parameters.every(
    (parameter) => !parameter.startsWith('charset=') || /^charset="?utf-8"?$/.test(parameter),
  );
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeUtf8(body: Buffer): string {
  try {
    return strictUtf8.decode(body);
  } catch {
    throw new MalformedJsonError();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedJsonError();
  }
}
