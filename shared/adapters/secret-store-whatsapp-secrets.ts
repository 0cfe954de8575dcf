import * as z from '../domain/zod.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import { isPlaceholder } from './secret-store-messenger-secrets.ts';

/**
 * The JSON of the WhatsApp secret: the Cloud API access token (a system user's, with
 * `whatsapp_business_messaging`), the Meta app's secret (signs webhooks and every call) and the
 * webhook verify token.
 */
export const whatsappSecretsSchema = z.object({
  accessToken: z.string().check(z.minLength(1)),
  appSecret: z.string().check(z.minLength(1)),
  verifyToken: z.string().check(z.minLength(1)),
});

export type WhatsAppSecrets = z.infer<typeof whatsappSecretsSchema>;

/** Thrown while the WhatsApp secret still holds a placeholder: WhatsApp is refused (503). */
export class WhatsAppNotConfiguredError extends Error {
  override readonly name = 'WhatsAppNotConfiguredError';
  constructor(readonly fields: readonly string[]) {
    super(`The WhatsApp secret still holds a placeholder in: ${fields.join(', ')}.`);
  }
}

/** Throws WhatsAppNotConfiguredError when the app secret or the access token is a placeholder. */
export function refuseUnconfiguredWhatsApp(secrets: WhatsAppSecrets): WhatsAppSecrets {
  const fields = (['appSecret', 'accessToken'] as const).filter((field) => isPlaceholder(secrets[field]));
  if (fields.length > 0) throw new WhatsAppNotConfiguredError(fields);
  return secrets;
}

/** The name of the WhatsApp secret. */
export function whatsappSecretName(prefix: string): string {
  return `${prefix}/whatsapp`;
}

/** Reads the WhatsApp secret; the store caches it. */
export function whatsappSecretsFrom(store: SecretStore, prefix: string): () => Promise<WhatsAppSecrets> {
  return async () => {
    const value = await store.getJson(whatsappSecretName(prefix));
    if (value === undefined) throw new Error(`The secret ${whatsappSecretName(prefix)} does not exist.`);
    return whatsappSecretsSchema.parse(value);
  };
}
