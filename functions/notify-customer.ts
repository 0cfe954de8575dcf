import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbAlertStore } from '../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbErasedDataCleaner } from '../shared/adapters/dynamodb-erasure-markers.ts';
import { DynamoDbSubscriberStore } from '../shared/adapters/dynamodb-subscriber-store.ts';
import { storedAlertsItemSchema } from '../shared/adapters/stored-address.ts';
import { awaitingSend } from '../shared/domain/alert.ts';
import { type NotifyCustomerPorts, notifyCustomer, sendFollowUp } from '../shared/domain/notify-customer.ts';
import * as z from '../shared/domain/zod.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { awsEnvironment, dynamoDbFrom } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { lazyHandler, streamHandler } from '../shared/runtime/handler-bundles.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { messengerEnvironment } from '../shared/runtime/messenger-clients.ts';
import { count } from '../shared/runtime/metrics.ts';
import { notifyStream } from '../shared/runtime/stream-settings.ts';
import { channelsFrom } from '../shared/runtime/whatsapp-clients.ts';

// Consumes the alerts table's stream: sends each new alert to its customer once, in parallel,
// each failure reported on its own; a fraud check that transactions joined may get a follow-up.

export type NotifyPorts = Omit<NotifyCustomerPorts, 'remainingMs'>;

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: NotifyPorts, log: Logger = functionLogger()) {
  return streamHandler(log, storedAlertsItemSchema, async ({ eventName, after: alert }, context) => {
    // A customer's open-check item is no alert to send.
    if (alert?.kind === undefined) return;
    // A pending alert changed without a send claim (re-driven in place, or joined before it was
    // sent) is sent like a new one: the claim makes any duplicate record send nothing.
    if (eventName === 'MODIFY' && !awaitingSend(alert)) {
      const followUp = await sendFollowUp(alert, ports);
      if (followUp.status === 'sent' || ['send_failed', 'rate_limited'].includes(followUp.reason)) {
        log.info('follow-up', { bankId: alert.bankId, alertRef: alert.ref, ...followUp });
        count('FollowUp', { outcome: followUp.status === 'sent' ? 'sent' : followUp.reason });
      }
      return;
    }
    if (eventName !== 'INSERT' && eventName !== 'MODIFY') return;
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
  });
}

export const envSchema = z.object({
  ALERTS_TABLE: z.string().check(z.minLength(1)),
  ACTIVITY_TABLE: z.string().check(z.minLength(1)),
  SUBSCRIBERS_TABLE: z.string().check(z.minLength(1)),
  BANKS_TABLE: z.string().check(z.minLength(1)),
  ...messengerEnvironment,
  ...awsEnvironment,
});

/** The composition root: the adapters this function runs with, from its environment. */
export function portsFrom(env: z.output<typeof envSchema>): NotifyPorts {
  const dynamoDb = dynamoDbFrom(env);
  return {
    alerts: new DynamoDbAlertStore(dynamoDb, env.ALERTS_TABLE),
    subscribers: new DynamoDbSubscriberStore(dynamoDb, env.SUBSCRIBERS_TABLE),
    banks: new DynamoDbBankDirectory(dynamoDb, env.BANKS_TABLE),
    channels: channelsFrom(env),
    clock: systemClock,
    erasures: new DynamoDbErasedDataCleaner(dynamoDb, {
      activity: env.ACTIVITY_TABLE,
      alerts: env.ALERTS_TABLE,
    }),
    sleep: (ms) => sleep(ms),
    maxAttempts: notifyStream.retryAttempts + 1,
  };
}

export const handler = lazyHandler(() => createHandler(portsFrom(parseEnv(envSchema))));
