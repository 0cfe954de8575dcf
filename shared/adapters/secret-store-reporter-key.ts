import * as z from '../domain/zod.ts';
import type { ReporterKey } from '../ports/compromised-merchants.ts';
import type { SecretStore } from '../ports/secret-store.ts';

/** The name of the per-deployment key of reporter hashes in compromised-merchant marks. */
export function reporterKeyName(prefix: string): string {
  return `${prefix}/merchant-reporter-key`;
}

const reporterKeySchema = z.object({ key: z.string().check(z.minLength(32)) });

/** Reads the reporter key; the store caches it (at most 5 minutes in AWS). A missing key fails. */
export function reporterKeyFrom(store: SecretStore, prefix: string): ReporterKey {
  return async () => {
    const value = await store.getJson(reporterKeyName(prefix));
    if (value === undefined) throw new Error(`The secret ${reporterKeyName(prefix)} does not exist.`);
    return reporterKeySchema.parse(value).key;
  };
}
