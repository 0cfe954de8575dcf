import * as z from '../domain/zod.ts';
import type { SecretStore } from '../ports/secret-store.ts';

/** The name of the per-deployment key of subscriberRef (a keyed hash of a channel address). */
export function subscriberRefKeyName(prefix: string): string {
  return `${prefix}/subscriber-ref-key`;
}

const subscriberRefKeySchema = z.object({ key: z.string().check(z.minLength(32)) });

/** Reads the subscriberRef key; the store caches it (at most 5 minutes in AWS). */
export function subscriberRefKeyFrom(store: SecretStore, prefix: string): () => Promise<string> {
  return async () => {
    const value = await store.getJson(subscriberRefKeyName(prefix));
    if (value === undefined) throw new Error(`The secret ${subscriberRefKeyName(prefix)} does not exist.`);
    return subscriberRefKeySchema.parse(value).key;
  };
}
