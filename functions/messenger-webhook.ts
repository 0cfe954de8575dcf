import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
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
  MessengerNotConfiguredError,
  type MessengerSecrets,
  refuseUnconfigured,
} from '../shared/adapters/secret-store-messenger-secrets.ts';
import { ClientError, NotFoundError } from '../shared/domain/errors.ts';
import { handleMessengerEvent, type MessengerEventPorts } from '../shared/domain/handle-messenger-event.ts';
import { webhookItems, webhookPayloadSchema } from '../shared/domain/messenger-webhook.ts';
import { parseOrThrow } from '../shared/domain/validate.ts';
import { verifyMetaSignature } from '../shared/domain/verify-meta-signature.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { dynamoDb } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { rawBody } from '../shared/runtime/http-request.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { messengerClientsFrom, messengerEnvironment } from '../shared/runtime/messenger-clients.ts';
import { count, metrics } from '../shared/runtime/metrics.ts';
import { problemJsonErrors } from '../shared/runtime/problem-json-errors.ts';
import { restApiEvents } from '../shared/runtime/rest-api-event.ts';
import { channelsFrom } from '../shared/runtime/whatsapp-clients.ts';

// GET|POST /messenger/webhook (docs/contract.md#webhook): Meta's subscription check, and the customers' messages.

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

export interface MessengerWebhookPorts extends Omit<MessengerEventPorts, 'onReplyFailed'> {
  readonly secrets: () => Promise<MessengerSecrets>;
}

class ForbiddenError extends ClientError {
  override readonly name = 'ForbiddenError';
  constructor() {
    super(403, 'forbidden', 'Forbidden', 'The request is not signed by the Messenger app.');
  }
}

/** 503: Vigil is not set up to talk to Messenger yet; Meta retries its deliveries later. */
class ServiceNotConfiguredError extends ClientError {
  override readonly name = 'ServiceNotConfiguredError';
  constructor() {
    super(503, 'not-configured', 'Not configured', 'The Messenger app is not configured yet.');
  }
}

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: MessengerWebhookPorts, log: Logger = functionLogger()) {
  /** Fails closed while the secret holds a placeholder: 503, logged and counted (an alarm). */
  const configuredSecrets = async (): Promise<MessengerSecrets> => {
    try {
      return refuseUnconfigured(await ports.secrets());
    } catch (error) {
      if (!(error instanceof MessengerNotConfiguredError)) throw error;
      log.error('messenger secret holds a placeholder: refusing webhook requests', { fields: error.fields });
      count('MessengerNotConfigured');
      throw new ServiceNotConfiguredError();
    }
  };

  const verifySubscription = async (event: Event): Promise<Result> => {
    const query = event.queryStringParameters ?? {};
    const { verifyToken } = await configuredSecrets();
    if (query['hub.mode'] !== 'subscribe' || !sameText(query['hub.verify_token'] ?? '', verifyToken)) {
      throw new ForbiddenError();
    }
    return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: query['hub.challenge'] ?? '' };
  };

  const receive = async (event: Event): Promise<Result> => {
    const body = rawBody(event);
    const { appSecret } = await configuredSecrets();
    if (!verifyMetaSignature(appSecret, body, event.headers['x-hub-signature-256']))
      throw new ForbiddenError();
    // Only a body that is not a webhook envelope at all is refused; each item is read on its
    // own, and one that Vigil does not use or cannot read is logged and skipped (docs/channels.md).
    const payload = parseOrThrow(webhookPayloadSchema, parseJson(body));
    const outcomes: string[] = [];
    const skipped: { type: string; reason: string; field?: string }[] = [];
    const failures: unknown[] = [];
    for (const item of webhookItems(payload)) {
      if (!item.act) {
        skipped.push({
          type: item.type,
          reason: item.reason,
          ...(item.field !== undefined && { field: item.field }),
        });
        continue;
      }
      try {
        outcomes.push(
          await handleMessengerEvent(item.event, {
            ...ports,
            onReplyFailed: (error) => log.warn('reply not sent', { error: (error as Error).message }),
          }),
        );
      } catch (error) {
        // The other items still count; Meta's retry of the batch finds the handled ones claimed.
        outcomes.push('failed');
        failures.push(error);
      }
    }
    // Types, reasons and outcomes only: never the PSID, the text or the payload (docs/security.md).
    log.info('messenger events handled', { outcomes, skipped });
    for (const outcome of outcomes) count('MessengerEvent', { outcome });
    for (const { type } of skipped) count('MessengerEventSkipped', { type });
    if (failures.length > 0) throw failures[0];
    return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'EVENT_RECEIVED' };
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
          { method: 'GET', path: '/messenger/webhook', handler: verifySubscription },
          { method: 'POST', path: '/messenger/webhook', handler: receive },
        ],
        notFoundResponse: () => {
          throw new NotFoundError('No such route.');
        },
      }),
    );
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const env = parseEnv(
  z.object({
    SUBSCRIBERS_TABLE: z.string().min(1),
    ENROLLMENTS_TABLE: z.string().min(1),
    ALERTS_TABLE: z.string().min(1),
    INBOUND_TABLE: z.string().min(1),
    BANKS_TABLE: z.string().min(1),
    THRESHOLDS_TABLE: z.string().min(1),
    CALLBACKS_TABLE: z.string().min(1),
    ...messengerEnvironment,
  }),
);

const { secrets } = messengerClientsFrom(env);
const channels = channelsFrom(env);

export const handler = createHandler({
  secrets,
  subscribers: new DynamoDbSubscriberStore(dynamoDb, env.SUBSCRIBERS_TABLE),
  enrollments: new DynamoDbEnrollmentStore(dynamoDb, env.ENROLLMENTS_TABLE),
  alerts: new DynamoDbAlertStore(dynamoDb, env.ALERTS_TABLE),
  inbound: new DynamoDbInboundLog(dynamoDb, env.INBOUND_TABLE),
  banks: new DynamoDbBankDirectory(dynamoDb, env.BANKS_TABLE),
  channels,
  clock: systemClock,
  controls: {
    preferences: new DynamoDbPreferenceStore(dynamoDb, env.THRESHOLDS_TABLE),
    thresholds: new DynamoDbThresholdStore(dynamoDb, env.THRESHOLDS_TABLE),
    outbox: new DynamoDbCallbackOutbox(dynamoDb, env.CALLBACKS_TABLE),
  },
});
