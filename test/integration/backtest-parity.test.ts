import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../bench/simulate.ts';
import { DynamoDbCompromisedMerchants } from '../../shared/adapters/dynamodb-compromised-merchants.ts';
import { DynamoDbThresholdStore } from '../../shared/adapters/dynamodb-threshold-store.ts';
import { inMemoryScoringPorts } from '../../shared/adapters/in-memory-scoring-ports.ts';
import { InMemoryThresholdStore } from '../../shared/adapters/in-memory-threshold-store.ts';
import { DAY_MS } from '../../shared/domain/activity.ts';
import { type HistoryEvent, ReplayClock, type ReplayResult, replay } from '../../shared/domain/backtest.ts';
import { BUILT_IN_THRESHOLDS, mergeThresholds, type Thresholds } from '../../shared/domain/thresholds.ts';
import { scoringPorts } from '../support/test-scoring.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// The backtest's in-memory stores against the production DynamoDB adapters: the same history,
// replayed through scoreBankEvent on both, must give the same decision for every transaction.

const BANK = 'parity-bank';
// The defaults, with the two rules off by default weighted, marks after one report and reports
// one day late, so that a short sample exercises every rule, the feedback included.
const THRESHOLDS: Thresholds = mergeThresholds(BUILT_IN_THRESHOLDS, {
  homeCountries: ['FR'],
  weights: { newCountry: 10, newMerchantCategory: 10 },
  compromisedMerchants: { minReporters: 1 },
});
const { events, labels } = simulate({
  seed: 11,
  customers: 20,
  days: 8,
  // In the future: DynamoDB Local removes items whose TTL has passed, as DynamoDB does.
  start: '2036-01-07T00:00:00Z',
});
const history: HistoryEvent[] = events.map(({ webhookId, event }) => ({ eventId: webhookId, event }));
const frauds = new Set(labels.filter((label) => label.fraud).map((label) => label.transactionId));

async function replayWith(ports: Parameters<typeof replay>[1], clock: ReplayClock): Promise<ReplayResult> {
  await ports.thresholds.putBankDefault(BANK, THRESHOLDS);
  return replay(history, ports, {
    bankId: BANK,
    clock,
    fraudReports: frauds,
    reportDelayMs: DAY_MS,
    disputes: frauds,
    answerDelayMs: 600_000,
  });
}

let tables: TestTables;
beforeAll(async () => {
  tables = await createTestTables();
});

describe('backtest parity', () => {
  it('decides every transaction as the DynamoDB scoring path does', { timeout: 240_000 }, async () => {
    const memoryClock = new ReplayClock();
    const inMemory = await replayWith(
      inMemoryScoringPorts(new InMemoryThresholdStore(), memoryClock),
      memoryClock,
    );
    const dynamoClock = new ReplayClock();
    const dynamo = await replayWith(
      {
        ...scoringPorts(tables),
        // The replay's clock everywhere, the threshold cache included.
        thresholds: new DynamoDbThresholdStore(tables.documentClient, tables.names.thresholds, () =>
          dynamoClock.now().getTime(),
        ),
        merchants: new DynamoDbCompromisedMerchants(tables.documentClient, tables.names.activity),
        clock: dynamoClock,
      },
      dynamoClock,
    );

    expect(dynamo.decisions).toHaveLength(labels.length);
    expect(dynamo.decisions).toEqual(inMemory.decisions);
    expect(dynamo.notices).toBe(inMemory.notices);
    expect(dynamo.feedback).toEqual(inMemory.feedback);
    // The sample is worth comparing: alerts, and every history rule among their reasons.
    const rules = new Set(
      inMemory.decisions.flatMap((decision) => decision.reasons.map((reason) => reason.rule)),
    );
    expect(inMemory.decisions.filter((decision) => decision.alert).length).toBeGreaterThan(10);
    for (const rule of [
      'unusualAmount',
      'largeAmount',
      'newCountry',
      'newMerchantCategory',
      'cardTesting',
      'compromisedMerchant',
    ])
      expect(rules, rule).toContain(rule);
    expect(inMemory.feedback.reports).toBeGreaterThan(0);
    // The alerts were written where production writes them.
    const stored = (await tables.scan('alerts')).filter((alert) => alert.kind === 'fraud_check');
    expect(stored).toHaveLength(inMemory.decisions.filter((decision) => decision.alert).length);
  });
});
