import { z } from 'zod';
import type { SecretStore } from '../ports/secret-store.ts';

/** The JSON of the Messenger secret: the page's token, the app's secret, the webhook verify token. */
export const messengerSecretsSchema = z.object({
  pageAccessToken: z.string().min(1),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
});

export type MessengerSecrets = z.infer<typeof messengerSecretsSchema>;

/** The name of the Messenger secret. */
export function messengerSecretName(prefix: string): string {
  return `${prefix}/messenger`;
}

/** Reads the Messenger secret; the store caches it (at most 5 minutes in AWS). */
export function messengerSecretsFrom(store: SecretStore, prefix: string): () => Promise<MessengerSecrets> {
  return async () => {
    const value = await store.getJson(messengerSecretName(prefix));
    if (value === undefined) throw new Error(`The secret ${messengerSecretName(prefix)} does not exist.`);
    return messengerSecretsSchema.parse(value);
  };
}
