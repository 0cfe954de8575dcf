import { readFile } from 'node:fs/promises';
import { callBankApi } from './bank-client.ts';
import { CliError } from './cli-error.ts';

const pathFor = (customerId: string | undefined) =>
  customerId === undefined ? '/thresholds' : `/customers/${encodeURIComponent(customerId)}/thresholds`;

/** The bank default, or a customer's override. */
export function getThresholds(bankId: string, customerId?: string) {
  return callBankApi(bankId, 'GET', pathFor(customerId));
}

/** Replaces the bank default, or a customer's override, with the JSON file's content. */
export async function setThresholds(bankId: string, file: string, customerId?: string) {
  const body = await readFile(file).catch(() => {
    throw new CliError(`Cannot read ${file}.`);
  });
  return callBankApi(bankId, 'PUT', pathFor(customerId), body);
}
