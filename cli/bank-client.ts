import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { CliError } from './cli-error.ts';
import { readLocalConfig } from './local-settings.ts';

export interface BankResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Calls the bank API of local mode as the bank would: every request signed with Standard
 * Webhooks using the bank's signing secret from `.vigil/local.json`.
 */
export async function callBankApi(
  bankId: string,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: Buffer,
  eventId = `req_${randomUUID()}`,
): Promise<BankResponse> {
  const config = await readLocalConfig();
  const bank = config.banks.find((candidate) => candidate.bankId === bankId);
  if (bank === undefined) throw new CliError(`Unknown bank ${bankId} in local mode.`);
  const timestamp = new Date();
  const payload = body ?? Buffer.alloc(0);
  const response = await fetch(`${config.apiUrl}/v1/banks/${encodeURIComponent(bankId)}${path}`, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      'webhook-id': eventId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(bank.signingSecret).sign(eventId, timestamp, payload),
    },
    ...(body !== undefined && { body }),
  }).catch((error: unknown) => {
    throw new CliError(`Cannot reach ${config.apiUrl}: ${String(error)}. Is Vigil running?`);
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}
