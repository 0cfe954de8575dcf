import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbCallbackOutbox } from '../shared/adapters/dynamodb-callback-outbox.ts';
import { DynamoDbErasureMarkers } from '../shared/adapters/dynamodb-erasure-markers.ts';
import { subscriberRefKeyFrom } from '../shared/adapters/secret-store-subscriber-ref-key.ts';
import { alertFromItem, subscriberFromItem } from '../shared/adapters/stored-address.ts';
import type { Alert } from '../shared/domain/alert.ts';
import { alertCallbacks, subscriberCallback, subscriberRef } from '../shared/domain/bank-callback.ts';
import { newDelivery } from '../shared/domain/callback-delivery.ts';
import { coveredByErasure } from '../shared/domain/erasure.ts';
import type { Subscriber } from '../shared/domain/subscriber.ts';
import type { CallbackOutbox } from '../shared/ports/callback-outbox.ts';
import { type Clock, systemClock } from '../shared/ports/clock.ts';
import type { ErasureMarkers } from '../shared/ports/erasure.ts';
import { dynamoDb, secretStoreFrom, secretsEnvironment } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { count, metrics } from '../shared/runtime/metrics.ts';

// Consumes the alerts and subscribers streams: each status change becomes one callback in the
// outbox. Nothing here calls a bank, so a bank that is down delays nothing (decision 6).

export interface NotifyBankPorts {
  readonly outbox: CallbackOutbox;
  readonly clock: Clock;
  readonly erasures: ErasureMarkers;
  /** The per-deployment key of subscriberRef. */
  readonly subscriberRefKey: () => Promise<string>;
}

type Image = Record<string, AttributeValue>;
const read = (image: unknown) => (image === undefined ? undefined : unmarshall(image as Image));
const alertOf = (image: unknown): Alert | undefined => mapDefined(read(image), alertFromItem);
const subscriberOf = (image: unknown): Subscriber | undefined => mapDefined(read(image), subscriberFromItem);
const mapDefined = <T, U>(value: T | undefined, f: (value: T) => U) =>
  value === undefined ? undefined : f(value);

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: NotifyBankPorts, log: Logger = functionLogger()) {
  const enqueueRecord = async (record: DynamoDBRecord): Promise<void> => {
    const before = record.dynamodb?.OldImage;
    const after = record.dynamodb?.NewImage;
    const now = ports.clock.now();
    const isAlert = (after ?? before)?.alertId !== undefined;
    // The open-check item of a customer is no alert: the bank hears of it through the alerts.
    if (isAlert && (after ?? before)?.kind === undefined) return;
    const refKey = isAlert ? '' : await ports.subscriberRefKey();
    const callbacks = isAlert
      ? after
        ? alertCallbacks(alertOf(before), alertOf(after) as Alert, now)
        : []
      : [
          subscriberCallback(subscriberOf(before), subscriberOf(after), now, (address, channel) =>
            subscriberRef(refKey, channel, address),
          ),
        ];
    const first = callbacks[0];
    if (first === undefined) return;
    // No callback about an alert whose customer was erased after its event arrived.
    const alert = isAlert ? alertOf(after) : undefined;
    if (alert?.erasureRef !== undefined && alert.receivedAt !== undefined) {
      const erasedAt = await ports.erasures.erasedAt(alert.erasureRef);
      if (coveredByErasure(erasedAt, { erasureRef: alert.erasureRef, receivedAt: alert.receivedAt })) {
        log.info('callback dropped: customer erased', { bankId: first.bankId, type: first.type });
        count('CallbackDroppedAfterErasure');
        return;
      }
    }
    for (const callback of callbacks) {
      if (callback === undefined) continue;
      const stored = await ports.outbox.enqueue(newDelivery(callback, now));
      log.info('callback queued', {
        bankId: callback.bankId,
        type: callback.type,
        deliveryId: callback.id,
        stored,
      });
      if (stored) count('CallbackQueued', { type: callback.type });
    }
  };

  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler(async (event, context) => {
      const processor = new BatchProcessor(EventType.DynamoDBStreams);
      return processPartialResponse(event, enqueueRecord, processor, { context, processInParallel: true });
    });
}

const env = parseEnv(
  z.object({ CALLBACKS_TABLE: z.string().min(1), ACTIVITY_TABLE: z.string().min(1), ...secretsEnvironment }),
);

export const handler = createHandler({
  outbox: new DynamoDbCallbackOutbox(dynamoDb, env.CALLBACKS_TABLE),
  clock: systemClock,
  erasures: new DynamoDbErasureMarkers(dynamoDb, env.ACTIVITY_TABLE),
  subscriberRefKey: subscriberRefKeyFrom(secretStoreFrom(env), env.SECRET_PREFIX),
});
