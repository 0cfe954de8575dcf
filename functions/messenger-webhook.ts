import type { Logger } from '@aws-lambda-powertools/logger';
import type { MessengerSecrets } from '../shared/adapters/secret-store-messenger-secrets.ts';
import { handleWebhookDelivery } from '../shared/domain/handle-webhook-delivery.ts';
import * as z from '../shared/domain/zod.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { lazyHandler } from '../shared/runtime/handler-bundles.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { configuredMessengerSecrets, messengerClientsFrom } from '../shared/runtime/messenger-clients.ts';
import {
  type ConversationPorts,
  conversationEnvironment,
  conversationPortsFrom,
  metaWebhookHandler,
} from '../shared/runtime/meta-webhook.ts';

// GET|POST /messenger/webhook (docs/contract.md#webhook): Meta's subscription check, and the customers' messages.

export interface MessengerWebhookPorts extends ConversationPorts {
  readonly secrets: () => Promise<MessengerSecrets>;
}

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: MessengerWebhookPorts, log: Logger = functionLogger()) {
  return metaWebhookHandler(
    {
      path: '/messenger/webhook',
      secrets: () => configuredMessengerSecrets(ports.secrets, log),
      handleDelivery: handleWebhookDelivery,
      names: { log: 'messenger', metric: 'Messenger' },
    },
    ports,
    log,
  );
}

export const envSchema = z.object(conversationEnvironment);

/** The composition root: the adapters this function runs with, from its environment. */
export function portsFrom(env: z.output<typeof envSchema>): MessengerWebhookPorts {
  return { ...conversationPortsFrom(env), secrets: messengerClientsFrom(env).secrets };
}

export const handler = lazyHandler(() => createHandler(portsFrom(parseEnv(envSchema))));
