import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbAlertStore } from '../adapters/dynamodb-alert-store.ts';
import { DynamoDbBankDirectory } from '../adapters/dynamodb-bank-directory.ts';
import { DynamoDbCallbackOutbox } from '../adapters/dynamodb-callback-outbox.ts';
import { DynamoDbEnrollmentStore } from '../adapters/dynamodb-enrollment-store.ts';
import { DynamoDbInboundLog } from '../adapters/dynamodb-inbound-log.ts';
import { DynamoDbPreferenceStore } from '../adapters/dynamodb-preference-store.ts';
import { DynamoDbSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { DynamoDbThresholdStore } from '../adapters/dynamodb-threshold-store.ts';
import { ForbiddenError } from '../domain/errors.ts';
import type { ChannelEventPorts } from '../domain/handle-channel-event.ts';
import type { WebhookDeliveryOutcome } from '../domain/handle-webhook-delivery.ts';
import { verifyMetaSignature } from '../domain/verify-meta-signature.ts';
import { verifySubscription } from '../domain/verify-subscription.ts';
import * as z from '../domain/zod.ts';
import { systemClock } from '../ports/clock.ts';
import { awsEnvironment, dynamoDbFrom } from './aws-clients.ts';
import { type HttpEvent, type HttpResult, httpRoutesHandler } from './handler-bundles.ts';
import { rawBody } from './http-request.ts';
import { messengerEnvironment } from './messenger-clients.ts';
import { count } from './metrics.ts';
import { channelsFrom } from './whatsapp-clients.ts';

// What the two Meta webhooks (Messenger's and WhatsApp's) share: the subscription check, the
// signature check, the per-item handling of a delivery, and the stores a conversation uses.

/** A conversation's ports, without the reply-failure hook the webhook adds. */
export type ConversationPorts = Omit<ChannelEventPorts, 'onReplyFailed'>;

export interface MetaWebhook {
  /** `/messenger/webhook` or `/whatsapp/webhook`. */
  readonly path: string;
  /** The channel's secrets, checked to be configured (fails closed on placeholders). */
  readonly secrets: () => Promise<{ readonly appSecret: string; readonly verifyToken: string }>;
  /** The 403 detail when the signature is wrong. */
  readonly unsigned?: string;
  readonly handleDelivery: (body: unknown, ports: ChannelEventPorts) => Promise<WebhookDeliveryOutcome>;
  /** Names in logs and metrics: `messenger` gives 'messenger events handled', `MessengerEvent`… */
  readonly names: { readonly log: string; readonly metric: string };
}

const text = (body: string): HttpResult => ({
  statusCode: 200,
  headers: { 'content-type': 'text/plain' },
  body,
});

/** GET (Meta's subscription check) and POST (a signed delivery, answered 200 once handled). */
export function metaWebhookHandler(webhook: MetaWebhook, ports: ConversationPorts, log: Logger) {
  const receive = async (event: HttpEvent): Promise<HttpResult> => {
    const body = rawBody(event);
    const { appSecret } = await webhook.secrets();
    if (!verifyMetaSignature(appSecret, body, event.headers['x-hub-signature-256']))
      throw new ForbiddenError(webhook.unsigned);
    const { outcomes, skipped, failure } = await webhook.handleDelivery(parseJson(body), {
      ...ports,
      onReplyFailed: (error) => log.warn('reply not sent', { error: (error as Error).message }),
    });
    // Types, reasons and outcomes only: never the address, the text or the payload (docs/security.md).
    log.info(`${webhook.names.log} events handled`, { outcomes, skipped });
    for (const outcome of outcomes) count(`${webhook.names.metric}Event`, { outcome });
    for (const { type } of skipped) count(`${webhook.names.metric}EventSkipped`, { type });
    if (failure !== undefined) throw failure.error;
    return text('EVENT_RECEIVED');
  };
  return httpRoutesHandler(log, [
    {
      method: 'GET',
      path: webhook.path,
      handler: async (event: HttpEvent) =>
        text(verifySubscription(event.queryStringParameters ?? {}, (await webhook.secrets()).verifyToken)),
    },
    { method: 'POST', path: webhook.path, handler: receive },
  ]);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export const conversationEnvironment = {
  SUBSCRIBERS_TABLE: z.string().check(z.minLength(1)),
  ENROLLMENTS_TABLE: z.string().check(z.minLength(1)),
  ALERTS_TABLE: z.string().check(z.minLength(1)),
  INBOUND_TABLE: z.string().check(z.minLength(1)),
  BANKS_TABLE: z.string().check(z.minLength(1)),
  THRESHOLDS_TABLE: z.string().check(z.minLength(1)),
  CALLBACKS_TABLE: z.string().check(z.minLength(1)),
  ...messengerEnvironment,
  ...awsEnvironment,
};

/** The stores and channels a conversation runs with, from a webhook function's environment. */
export function conversationPortsFrom(
  env: z.output<z.ZodMiniObject<typeof conversationEnvironment>>,
): ConversationPorts {
  const dynamoDb = dynamoDbFrom(env);
  return {
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
