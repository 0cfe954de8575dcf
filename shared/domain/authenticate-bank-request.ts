import type { BankDirectory } from '../ports/bank-directory.ts';
import type { BankSecrets } from '../ports/bank-secrets.ts';
import { type Caller, checkBankAccess } from './bank-access.ts';
import { bankIdPattern } from './bank-event.ts';
import {
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
}

// Two kinds of bank request, each with ONE authentication: events, signed with Standard Webhooks
// (`authenticateBankEvent`, here), and administration requests, signed with HTTP Message
// Signatures (`authenticateAdminRequest` in `authenticate-admin-request.ts`, apart so that the
// event function bundles none of the RFC 9421 libraries). Both start with `checkBeforeSignature`.

/**
 * The checks every bank request passes first, cheapest first, before anything is read or
 * written: size, the PAN guard on headers and path, then the content type when there is a body
 * (unless the request kind takes no body: that body is refused once the signature is checked).
 */
export function checkBeforeSignature(request: BankRequest, bodyless = false): void {
  if (request.body.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  refusePanOutsideBody(request);
  if (request.body.length > 0 && !bodyless && !isJsonContentType(request.headers['content-type'])) {
    throw new UnsupportedMediaTypeError();
  }
}

/**
 * An event request (docs/contract.md#events): `checkBeforeSignature`, then the Standard Webhooks
 * signature with the bank's event signing secrets, then (given the bank directory) the bank's
 * source IP allow-list and client certificate.
 */
export async function authenticateBankEvent(
  request: BankRequest,
  secrets: BankSecrets,
  banks?: BankDirectory,
): Promise<void> {
  checkBeforeSignature(request);
  const bankSecrets = bankIdPattern.test(request.bankId) ? await secrets.signingSecrets(request.bankId) : [];
  const diagnosis = diagnoseBankSignature(bankSecrets, request, new Date());
  if (diagnosis !== undefined) throw new UnauthorizedError(diagnosis);
  if (banks !== undefined) checkBankAccess(await banks.get(request.bankId), request);
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
