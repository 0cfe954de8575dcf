import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbAlertStore } from '../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBalanceWatch } from '../shared/adapters/dynamodb-balance-watch.ts';
import { DynamoDbCompromisedMerchants } from '../shared/adapters/dynamodb-compromised-merchants.ts';
import { DynamoDbCustomerHistory } from '../shared/adapters/dynamodb-customer-history.ts';
import { DynamoDbCustomerSettings } from '../shared/adapters/dynamodb-customer-settings.ts';
import { DynamoDbErasedDataCleaner } from '../shared/adapters/dynamodb-erasure-markers.ts';
import { DynamoDbEventStore } from '../shared/adapters/dynamodb-event-store.ts';
import { DynamoDbThresholdStore } from '../shared/adapters/dynamodb-threshold-store.ts';
import { reporterKeyFrom } from '../shared/adapters/secret-store-reporter-key.ts';
import { type ScoreBankEventPorts, scoreBankEvent } from '../shared/domain/score-bank-event.ts';
import type { StoredEvent } from '../shared/domain/stored-event.ts';
import { storedEventSchema } from '../shared/domain/stored-event-schema.ts';
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

// Consumes the events table's stream (inserts): scores each new bank event once. Records are
// scored side by side: exactness does not depend on their order (decision 3).

/** Builds the handler around the given ports; tests pass their own. */
export function createHandler(ports: ScoreBankEventPorts, log: Logger = functionLogger()) {
  return streamHandler(log, storedEventSchema, async ({ eventName, after }) => {
    if (eventName !== 'INSERT' || after === undefined) return;
    const event = after as StoredEvent;
    const outcome = await scoreBankEvent(event, ports);
    const ids = { bankId: event.bankId, eventId: event.eventId };
    if (outcome.type === 'already-scored') return log.info('event already scored', ids);
    // A redelivery that found its decision kept and had nothing left to create.
    if (outcome.type === 'card.transaction' && outcome.replayed && !outcome.alertCreated)
      return log.info('event already scored', ids);
    if (outcome.type === 'erased') {
      log.info('event of an erased customer dropped', ids);
      return count('EventDroppedAfterErasure');
    }
    count('EventScored', { type: event.type });
    if (outcome.alertCreated)
      count('AlertCreated', { kind: event.type === 'card.transaction' ? 'fraud_check' : 'low_balance' });
    // Ids, score and rule names only: no customer id, amount or merchant (docs/contract.md#privacy).
    log.info(outcome.alertCreated ? 'alert created' : 'event scored', {
      ...ids,
      type: event.type,
      ...(outcome.type === 'card.transaction' && { score: outcome.decision.score }),
      rules: outcome.type === 'card.transaction' ? outcome.decision.reasons.map((reason) => reason.rule) : [],
      alert: outcome.alertId !== undefined,
      alertCreated: outcome.alertCreated,
      // Whether it opened a fraud check or joined the open one (docs/scoring.md).
      ...('checkId' in outcome &&
        outcome.checkId !== undefined && { joinedCheck: outcome.checkId !== outcome.alertId }),
    });
  });
}

export const envSchema = z.object({
  EVENTS_TABLE: z.string().check(z.minLength(1)),
  THRESHOLDS_TABLE: z.string().check(z.minLength(1)),
  ACTIVITY_TABLE: z.string().check(z.minLength(1)),
  ALERTS_TABLE: z.string().check(z.minLength(1)),
  ...secretsEnvironment,
  ...awsEnvironment,
});

/** The composition root: the adapters this function runs with, from its environment. */
export function portsFrom(env: z.output<typeof envSchema>): ScoreBankEventPorts {
  const dynamoDb = dynamoDbFrom(env);
  return {
    thresholds: new DynamoDbThresholdStore(dynamoDb, env.THRESHOLDS_TABLE),
    history: new DynamoDbCustomerHistory(dynamoDb, env.ACTIVITY_TABLE),
    merchants: new DynamoDbCompromisedMerchants(dynamoDb, env.ACTIVITY_TABLE),
    reporterKey: reporterKeyFrom(secretStoreFrom(env), env.SECRET_PREFIX),
    balances: new DynamoDbBalanceWatch(dynamoDb, env.ACTIVITY_TABLE),
    alerts: new DynamoDbAlertStore(dynamoDb, env.ALERTS_TABLE),
    events: new DynamoDbEventStore(dynamoDb, env.EVENTS_TABLE),
    clock: systemClock,
    erasures: new DynamoDbErasedDataCleaner(dynamoDb, {
      activity: env.ACTIVITY_TABLE,
      events: env.EVENTS_TABLE,
      alerts: env.ALERTS_TABLE,
    }),
    customerSettings: new DynamoDbCustomerSettings(dynamoDb, env.THRESHOLDS_TABLE),
  };
}

export const handler = lazyHandler(() => createHandler(portsFrom(parseEnv(envSchema))));
