import { createHash } from 'node:crypto';
import type { BankDirectory } from '../ports/bank-directory.ts';
import type { BankSecrets } from '../ports/bank-secrets.ts';
import { verifyAdminRequest } from './admin-signature.ts';
import { type BankRequest, checkBeforeSignature } from './authenticate-bank-request.ts';
import { checkBankAccess } from './bank-access.ts';
import { bankIdPattern } from './bank-event.ts';
import { BodyNotAllowedError, UnauthorizedError } from './errors.ts';

// The authentication of the bank's administration requests (HTTP Message Signatures, RFC 9421:
// docs/decisions/0007-admin-request-signatures.md); events have theirs in
// `authenticate-bank-request.ts`, which both start from.

/** An administration request: a bank request and what its HTTP Message Signature covers. */
export interface AdminBankRequest extends BankRequest {
  readonly admin: AdminTarget;
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
 * An administration request: `checkBeforeSignature` (GET and DELETE take no body, so their
 * content type is not asked for), then the HTTP Message Signature with the bank's administration
 * keys, then (given the bank directory) the bank's source IP allow-list and client certificate,
 * then a GET or DELETE with a body is refused (400).
 */
export async function authenticateAdminRequest(
  request: AdminBankRequest,
  secrets: BankSecrets,
  banks?: BankDirectory,
): Promise<AdminAuthentication> {
  const { admin } = request;
  const bodyless = admin.method === 'GET' || admin.method === 'DELETE';
  // A GET or DELETE body is refused as such (400) once signed, whatever its content type.
  checkBeforeSignature(request, bodyless);
  const keys = bankIdPattern.test(request.bankId) ? await secrets.adminKeys(request.bankId) : [];
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

/** What a nonce was used for: method, path, query and body, hashed. */
function requestFingerprint(admin: AdminTarget, body: Buffer): string {
  const bodyHash = createHash('sha256').update(body).digest('base64url');
  return createHash('sha256')
    .update([admin.method, admin.authority, admin.path, admin.query, bodyHash].join('\n'))
    .digest('base64url');
}
