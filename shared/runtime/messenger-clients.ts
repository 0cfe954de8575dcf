import type { Logger } from '@aws-lambda-powertools/logger';
import { GraphApiMessenger } from '../adapters/graph-api-messenger.ts';
import { MessengerChannel } from '../adapters/messenger-channel.ts';
import {
  MessengerNotConfiguredError,
  type MessengerSecrets,
  messengerSecretsFrom,
  refuseUnconfigured,
} from '../adapters/secret-store-messenger-secrets.ts';
import { ServiceNotConfiguredError } from '../domain/errors.ts';
import * as z from '../domain/zod.ts';
import { secretStoreFrom, secretsEnvironment } from './aws-clients.ts';
import { envUrl } from './env.ts';
import { logger } from './logger.ts';
import { count } from './metrics.ts';

/** The environment of the functions that talk to Messenger. */
export const messengerEnvironment = {
  ...secretsEnvironment,
  /** https://graph.facebook.com in AWS; the emulator's URL in local mode. */
  GRAPH_API_BASE_URL: envUrl(),
  GRAPH_API_VERSION: z.string().check(z.regex(/^v\d+\.\d+$/)),
  MESSENGER_PAGE_ID: z.string().check(z.minLength(1)),
};

type MessengerEnvironment = z.infer<z.ZodMiniObject<typeof messengerEnvironment>>;

/** The Messenger secret (cached by its store) and the Send API client that uses its page token. */
export function messengerClientsFrom(env: MessengerEnvironment) {
  const secrets = messengerSecretsFrom(secretStoreFrom(env), env.SECRET_PREFIX);
  const messenger = new GraphApiMessenger(
    { baseUrl: env.GRAPH_API_BASE_URL, version: env.GRAPH_API_VERSION, pageId: env.MESSENGER_PAGE_ID },
    // Nothing is sent with a placeholder token: the send fails (logged, counted: an alarm) and
    // is retried once it is set.
    async () => {
      try {
        const { pageAccessToken, appSecret } = refuseUnconfigured(await secrets());
        return { pageAccessToken, appSecret };
      } catch (error) {
        if (error instanceof MessengerNotConfiguredError) {
          logger.error('messenger secret holds a placeholder: nothing is sent', { fields: error.fields });
          count('MessengerNotConfigured');
        }
        throw error;
      }
    },
  );
  return { secrets, messenger, channels: { messenger: new MessengerChannel(messenger) } };
}

/**
 * The Messenger secrets for the webhook, failing closed while the secret holds a placeholder: a
 * 503 problem (Meta retries later), logged and counted (an alarm).
 */
export async function configuredMessengerSecrets(
  secrets: () => Promise<MessengerSecrets>,
  log: Logger,
): Promise<MessengerSecrets> {
  try {
    return refuseUnconfigured(await secrets());
  } catch (error) {
    if (!(error instanceof MessengerNotConfiguredError)) throw error;
    log.error('messenger secret holds a placeholder: refusing webhook requests', { fields: error.fields });
    count('MessengerNotConfigured');
    throw new ServiceNotConfiguredError();
  }
}
