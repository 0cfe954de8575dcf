import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { signAdminRequest } from '../shared/domain/admin-signature.ts';
import { CliError } from './cli-error.ts';
import type { Target } from './target.ts';

export interface BankResponse {
  readonly status: number;
  readonly body: unknown;
  /** What the CLI prints for a person instead of the status and JSON body (without --json). */
  readonly text?: string;
}

/**
 * Calls the bank API as the bank would: events signed with Standard Webhooks and the event
 * signing secret, every other route with HTTP Message Signatures and the administration key.
 */
export async function callBankApi(
  target: Target,
  bankId: string,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: Buffer,
  eventId = `req_${randomUUID()}`,
): Promise<BankResponse> {
  const apiUrl = await target.apiUrl();
  const url = `${apiUrl}/v1/banks/${encodeURIComponent(bankId)}${path}`;
  const payload = body ?? Buffer.alloc(0);
  const signature =
    path === '/events'
      ? eventHeaders(await target.signingSecret(bankId), eventId, payload)
      : await signAdminRequest(await target.adminKey(bankId), { method, url, body: payload });
  const response = await fetch(url, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...signature },
    ...(body !== undefined && { body }),
  }).catch((error: unknown) => {
    throw new CliError(`Cannot reach ${apiUrl}: ${describeFetchError(error)}. Is Vigil running?`, 2);
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON (a gateway error page): shown as text.
  }
  return { status: response.status, body: parsed };
}

/** "connect ECONNREFUSED 127.0.0.1:3000" rather than "TypeError: fetch failed". */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  return cause?.message ?? cause?.code ?? (error instanceof Error ? error.message : String(error));
}

function eventHeaders(secret: string, eventId: string, payload: Buffer): Record<string, string> {
  const timestamp = new Date();
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(eventId, timestamp, payload),
  };
}
