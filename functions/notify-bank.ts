import type { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { DynamoDbCallbackOutbox } from '../shared/adapters/dynamodb-callback-outbox.ts';
import { DynamoDbErasureMarkers } from '../shared/adapters/dynamodb-erasure-markers.ts';
import { subscriberRefKeyFrom } from '../shared/adapters/secret-store-subscriber-ref-key.ts';
import { storedAlertsItemSchema, storedSubscriberSchema } from '../shared/adapters/stored-address.ts';
import { type NotifyBankItem, type NotifyBankPorts, notifyBank } from '../shared/domain/notify-bank.ts';
import { itemByShape } from '../shared/domain/table-items.ts';
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
      for (const { stored, ...callback } of outcome.type === 'queued' ? outcome.callbacks : []) {
        log.info('callback queued', { ...callback, stored });
        if (stored) count('CallbackQueued', { type: callback.type });
      }
    },
  );
}

export const envSchema = z.object({
  CALLBACKS_TABLE: z.string().min(1),
  ACTIVITY_TABLE: z.string().min(1),
  ...secretsEnvironment,
  ...awsEnvironment,
});

/** The composition root: the adapters this function runs with, from its environment. */
export function portsFrom(env: z.output<typeof envSchema>): NotifyBankPorts {
  const dynamoDb = dynamoDbFrom(env);
  return {
    outbox: new DynamoDbCallbackOutbox(dynamoDb, env.CALLBACKS_TABLE),
    clock: systemClock,
    erasures: new DynamoDbErasureMarkers(dynamoDb, env.ACTIVITY_TABLE),
    subscriberRefKey: subscriberRefKeyFrom(secretStoreFrom(env), env.SECRET_PREFIX),
  };
}

export const handler = lazyHandler(() => createHandler(portsFrom(parseEnv(envSchema))));
