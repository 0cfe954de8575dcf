import type { Logger } from '@aws-lambda-powertools/logger';
import { CloudApiWhatsApp } from '../adapters/cloud-api-whatsapp.ts';
import {
  refuseUnconfiguredWhatsApp,
  WhatsAppNotConfiguredError,
  type WhatsAppSecrets,
  whatsappSecretsFrom,
} from '../adapters/secret-store-whatsapp-secrets.ts';
import { ServiceNotConfiguredError } from '../domain/errors.ts';
import type * as z from '../domain/zod.ts';
import type { Channels } from '../ports/channel.ts';
import { secretStoreFrom } from './aws-clients.ts';
import { logger } from './logger.ts';
import { messengerClientsFrom, type messengerEnvironment } from './messenger-clients.ts';
import { count } from './metrics.ts';

type ChannelEnvironment = z.infer<z.ZodMiniObject<typeof messengerEnvironment>>;

/** The WhatsApp secret (cached by its store) and the Cloud API client that uses its token. */
export function whatsappClientsFrom(env: ChannelEnvironment) {
  const secrets = whatsappSecretsFrom(secretStoreFrom(env), env.SECRET_PREFIX);
  const whatsapp = new CloudApiWhatsApp(
    { baseUrl: env.GRAPH_API_BASE_URL, version: env.GRAPH_API_VERSION },
    // Nothing is sent with a placeholder token: the send fails (logged, counted: an alarm).
    async () => {
      try {
        const { accessToken, appSecret } = refuseUnconfiguredWhatsApp(await secrets());
        return { accessToken, appSecret };
      } catch (error) {
        if (error instanceof WhatsAppNotConfiguredError) {
          logger.error('whatsapp secret holds a placeholder: nothing is sent', { fields: error.fields });
          count('WhatsAppNotConfigured');
        }
        throw error;
      }
    },
  );
  return { secrets, whatsapp };
}

/** Every channel, for the functions that send: Messenger's page and the banks' WhatsApp numbers. */
export function channelsFrom(env: ChannelEnvironment): Channels {
  return { ...messengerClientsFrom(env).channels, whatsapp: whatsappClientsFrom(env).whatsapp };
}

/**
 * The WhatsApp secrets for the webhook, failing closed while the secret holds a placeholder: a
 * 503 problem (Meta retries later), logged and counted (an alarm).
 */
export async function configuredWhatsAppSecrets(
  secrets: () => Promise<WhatsAppSecrets>,
  log: Logger,
): Promise<WhatsAppSecrets> {
  try {
    return refuseUnconfiguredWhatsApp(await secrets());
  } catch (error) {
    if (!(error instanceof WhatsAppNotConfiguredError)) throw error;
    log.error('whatsapp secret holds a placeholder: refusing webhook requests', { fields: error.fields });
    count('WhatsAppNotConfigured');
    throw new ServiceNotConfiguredError('WhatsApp is not configured yet.');
  }
}
