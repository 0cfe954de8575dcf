import { z } from 'zod';
import type { BankSecrets } from '../ports/bank-secrets.ts';
import type { SecretStore } from '../ports/secret-store.ts';

const webhookSecret = z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/);

/** The JSON held by a bank's signing secret: the current key and, during a rotation, the previous one. */
export const signingSecretValueSchema = z.object({
  current: webhookSecret,
  previous: webhookSecret.optional(),
});

export type SigningSecretValue = z.infer<typeof signingSecretValueSchema>;

/** The name of the secret Vigil signs a bank's callbacks with. */
export function callbackSecretName(prefix: string, bankId: string): string {
  return `${prefix}/banks/${bankId}/callback`;
}

/** The name of a bank's request signing secret. */
export function signingSecretName(prefix: string, bankId: string): string {
  return `${prefix}/banks/${bankId}/signing`;
}

/** Bank secrets kept in a SecretStore under `<prefix>/banks/<bankId>/...`. */
export class SecretStoreBankSecrets implements BankSecrets {
  constructor(
    private readonly store: SecretStore,
    private readonly prefix: string,
  ) {}

  async signingSecrets(bankId: string): Promise<readonly string[]> {
    const value = await this.store.getJson(signingSecretName(this.prefix, bankId));
    if (value === undefined) return [];
    const { current, previous } = signingSecretValueSchema.parse(value);
    return previous === undefined ? [current] : [current, previous];
  }

  async callbackSecret(bankId: string): Promise<string | undefined> {
    const value = await this.store.getJson(callbackSecretName(this.prefix, bankId));
    return value === undefined ? undefined : signingSecretValueSchema.parse(value).current;
  }
}
