import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { DynamoDbAlertStore } from '../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbCallbackOutbox } from '../shared/adapters/dynamodb-callback-outbox.ts';
import { DynamoDbEnrollmentStore } from '../shared/adapters/dynamodb-enrollment-store.ts';
import { DynamoDbInboundLog } from '../shared/adapters/dynamodb-inbound-log.ts';
import { DynamoDbPreferenceStore } from '../shared/adapters/dynamodb-preference-store.ts';
import { DynamoDbSubscriberStore } from '../shared/adapters/dynamodb-subscriber-store.ts';
import { DynamoDbThresholdStore } from '../shared/adapters/dynamodb-threshold-store.ts';
import {
  type WhatsAppSecrets,
  whatsappSecretsFrom,
} from '../shared/adapters/secret-store-whatsapp-secrets.ts';
import { ForbiddenError } from '../shared/domain/errors.ts';
import type { ChannelEventPorts } from '../shared/domain/handle-channel-event.ts';
import { handleWhatsAppDelivery } from '../shared/domain/handle-whatsapp-delivery.ts';
import { verifyMetaSignature } from '../shared/domain/verify-meta-signature.ts';
import { verifySubscription } from '../shared/domain/verify-subscription.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { awsEnvironment, dynamoDbFrom, secretStoreFrom } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import {
  type HttpEvent,
  type HttpResult,
  httpHandler,
  lazyHandler,
} from '../shared/runtime/handler-bundles.ts';
import { rawBody } from '../shared/runtime/http-request.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { messengerEnvironment } from '../shared/runtime/messenger-clients.ts';
import { count } from '../shared/runtime/metrics.ts';
import { channelsFrom, configuredWhatsAppSecrets } from '../shared/runtime/whatsapp-clients.ts';

// GET|POST /whatsapp/webhook (docs/channels.md, "WhatsApp"): Meta's subscription check, the
// customers' messages and the statuses of the messages Vigil sent.

export interface WhatsAppWebhookPorts extends Omit<ChannelEventPorts, 'onReplyFailed'> {
  readonly secrets: () => Promise<WhatsAppSecrets>;
}

const text = (body: string): HttpResult => ({
  statusCode: 200,
  headers: { 'content-type': 'text/plain' },
  body,
});

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: WhatsAppWebhookPorts, log: Logger = functionLogger()) {
  const secrets = () => configuredWhatsAppSecrets(ports.secrets, log);
  /** A signed body is answered 200 once handled, even one that is no webhook payload at all. */
  const receive = async (event: HttpEvent): Promise<HttpResult> => {
    const body = rawBody(event);
    const { appSecret } = await secrets();
    if (!verifyMetaSignature(appSecret, body, event.headers['x-hub-signature-256'])) {
      throw new ForbiddenError('The request is not signed by the Meta app.');
    }
    const { outcomes, skipped, failure } = await handleWhatsAppDelivery(parseJson(body), {
      ...ports,
      onReplyFailed: (error) => log.warn('reply not sent', { error: (error as Error).message }),
    });
    // Types, reasons and outcomes only: never the WhatsApp id, the text or a payload.
    log.info('whatsapp events handled', { outcomes, skipped });
    for (const outcome of outcomes) count('WhatsAppEvent', { outcome });
    for (const { type } of skipped) count('WhatsAppEventSkipped', { type });
    if (failure !== undefined) throw failure.error;
    return text('EVENT_RECEIVED');
  };
  return httpHandler(log, [
    {
      method: 'GET',
      path: '/whatsapp/webhook',
      handler: async (event: HttpEvent) =>
        text(verifySubscription(event.queryStringParameters ?? {}, (await secrets()).verifyToken)),
    },
    { method: 'POST', path: '/whatsapp/webhook', handler: receive },
  ]);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export const envSchema = z.object({
  SUBSCRIBERS_TABLE: z.string().min(1),
  ENROLLMENTS_TABLE: z.string().min(1),
  ALERTS_TABLE: z.string().min(1),
  INBOUND_TABLE: z.string().min(1),
  BANKS_TABLE: z.string().min(1),
  THRESHOLDS_TABLE: z.string().min(1),
  CALLBACKS_TABLE: z.string().min(1),
  ...messengerEnvironment,
  ...awsEnvironment,
});

/** The composition root: the adapters this function runs with, from its environment. */
export function portsFrom(env: z.output<typeof envSchema>): WhatsAppWebhookPorts {
  const dynamoDb = dynamoDbFrom(env);
  return {
    secrets: whatsappSecretsFrom(secretStoreFrom(env), env.SECRET_PREFIX),
    subscribers: new DynamoDbSubscriberStore(dynamoDb, env.SUBSCRIBERS_TABLE),
    enrollments: new DynamoDbEnrollmentStore(dynamoDb, env.ENROLLMENTS_TABLE),
    alerts: new DynamoDbAlertStore(dynamoDb, env.ALERTS_TABLE),
    inbound: new DynamoDbInboundLog(dynamoDb, env.INBOUND_TABLE),
    banks: new DynamoDbBankDirectory(dynamoDb, env.BANKS_TABLE),
    channels: channelsFrom(env),
    clock: systemClock,
    controls: {
      preferences: new DynamoDbPreferenceStore(dynamoDb, env.THRESHOLDS_TABLE),
      thresholds: new DynamoDbThresholdStore(dynamoDb, env.THRESHOLDS_TABLE),
      outbox: new DynamoDbCallbackOutbox(dynamoDb, env.CALLBACKS_TABLE),
    },
  };
}

export const handler = lazyHandler(() => createHandler(portsFrom(parseEnv(envSchema))));
