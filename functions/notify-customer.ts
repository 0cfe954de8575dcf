import { setTimeout as sleep } from 'node:timers/promises';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbAlertStore } from '../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbErasedDataCleaner } from '../shared/adapters/dynamodb-erasure-markers.ts';
import { DynamoDbSubscriberStore } from '../shared/adapters/dynamodb-subscriber-store.ts';
import { alertFromItem } from '../shared/adapters/stored-address.ts';
import { type NotifyCustomerPorts, notifyCustomer, sendFollowUp } from '../shared/domain/notify-customer.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { dynamoDb } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { messengerEnvironment } from '../shared/runtime/messenger-clients.ts';
import { count, metrics } from '../shared/runtime/metrics.ts';
import { notifyStream } from '../shared/runtime/stream-settings.ts';
import { channelsFrom } from '../shared/runtime/whatsapp-clients.ts';

// Consumes the alerts table's stream (inserts): sends each new alert to its customer once.

export type NotifyPorts = Omit<NotifyCustomerPorts, 'remainingMs'>;

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: NotifyPorts, log: Logger = functionLogger()) {
  const notifyRecord = (context: Context) => async (record: DynamoDBRecord) => {
    if (record.dynamodb?.NewImage === undefined) return;
    const alert = alertFromItem(unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>));
    // A customer's open-check item is no alert to send.
    if (alert.kind === undefined) return;
    // A pending alert changed without a send claim (re-driven in place, or joined before it was
    // sent) is sent like a new one: the claim makes any duplicate record send nothing.
    const unsent = alert.status === 'pending' && alert.sendClaimedAt === undefined;
    if (record.eventName === 'MODIFY' && !unsent) {
      // A fraud check that transactions joined: perhaps a follow-up message.
      const followUp = await sendFollowUp(alert, ports);
      if (followUp.status === 'sent' || ['send_failed', 'rate_limited'].includes(followUp.reason)) {
        log.info('follow-up', { bankId: alert.bankId, alertRef: alert.ref, ...followUp });
        count('FollowUp', { outcome: followUp.status === 'sent' ? 'sent' : followUp.reason });
      }
      return;
    }
    if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return;
    const outcome = await notifyCustomer(alert, {
      ...ports,
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
    log.info('alert notified', { bankId: alert.bankId, alertRef: alert.ref, kind: alert.kind, ...outcome });
    count('AlertNotified', { outcome: outcome.status === 'sent' ? outcome.messagingType : outcome.reason });
    if (outcome.status === 'sent' && outcome.tries > 1) count('SendApiRetry', undefined, outcome.tries - 1);
    if (outcome.status === 'undeliverable' && outcome.reason.startsWith('send_error_')) {
      count('SendApiError', { code: outcome.reason.slice('send_error_'.length) });
    }
  };

  return middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler(async (event, context) => {
      // Alerts are independent: sent in parallel, each failure reported on its own.
      const processor = new BatchProcessor(EventType.DynamoDBStreams);
      return processPartialResponse(event, notifyRecord(context), processor, {
        context,
        processInParallel: true,
      });
    });
}

const env = parseEnv(
  z.object({
    ALERTS_TABLE: z.string().min(1),
    ACTIVITY_TABLE: z.string().min(1),
    SUBSCRIBERS_TABLE: z.string().min(1),
    BANKS_TABLE: z.string().min(1),
    ...messengerEnvironment,
  }),
);

const channels = channelsFrom(env);

export const handler = createHandler({
  alerts: new DynamoDbAlertStore(dynamoDb, env.ALERTS_TABLE),
  subscribers: new DynamoDbSubscriberStore(dynamoDb, env.SUBSCRIBERS_TABLE),
  banks: new DynamoDbBankDirectory(dynamoDb, env.BANKS_TABLE),
  channels,
  clock: systemClock,
  erasures: new DynamoDbErasedDataCleaner(dynamoDb, {
    activity: env.ACTIVITY_TABLE,
    alerts: env.ALERTS_TABLE,
  }),
  sleep: (ms) => sleep(ms),
  maxAttempts: notifyStream.retryAttempts + 1,
});
