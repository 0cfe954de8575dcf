import { readFile } from 'node:fs/promises';
import { verifyAdminRequest } from '../shared/domain/admin-signature.ts';
import { diagnoseBankSignature } from '../shared/domain/verify-bank-signature.ts';
import type { BankResponse } from './bank-client.ts';
import { CliError } from './cli-error.ts';
import type { Target } from './target.ts';

/** A request as an integrator captured it: the request line if any, and the headers. */
export interface CapturedRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers: Record<string, string>;
}

/**
 * Reads a headers file: `Name: value` lines (as `curl -v` prints them, `> ` prefixes allowed),
 * optionally after a request line `POST /v1/banks/acme/events HTTP/1.1`; or a JSON object.
 */
export function parseCapturedHeaders(text: string): CapturedRequest {
  if (text.trimStart().startsWith('{')) {
    const json = JSON.parse(text) as Record<string, unknown>;
    return {
      headers: Object.fromEntries(
        Object.entries(json).map(([name, value]) => [name.toLowerCase(), String(value)]),
      ),
    };
  }
  const headers: Record<string, string> = {};
  let method: string | undefined;
  let path: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^> ?/, '');
    const requestLine = /^(GET|PUT|POST|DELETE) (\S+)(?: HTTP\/[\d.]+)?$/.exec(line.trim());
    if (requestLine !== null) {
      [, method, path] = requestLine;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    // Field values lose the whitespace around them in HTTP; so here.
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { ...(method !== undefined && { method }), ...(path !== undefined && { path }), headers };
}

/**
 * Tells an integrator what Vigil thinks of a request they made: valid, or which check fails and
 * why (the API itself only ever answers 401). Events are checked with the bank's event signing
 * secret; other requests (a request line naming another route) with its administration key.
 */
export async function verifyCapturedRequest(
  target: Target,
  options: { readonly bank?: string | undefined; readonly bodyFile: string; readonly headersFile: string },
): Promise<BankResponse> {
  const [body, headersText] = await Promise.all([
    readFile(options.bodyFile).catch(() => {
      throw new CliError(`Cannot read ${options.bodyFile}.`, 2);
    }),
    readFile(options.headersFile, 'utf8').catch(() => {
      throw new CliError(`Cannot read ${options.headersFile}.`, 2);
    }),
  ]);
  const captured = parseCapturedHeaders(headersText);
  const url = captured.path === undefined ? undefined : new URL(captured.path, 'http://unknown.invalid');
  const bankId = options.bank ?? /^\/v1\/banks\/([^/]+)\//.exec(url?.pathname ?? '')?.[1];
  if (bankId === undefined) {
    throw new CliError(
      'Name the bank: --bank ID, or a request line (POST /v1/banks/ID/events) in the headers file.',
      2,
    );
  }
  const now = new Date();
  const isEvent = url === undefined || url.pathname.endsWith('/events');
  const diagnosis = isEvent
    ? diagnoseBankSignature([await target.signingSecret(bankId)], { headers: captured.headers, body }, now)
    : await adminDiagnosis(target, bankId, captured, url, body, now);
  const checked = isEvent
    ? 'event (Standard Webhooks, event signing secret)'
    : 'administration request (HTTP Message Signatures, administration key)';
  if (diagnosis === undefined) return { status: 200, body: { valid: true, bankId, checked } };
  return { status: 401, body: { valid: false, bankId, checked, ...diagnosis } };
}

async function adminDiagnosis(
  target: Target,
  bankId: string,
  captured: CapturedRequest,
  url: URL,
  body: Buffer,
  now: Date,
) {
  const authority = captured.headers.host;
  if (authority === undefined) {
    throw new CliError(
      'An administration request is checked with its Host header: add it to the headers file.',
      2,
    );
  }
  const result = await verifyAdminRequest(
    {
      method: captured.method ?? 'GET',
      authority,
      path: url.pathname,
      query: url.search.slice(1),
      headers: captured.headers,
      body,
    },
    [await target.adminKey(bankId)],
    now,
  );
  return result.valid ? undefined : result.diagnosis;
}
