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
import type { MessengerSecrets } from '../shared/adapters/secret-store-messenger-secrets.ts';
import { ForbiddenError } from '../shared/domain/errors.ts';
import type { MessengerEventPorts } from '../shared/domain/handle-messenger-event.ts';
import { handleWebhookDelivery } from '../shared/domain/handle-webhook-delivery.ts';
import { verifyMetaSignature } from '../shared/domain/verify-meta-signature.ts';
import { verifySubscription } from '../shared/domain/verify-subscription.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { awsEnvironment, dynamoDbFrom } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import {
  type HttpEvent,
  type HttpResult,
  httpHandler,
  lazyHandler,
} from '../shared/runtime/handler-bundles.ts';
import { rawBody } from '../shared/runtime/http-request.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import {
  configuredMessengerSecrets,
  messengerClientsFrom,
  messengerEnvironment,
} from '../shared/runtime/messenger-clients.ts';
import { count } from '../shared/runtime/metrics.ts';
import { channelsFrom } from '../shared/runtime/whatsapp-clients.ts';

// GET|POST /messenger/webhook (docs/contract.md#webhook): Meta's subscription check, and the customers' messages.

export interface MessengerWebhookPorts extends Omit<MessengerEventPorts, 'onReplyFailed'> {
  readonly secrets: () => Promise<MessengerSecrets>;
}

const text = (body: string): HttpResult => ({
  statusCode: 200,
  headers: { 'content-type': 'text/plain' },
  body,
});

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: MessengerWebhookPorts, log: Logger = functionLogger()) {
  const secrets = () => configuredMessengerSecrets(ports.secrets, log);
  const receive = async (event: HttpEvent): Promise<HttpResult> => {
    const body = rawBody(event);
    const { appSecret } = await secrets();
    if (!verifyMetaSignature(appSecret, body, event.headers['x-hub-signature-256']))
      throw new ForbiddenError();
    const { outcomes, skipped, failure } = await handleWebhookDelivery(parseJson(body), {
      ...ports,
      onReplyFailed: (error) => log.warn('reply not sent', { error: (error as Error).message }),
    });
    // Types, reasons and outcomes only: never the PSID, the text or the payload (docs/security.md).
    log.info('messenger events handled', { outcomes, skipped });
    for (const outcome of outcomes) count('MessengerEvent', { outcome });
    for (const { type } of skipped) count('MessengerEventSkipped', { type });
    if (failure !== undefined) throw failure.error;
    return text('EVENT_RECEIVED');
  };
  return httpHandler(log, [
    {
      method: 'GET',
      path: '/messenger/webhook',
      handler: async (event: HttpEvent) =>
        text(verifySubscription(event.queryStringParameters ?? {}, (await secrets()).verifyToken)),
    },
    { method: 'POST', path: '/messenger/webhook', handler: receive },
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
export function portsFrom(env: z.output<typeof envSchema>): MessengerWebhookPorts {
  const dynamoDb = dynamoDbFrom(env);
  const { secrets } = messengerClientsFrom(env);
  return {
    secrets,
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
