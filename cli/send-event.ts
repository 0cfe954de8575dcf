import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Webhook } from 'standardwebhooks';
import { CliError } from './cli-error.ts';
import { readLocalConfig } from './local-settings.ts';

export interface SendEventOptions {
  readonly bankId: string;
  readonly file: string;
  readonly eventId?: string | undefined;
}

export interface SendEventResult {
  readonly status: number;
  readonly eventId: string;
  readonly body: unknown;
}

/** Signs a bank event file with the bank's local signing secret and posts it to local mode. */
export async function sendEvent({ bankId, file, eventId = `evt_${randomUUID()}` }: SendEventOptions) {
  const config = await readLocalConfig();
  const bank = config.banks.find((candidate) => candidate.bankId === bankId);
  if (bank === undefined) throw new CliError(`Unknown bank ${bankId} in local mode.`);
  const body = await readFile(file).catch(() => {
    throw new CliError(`Cannot read ${file}.`);
  });
  const timestamp = new Date();
  const signature = new Webhook(bank.signingSecret).sign(eventId, timestamp, body);
  const response = await fetch(`${config.apiUrl}/v1/banks/${encodeURIComponent(bankId)}/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': eventId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body,
  }).catch((error: unknown) => {
    throw new CliError(`Cannot reach ${config.apiUrl}: ${String(error)}. Is Vigil running?`);
  });
  const text = await response.text();
  return { status: response.status, eventId, body: text === '' ? null : (JSON.parse(text) as unknown) };
}
