import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbCallbackOutbox } from '../shared/adapters/dynamodb-callback-outbox.ts';
import { GuardedCallbackSender } from '../shared/adapters/guarded-callback-sender.ts';
import { SecretStoreBankSecrets } from '../shared/adapters/secret-store-bank-secrets.ts';
import type { CallbackDelivery } from '../shared/domain/callback-delivery.ts';
import { type DeliverCallbackPorts, deliverCallback } from '../shared/domain/deliver-callback.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { dynamoDb, secretStoreFrom, secretsEnvironment } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { count, metrics } from '../shared/runtime/metrics.ts';

// Delivers bank callbacks from the outbox: at once when a callback is queued (the callbacks
// table's stream), then on a schedule for those that failed. Each bank is served on its own, so a
// bank that is down only slows its own callbacks.

/** Callbacks per bank per scheduled run; the rest wait for the next run. */
const PER_BANK_LIMIT = 25;
/** A bank that failed is not tried at once again for this long: the retrier takes over. */
const COOL_DOWN_MS = 60_000;

export type ScheduledRun = { readonly source?: string };

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: DeliverCallbackPorts, log: Logger = functionLogger()) {
  const failedAt = new Map<string, number>();
  const attempt = async (delivery: CallbackDelivery) => {
    let error: string | undefined;
    const outcome = await deliverCallback(delivery, {
      ...ports,
      onFailure: (failure) => {
        error = failure;
      },
    });
    if (outcome === 'retry' || outcome === 'dead') failedAt.set(delivery.bankId, Date.now());
    if (outcome === 'delivered') failedAt.delete(delivery.bankId);
    count('CallbackAttempt', { outcome });
    log.info('callback attempt', {
      bankId: delivery.bankId,
      deliveryId: delivery.deliveryId,
      type: delivery.type,
      outcome,
      // Why it will be retried (or gave up): the bank's status or the network error.
      ...(error !== undefined && { error }),
    });
    return outcome;
  };

  const firstAttempt = async (record: DynamoDBRecord) => {
    if (record.eventName !== 'INSERT' || record.dynamodb?.NewImage === undefined) return;
    const delivery = unmarshall(
      record.dynamodb.NewImage as Record<string, AttributeValue>,
    ) as CallbackDelivery;
    const lastFailure = failedAt.get(delivery.bankId);
    if (lastFailure !== undefined && Date.now() - lastFailure < COOL_DOWN_MS) return;
    await attempt(delivery);
  };

  const retryDue = async () => {
    const now = ports.clock.now();
    const banks = await ports.banks.list();
    const outcomes = await Promise.all(
      banks.map(async (bankId) => {
        const results: string[] = [];
        // One at a time within a bank, in order; banks side by side.
        for (const delivery of await ports.outbox.due(bankId, now, PER_BANK_LIMIT))
          results.push(await attempt(delivery));
        return results;
      }),
    );
    // Due callbacks found this run: the backlog the alarm watches.
    count('CallbackBacklog', undefined, outcomes.flat().length);
    return { attempted: outcomes.flat().length };
  };

  return middy<DynamoDBStreamEvent | ScheduledRun, DynamoDBBatchResponse | { attempted: number }>()
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler(async (event, context) => {
      if (!('Records' in event)) return retryDue();
      const processor = new BatchProcessor(EventType.DynamoDBStreams);
      return processPartialResponse(event, firstAttempt, processor, { context, processInParallel: true });
    });
}

const env = parseEnv(
  z.object({
    CALLBACKS_TABLE: z.string().min(1),
    BANKS_TABLE: z.string().min(1),
    ...secretsEnvironment,
  }),
);

/** Only local mode reads secrets from a file; only local mode may call loopback. */
const localMode = env.LOCAL_SECRETS_FILE !== undefined;

export const handler = createHandler({
  outbox: new DynamoDbCallbackOutbox(dynamoDb, env.CALLBACKS_TABLE),
  banks: new DynamoDbBankDirectory(dynamoDb, env.BANKS_TABLE),
  secrets: new SecretStoreBankSecrets(secretStoreFrom(env), env.SECRET_PREFIX),
  sender: new GuardedCallbackSender({ allowLoopback: localMode }),
  clock: systemClock,
  allowLoopbackHttp: localMode,
});
