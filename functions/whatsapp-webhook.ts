import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
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
  refuseUnconfiguredWhatsApp,
  WhatsAppNotConfiguredError,
  type WhatsAppSecrets,
  whatsappSecretsFrom,
} from '../shared/adapters/secret-store-whatsapp-secrets.ts';
import { ClientError, NotFoundError } from '../shared/domain/errors.ts';
import { type ChannelEventPorts, handleChannelEvent } from '../shared/domain/handle-channel-event.ts';
import { recordDeliveryStatus } from '../shared/domain/record-delivery.ts';
import { subscriptionChallenge, verifyMetaSignature } from '../shared/domain/verify-meta-signature.ts';
import { whatsappItems } from '../shared/domain/whatsapp-webhook.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { dynamoDb, secretStoreFrom } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { rawBody } from '../shared/runtime/http-request.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { messengerEnvironment } from '../shared/runtime/messenger-clients.ts';
import { count, metrics } from '../shared/runtime/metrics.ts';
import { problemJsonErrors } from '../shared/runtime/problem-json-errors.ts';
import { restApiEvents } from '../shared/runtime/rest-api-event.ts';
import { channelsFrom } from '../shared/runtime/whatsapp-clients.ts';

// GET|POST /whatsapp/webhook (docs/channels.md, "WhatsApp"): Meta's subscription check, the
// customers' messages and the statuses of the messages Vigil sent.

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

export interface WhatsAppWebhookPorts extends Omit<ChannelEventPorts, 'onReplyFailed'> {
  readonly secrets: () => Promise<WhatsAppSecrets>;
}

class ForbiddenError extends ClientError {
  override readonly name = 'ForbiddenError';
  constructor() {
    super(403, 'forbidden', 'Forbidden', 'The request is not signed by the Meta app.');
  }
}

/** 503: Vigil is not set up to talk to WhatsApp yet; Meta retries its deliveries later. */
class ServiceNotConfiguredError extends ClientError {
  override readonly name = 'ServiceNotConfiguredError';
  constructor() {
    super(503, 'not-configured', 'Not configured', 'WhatsApp is not configured yet.');
  }
}

const text = (body: string): Result => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body });

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: WhatsAppWebhookPorts, log: Logger = functionLogger()) {
  const configuredSecrets = async (): Promise<WhatsAppSecrets> => {
    try {
      return refuseUnconfiguredWhatsApp(await ports.secrets());
    } catch (error) {
      if (!(error instanceof WhatsAppNotConfiguredError)) throw error;
      log.error('whatsapp secret holds a placeholder: refusing webhook requests', { fields: error.fields });
      count('WhatsAppNotConfigured');
      throw new ServiceNotConfiguredError();
    }
  };

  const verifySubscription = async (event: Event): Promise<Result> => {
    const query = event.queryStringParameters ?? {};
    const { verifyToken } = await configuredSecrets();
    const challenge = subscriptionChallenge(query, verifyToken);
    if (challenge === undefined) throw new ForbiddenError();
    return text(challenge);
  };

  /**
   * A signed payload is always answered 200 once handled: what cannot be read is skipped item by
   * item (even a body that is no envelope at all), so that Meta never disables the webhook.
   */
  const receive = async (event: Event): Promise<Result> => {
    const body = rawBody(event);
    const { appSecret } = await configuredSecrets();
    if (!verifyMetaSignature(appSecret, body, event.headers['x-hub-signature-256'])) {
      throw new ForbiddenError();
    }
    const outcomes: string[] = [];
    const skipped: { type: string; reason: string; field?: string }[] = [];
    const failures: unknown[] = [];
    for (const item of whatsappItems(parseJson(body))) {
      if (item.act === false) {
        skipped.push({ type: item.type, reason: item.reason, ...(item.field && { field: item.field }) });
        continue;
      }
      try {
        outcomes.push(
          item.act === 'message'
            ? await handleChannelEvent(item.event, {
                ...ports,
                onReplyFailed: (error) => log.warn('reply not sent', { error: (error as Error).message }),
              })
            : `${item.type}_${await recordDeliveryStatus(item.update, ports)}`,
        );
      } catch (error) {
        // The other items still count; Meta's retry of the batch finds the handled ones claimed.
        outcomes.push('failed');
        failures.push(error);
      }
    }
    // Types, reasons and outcomes only: never the WhatsApp id, the text or a payload.
    log.info('whatsapp events handled', { outcomes, skipped });
    for (const outcome of outcomes) count('WhatsAppEvent', { outcome });
    for (const { type } of skipped) count('WhatsAppEventSkipped', { type });
    if (failures.length > 0) throw failures[0];
    return text('EVENT_RECEIVED');
  };

  return middy<Event, Result>()
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(restApiEvents())
    .use(httpHeaderNormalizer())
    .use(problemJsonErrors(log))
    .handler(
      httpRouterHandler<Event, Result>({
        routes: [
          { method: 'GET', path: '/whatsapp/webhook', handler: verifySubscription },
          { method: 'POST', path: '/whatsapp/webhook', handler: receive },
        ],
        notFoundResponse: () => {
          throw new NotFoundError('No such route.');
        },
      }),
    );
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
});

/** The composition root: the adapters this function runs with, from its environment. */
export function portsFrom(env: z.output<typeof envSchema>): WhatsAppWebhookPorts {
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

let built: ReturnType<typeof createHandler> | undefined;

/** Reads the environment and builds the ports on the first invocation, not at import. */
export const handler = (event: Event, context: Context) => {
  built ??= createHandler(portsFrom(parseEnv(envSchema)));
  return built(event, context);
};
