import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { inject } from 'vitest';
import { createHandler } from '../../functions/score-bank-event.ts';
import { localAwsConfig } from '../../local/local-stack.ts';
import { type DeadLetter, type StreamPoller, startStreamPoller } from '../../local/stream-poller.ts';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBalanceWatch } from '../../shared/adapters/dynamodb-balance-watch.ts';
import { DynamoDbCompromisedMerchants } from '../../shared/adapters/dynamodb-compromised-merchants.ts';
import { DynamoDbCustomerHistory } from '../../shared/adapters/dynamodb-customer-history.ts';
import { DynamoDbCustomerSettings } from '../../shared/adapters/dynamodb-customer-settings.ts';
import { DynamoDbErasedDataCleaner } from '../../shared/adapters/dynamodb-erasure-markers.ts';
import { DynamoDbEventStore } from '../../shared/adapters/dynamodb-event-store.ts';
import { DynamoDbThresholdStore } from '../../shared/adapters/dynamodb-threshold-store.ts';
import type { ScoreBankEventPorts } from '../../shared/domain/score-bank-event.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { type StreamSettings, scoringStream } from '../../shared/runtime/stream-settings.ts';
import { TEST_REPORTER_KEY } from './test-keys.ts';
import type { TestTables } from './test-tables.ts';

/** The scorer's ports on the test's tables. */
export function scoringPorts(tables: TestTables): ScoreBankEventPorts {
  const { documentClient: client, names } = tables;
  return {
    thresholds: new DynamoDbThresholdStore(client, names.thresholds),
    history: new DynamoDbCustomerHistory(client, names.activity),
    merchants: new DynamoDbCompromisedMerchants(client, names.activity),
    reporterKey: async () => TEST_REPORTER_KEY,
    balances: new DynamoDbBalanceWatch(client, names.activity),
    alerts: new DynamoDbAlertStore(client, names.alerts),
    events: new DynamoDbEventStore(client, names.events),
    clock: systemClock,
    erasures: new DynamoDbErasedDataCleaner(client, names),
    customerSettings: new DynamoDbCustomerSettings(client, names.thresholds),
  };
}

export interface TestScoring {
  readonly handler: ReturnType<typeof createHandler>;
  readonly deadLetters: DeadLetter[];
  stop(): Promise<void>;
}

/** score-bank-event fed by local mode's poller from the test's events table stream. */
export async function startTestScoring(
  tables: TestTables,
  options: { settings?: Partial<StreamSettings>; logger?: Logger; ports?: Partial<ScoreBankEventPorts> } = {},
): Promise<TestScoring> {
  const handler = createHandler({ ...scoringPorts(tables), ...options.ports }, options.logger);
  const deadLetters: DeadLetter[] = [];
  const poller: StreamPoller = await startStreamPoller({
    dynamoDb: tables.client,
    streams: new DynamoDBStreamsClient(localAwsConfig(inject('dynamoDbEndpoint'))),
    tableName: tables.names.events,
    functionName: 'score-bank-event',
    handler,
    settings: { ...scoringStream, ...options.settings },
    onDeadLetter: (letter) => {
      deadLetters.push(letter);
    },
    pollIntervalMs: 20,
  });
  return { handler, deadLetters, stop: () => poller.stop() };
}
