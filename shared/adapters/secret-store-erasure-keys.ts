import { erasureRefOf } from '../domain/erasure.ts';
import * as z from '../domain/zod.ts';
import type { ErasureKeys } from '../ports/erasure.ts';
import type { SecretStore } from '../ports/secret-store.ts';

/** The JSON of the erasure key secret: a random string of at least 43 characters (256 bits or more). */
export const erasureKeySecretSchema = z.object({ key: z.string().check(z.minLength(43)) });

/** The name of the secret holding the stack's erasure key. */
export function erasureKeySecretName(prefix: string): string {
  return `${prefix}/erasure-key`;
}

/** Erasure refs under the key kept in a SecretStore; a missing key fails the request (500). */
export class SecretStoreErasureKeys implements ErasureKeys {
  constructor(
    private readonly store: SecretStore,
    private readonly prefix: string,
  ) {}

  async refOf(bankId: string, customerId: string): Promise<string> {
    const name = erasureKeySecretName(this.prefix);
    const value = await this.store.getJson(name);
    if (value === undefined) throw new Error(`The secret ${name} does not exist.`);
    const { key } = erasureKeySecretSchema.parse(value);
    return erasureRefOf(Buffer.from(key, 'utf8'), bankId, customerId);
  }
}
