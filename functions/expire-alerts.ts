import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbAlertStore } from '../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import { type ExpireAlertsPorts, expireAlerts } from '../shared/domain/expire-alerts.ts';
import * as z from '../shared/domain/zod.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { awsEnvironment, dynamoDbFrom } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { lazyHandler, scheduledHandler } from '../shared/runtime/handler-bundles.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { count } from '../shared/runtime/metrics.ts';

// Scheduled: expires unanswered fraud checks past their deadline.

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: ExpireAlertsPorts, log: Logger = functionLogger()) {
  return scheduledHandler<unknown, { expired: number }>(log, async () => {
    const result = await expireAlerts(ports);
    if (result.expired > 0) log.info('alerts expired', result);
    count('AlertExpired', undefined, result.expired);
    return result;
  });
}

export const envSchema = z.object({
  ALERTS_TABLE: z.string().check(z.minLength(1)),
  BANKS_TABLE: z.string().check(z.minLength(1)),
  ...awsEnvironment,
});

/** The composition root: the adapters this function runs with, from its environment. */
export function portsFrom(env: z.output<typeof envSchema>): ExpireAlertsPorts {
  const dynamoDb = dynamoDbFrom(env);
  return {
    alerts: new DynamoDbAlertStore(dynamoDb, env.ALERTS_TABLE),
    banks: new DynamoDbBankDirectory(dynamoDb, env.BANKS_TABLE),
    clock: systemClock,
  };
}

export const handler = lazyHandler(() => createHandler(portsFrom(parseEnv(envSchema))));
