import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { CliError } from './cli-error.ts';
import type { Target } from './target.ts';

export interface BankResponse {
  readonly status: number;
  readonly body: unknown;
  /** What the CLI prints for a person instead of the status and JSON body (without --json). */
  readonly text?: string;
}

/** Calls the bank API as the bank would: signed with Standard Webhooks and the bank's signing secret. */
export async function callBankApi(
  target: Target,
  bankId: string,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: Buffer,
  eventId = `req_${randomUUID()}`,
): Promise<BankResponse> {
  const [apiUrl, secret] = await Promise.all([target.apiUrl(), target.signingSecret(bankId)]);
  const timestamp = new Date();
  const payload = body ?? Buffer.alloc(0);
  const response = await fetch(`${apiUrl}/v1/banks/${encodeURIComponent(bankId)}${path}`, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      'webhook-id': eventId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(eventId, timestamp, payload),
    },
    ...(body !== undefined && { body }),
  }).catch((error: unknown) => {
    throw new CliError(`Cannot reach ${apiUrl}: ${String(error)}. Is Vigil running?`);
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
