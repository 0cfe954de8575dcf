import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbCallbackOutbox } from '../shared/adapters/dynamodb-callback-outbox.ts';
import { DynamoDbCompromisedMerchants } from '../shared/adapters/dynamodb-compromised-merchants.ts';
import { DynamoDbErasureMarkers } from '../shared/adapters/dynamodb-erasure-markers.ts';
import { DynamoDbThresholdStore } from '../shared/adapters/dynamodb-threshold-store.ts';
import { reporterKeyFrom } from '../shared/adapters/secret-store-reporter-key.ts';
import { subscriberRefKeyFrom } from '../shared/adapters/secret-store-subscriber-ref-key.ts';
import { storedAlertsItemSchema, storedSubscriberSchema } from '../shared/adapters/stored-address.ts';
import { type NotifyBankItem, type NotifyBankPorts, notifyBank } from '../shared/domain/notify-bank.ts';
import { itemByShape } from '../shared/domain/table-items.ts';
import * as z from '../shared/domain/zod.ts';
import { systemClock } from '../shared/ports/clock.ts';
import {
  awsEnvironment,
  dynamoDbFrom,
  secretStoreFrom,
  secretsEnvironment,
} from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { lazyHandler, streamHandler } from '../shared/runtime/handler-bundles.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { count } from '../shared/runtime/metrics.ts';

// Consumes the alerts and subscribers streams: each status change becomes callbacks in the
// outbox (shared/domain/notify-bank.ts). Nothing here calls a bank (decision 6).

export type { NotifyBankPorts };

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: NotifyBankPorts, log: Logger = functionLogger()) {
  return streamHandler(
    log,
    itemByShape<NotifyBankItem>((item) =>
      'alertId' in item ? storedAlertsItemSchema : storedSubscriberSchema,
    ),
    async (change) => {
      const outcome = await notifyBank(change, ports);
      if (outcome.type === 'erased') {
        log.info('callback dropped: customer erased', { bankId: outcome.bankId, type: outcome.callbackType });
        count('CallbackDroppedAfterErasure');
      }
      if (outcome.type === 'queued' && outcome.merchantsMarked > 0) {
        log.info('merchants marked compromised', {
          bankId: outcome.callbacks[0]?.bankId,
          merchants: outcome.merchantsMarked,
        });
        count('MerchantsMarked', undefined, outcome.merchantsMarked);
      }
      for (const { stored, ...callback } of outcome.type === 'queued' ? outcome.callbacks : []) {
        log.info('callback queued', { ...callback, stored });
        if (stored) count('CallbackQueued', { type: callback.type });
      }
    },
  );
}

export const envSchema = z.object({
  CALLBACKS_TABLE: z.string().check(z.minLength(1)),
  ACTIVITY_TABLE: z.string().check(z.minLength(1)),
  THRESHOLDS_TABLE: z.string().check(z.minLength(1)),
  ...secretsEnvironment,
  ...awsEnvironment,
});

/** The composition root: the adapters this function runs with, from its environment. */
export function portsFrom(env: z.output<typeof envSchema>): NotifyBankPorts {
  const dynamoDb = dynamoDbFrom(env);
  const secretStore = secretStoreFrom(env);
  return {
    outbox: new DynamoDbCallbackOutbox(dynamoDb, env.CALLBACKS_TABLE),
    clock: systemClock,
    erasures: new DynamoDbErasureMarkers(dynamoDb, env.ACTIVITY_TABLE),
    subscriberRefKey: subscriberRefKeyFrom(secretStore, env.SECRET_PREFIX),
    fraudFeedback: {
      merchants: new DynamoDbCompromisedMerchants(dynamoDb, env.ACTIVITY_TABLE),
      thresholds: new DynamoDbThresholdStore(dynamoDb, env.THRESHOLDS_TABLE),
      reporterKey: reporterKeyFrom(secretStore, env.SECRET_PREFIX),
    },
  };
}

export const handler = lazyHandler(() => createHandler(portsFrom(parseEnv(envSchema))));
