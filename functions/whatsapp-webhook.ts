import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type WhatsAppSecrets,
  whatsappSecretsFrom,
} from '../shared/adapters/secret-store-whatsapp-secrets.ts';
import { handleWhatsAppDelivery } from '../shared/domain/handle-whatsapp-delivery.ts';
import * as z from '../shared/domain/zod.ts';
import { secretStoreFrom } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { lazyHandler } from '../shared/runtime/handler-bundles.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import {
  type ConversationPorts,
  conversationEnvironment,
  conversationPortsFrom,
  metaWebhookHandler,
} from '../shared/runtime/meta-webhook.ts';
import { configuredWhatsAppSecrets } from '../shared/runtime/whatsapp-clients.ts';

// GET|POST /whatsapp/webhook (docs/channels.md, "WhatsApp"): Meta's subscription check, the
// customers' messages and the statuses of the messages Vigil sent.

export interface WhatsAppWebhookPorts extends ConversationPorts {
  readonly secrets: () => Promise<WhatsAppSecrets>;
}

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: WhatsAppWebhookPorts, log: Logger = functionLogger()) {
  return metaWebhookHandler(
    {
      path: '/whatsapp/webhook',
      secrets: () => configuredWhatsAppSecrets(ports.secrets, log),
      unsigned: 'The request is not signed by the Meta app.',
      handleDelivery: handleWhatsAppDelivery,
      names: { log: 'whatsapp', metric: 'WhatsApp' },
    },
    ports,
    log,
  );
}

export const envSchema = z.object(conversationEnvironment);

/** The composition root: the adapters this function runs with, from its environment. */
export function portsFrom(env: z.output<typeof envSchema>): WhatsAppWebhookPorts {
  return {
    ...conversationPortsFrom(env),
    secrets: whatsappSecretsFrom(secretStoreFrom(env), env.SECRET_PREFIX),
  };
}

export const handler = lazyHandler(() => createHandler(portsFrom(parseEnv(envSchema))));
