import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type BankResponse, callBankApi } from './bank-client.ts';
import { CliError } from './cli-error.ts';

/** Signs a bank event file with the bank's local signing secret and posts it to local mode. */
export async function sendEvent(bankId: string, file: string, eventId = `evt_${randomUUID()}`) {
  const body = await readFile(file).catch(() => {
    throw new CliError(`Cannot read ${file}.`);
  });
  const response: BankResponse = await callBankApi(bankId, 'POST', '/events', body, eventId);
  return { ...response, eventId };
}
