import * as z from '../domain/zod.ts';
import type { SecretStore } from '../ports/secret-store.ts';

/** The JSON of the Messenger secret: the page's token, the app's secret, the webhook verify token. */
export const messengerSecretsSchema = z.object({
  pageAccessToken: z.string().check(z.minLength(1)),
  appSecret: z.string().check(z.minLength(1)),
  verifyToken: z.string().check(z.minLength(1)),
});

export type MessengerSecrets = z.infer<typeof messengerSecretsSchema>;

/** What the stack writes where Meta's page token and app secret go, until the operator sets them. */
export const PLACEHOLDER_SECRET_VALUE = 'set-me';

/** A value that is not a real secret yet: the stack's placeholder, or a usual stand-in. */
export function isPlaceholder(value: string): boolean {
  return /^\s*$|^(?:set[-_ ]?me|change[-_ ]?me|placeholder|todo|x+)$/i.test(value.trim());
}

/**
 * Thrown while the Messenger secret still holds a placeholder: a placeholder app secret would be
 * a signing key anyone can use, and a placeholder page token can send nothing. Vigil refuses to
 * work (503) until the operator sets both (docs/operator-guide.md).
 */
export class MessengerNotConfiguredError extends Error {
  override readonly name = 'MessengerNotConfiguredError';
  constructor(readonly fields: readonly string[]) {
    super(`The Messenger secret still holds a placeholder in: ${fields.join(', ')}.`);
  }
}

/** Throws MessengerNotConfiguredError when the app secret or the page token is a placeholder. */
export function refuseUnconfigured(secrets: MessengerSecrets): MessengerSecrets {
  const fields = (['appSecret', 'pageAccessToken'] as const).filter((field) => isPlaceholder(secrets[field]));
  if (fields.length > 0) throw new MessengerNotConfiguredError(fields);
  return secrets;
}

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
