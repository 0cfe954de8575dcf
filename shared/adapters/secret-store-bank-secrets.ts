import { isAdminKey } from '../domain/admin-key.ts';
import * as z from '../domain/zod.ts';
import type { BankSecrets } from '../ports/bank-secrets.ts';
import type { SecretStore } from '../ports/secret-store.ts';

const webhookSecret = z.string().check(z.regex(/^whsec_[A-Za-z0-9+/=]{16,}$/));

/** The JSON held by a bank's signing secret: the current key and, during a rotation, the previous one. */
export const signingSecretValueSchema = z.object({
  current: webhookSecret,
  previous: z.optional(webhookSecret),
});

export type SigningSecretValue = z.infer<typeof signingSecretValueSchema>;

const adminKey = z.string().check(z.refine(isAdminKey, 'an administration key: vadm_ and base64'));

/** The JSON held by a bank's administration key secret: the current key and, during a rotation, the previous one. */
export const adminKeyValueSchema = z.object({ current: adminKey, previous: z.optional(adminKey) });

export type AdminKeyValue = z.infer<typeof adminKeyValueSchema>;

/** The three secrets of a bank: events (signing), administration requests, and callbacks. */
export type BankKeyKind = 'events' | 'admin' | 'callbacks';

/** The name of a bank's secret of that kind. */
export function bankSecretName(prefix: string, bankId: string, kind: BankKeyKind): string {
  const suffix = { events: 'signing', admin: 'admin', callbacks: 'callback' } as const;
  return `${prefix}/banks/${bankId}/${suffix[kind]}`;
}

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

  async adminKeys(bankId: string): Promise<readonly string[]> {
    const value = await this.store.getJson(bankSecretName(this.prefix, bankId, 'admin'));
    if (value === undefined) return [];
    const { current, previous } = adminKeyValueSchema.parse(value);
    return previous === undefined ? [current] : [current, previous];
  }

  async callbackSecret(bankId: string): Promise<string | undefined> {
    return (await this.callbackSecrets(bankId))[0];
  }

  async callbackSecrets(bankId: string): Promise<readonly string[]> {
    const value = await this.store.getJson(callbackSecretName(this.prefix, bankId));
    if (value === undefined) return [];
    const { current, previous } = signingSecretValueSchema.parse(value);
    return previous === undefined ? [current] : [current, previous];
  }
}
