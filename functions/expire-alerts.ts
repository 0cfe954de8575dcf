import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { DynamoDbAlertStore } from '../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBankDirectory } from '../shared/adapters/dynamodb-bank-directory.ts';
import { expireAlerts } from '../shared/domain/expire-alerts.ts';
import type { AlertStore } from '../shared/ports/alert-store.ts';
import type { BankDirectory } from '../shared/ports/bank-directory.ts';
import { type Clock, systemClock } from '../shared/ports/clock.ts';
import { dynamoDb } from '../shared/runtime/aws-clients.ts';
import { parseEnv } from '../shared/runtime/env.ts';
import { functionLogger } from '../shared/runtime/logger.ts';
import { count, metrics } from '../shared/runtime/metrics.ts';

// Scheduled: expires unanswered fraud checks past their deadline.

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(
  ports: { alerts: AlertStore; banks: BankDirectory; clock: Clock },
  log: Logger = functionLogger(),
) {
  return middy<unknown, { expired: number }>()
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .handler(async () => {
      const result = await expireAlerts(ports);
      if (result.expired > 0) log.info('alerts expired', result);
      count('AlertExpired', undefined, result.expired);
      return result;
    });
}

const env = parseEnv(z.object({ ALERTS_TABLE: z.string().min(1), BANKS_TABLE: z.string().min(1) }));

export const handler = createHandler({
  alerts: new DynamoDbAlertStore(dynamoDb, env.ALERTS_TABLE),
  banks: new DynamoDbBankDirectory(dynamoDb, env.BANKS_TABLE),
  clock: systemClock,
});
