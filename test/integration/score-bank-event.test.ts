import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../local/lambda-http-server.ts';
import { DEMO_THRESHOLDS } from '../../local/seed-demo.ts';
import { DynamoDbBalanceWatch } from '../../shared/adapters/dynamodb-balance-watch.ts';
import { DynamoDbCustomerHistory } from '../../shared/adapters/dynamodb-customer-history.ts';
import { DynamoDbEventStore } from '../../shared/adapters/dynamodb-event-store.ts';
import { DynamoDbThresholdStore } from '../../shared/adapters/dynamodb-threshold-store.ts';
import type { BankEvent } from '../../shared/domain/bank-event.ts';
import { type StoredEvent, toStoredEvent } from '../../shared/domain/stored-event.ts';
import { accountBalance, cardTransaction, suspiciousTransaction } from '../fixtures/bank-events.ts';
import { captureLogs, debugLogger } from '../support/capture-logs.ts';
import { startTestBankApi, type TestBankApi } from '../support/test-bank-api.ts';
import { startTestScoring, type TestScoring } from '../support/test-scoring.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';
import { waitFor } from '../support/wait-for.ts';

const BANK = 'acme-bank';
let tables: TestTables;
let api: TestBankApi;
let scoring: TestScoring;
let events: DynamoDbEventStore;
let history: DynamoDbCustomerHistory;
let sequence = 0;

beforeAll(async () => {
  tables = await createTestTables();
  await new DynamoDbThresholdStore(tables.documentClient, tables.names.thresholds).putBankDefault(
    BANK,
    DEMO_THRESHOLDS,
  );
  api = await startTestBankApi(tables, [BANK]);
  scoring = await startTestScoring(tables, { settings: { retryAttempts: 2 } });
  events = new DynamoDbEventStore(tables.documentClient, tables.names.events);
  history = new DynamoDbCustomerHistory(tables.documentClient, tables.names.activity);
});
afterAll(async () => {
  await api.close();
  await scoring.stop();
});

async function store(event: BankEvent): Promise<StoredEvent> {
  const stored = toStoredEvent(BANK, `evt_${++sequence}`, event, new Date());
  await events.putIfAbsent(stored);
  return stored;
}

async function alertsOf(customerId: string) {
  return (await tables.scan('alerts')).filter((alert) => alert.customerId === customerId);
}

async function eventItem(eventId: string) {
  return (await tables.scan('events')).find((item) => item.eventId === eventId);
}

/** The stream event Lambda would deliver for these stored events. */
function streamEventOf(...stored: StoredEvent[]): DynamoDBStreamEvent {
  return {
    Records: stored.map((item, index) => ({
      eventID: `redelivery-${index}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: marshall({ eventKey: item.eventKey }) as never,
        NewImage: marshall(item, { removeUndefinedValues: true }) as never,
        SequenceNumber: `${Date.now()}${index}`,
        StreamViewType: 'NEW_IMAGE',
      },
    })),
  };
}

describe('score-bank-event on the events stream', () => {
  it('turns a suspicious signed event into exactly one alert with its reasons, logged without personal data', async () => {
    await tables.subscribe(BANK, 'cus_suspicious');
    const response = await api.postSigned(
      BANK,
      JSON.stringify(suspiciousTransaction('cus_suspicious', 'txn_s1')),
      'evt_s1',
    );
    expect(response.status).toBe(202);

    const [alert] = await waitFor(async () => {
      const found = await alertsOf('cus_suspicious');
      return found.length > 0 ? found : undefined;
    });
    expect(await alertsOf('cus_suspicious')).toHaveLength(1);
    expect(alert).toMatchObject({
      alertId: `${BANK}#txn#txn_s1`,
      bankId: BANK,
      kind: 'fraud_check',
      status: 'pending',
      eventId: 'evt_s1',
      transactionId: 'txn_s1',
      score: 100,
      reasons: [
        { rule: 'singleTransaction', observed: 64_900, limit: 50_000, currency: 'EUR' },
        { rule: 'foreignCountry', observed: 'US', limit: ['FR'] },
        { rule: 'cardNotPresent', observed: 64_900, limit: 20_000, currency: 'EUR' },
      ],
      display: {
        cardLast4: '4242',
        amount: 64_900,
        currency: 'EUR',
        merchantName: 'GADGETS ONLINE',
        merchantCountry: 'US',
      },
    });
    const expiresIn = Number(alert?.expiresAt) - Date.now() / 1000;
    expect(expiresIn).toBeGreaterThan(89 * 86_400);
    expect(expiresIn).toBeLessThanOrEqual(90 * 86_400);
    // The decision is kept with the transaction's ledger entry, which is the record that it was
    // scored: the event is not marked (docs/scoring.md, "Exactly once").
    const item = (await eventItem('evt_s1')) as unknown as StoredEvent;
    expect(await history.entryOf(item)).toEqual({
      decision: { score: 100, alert: true, reasons: alert?.reasons },
    });
  });

  it('writes a log line per alert with ids, score and rule names only', async () => {
    const stored = await store(suspiciousTransaction('cus_logged', 'txn_logged'));
    const logged = (await import('../../functions/score-bank-event.ts')).createHandler(
      (await import('../support/test-scoring.ts')).scoringPorts(tables),
      debugLogger(),
    );
    const logs = await captureLogs(async () => {
      await logged(
        streamEventOf({ ...stored, eventId: 'evt_logged_direct' }),
        lambdaContext('score-bank-event'),
      );
    });
    const line = logs
      .split('\n')
      .find((text) => text.includes('"alert created"') || text.includes('"event scored"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      bankId: BANK,
      score: 100,
      rules: ['singleTransaction', 'foreignCountry', 'cardNotPresent'],
    });
    expect(logs).not.toMatch(/cus_logged|64900|649\.00|GADGETS|4242/);
  });

  it('creates no second alert when a batch is redelivered, and leaves the event unmarked', async () => {
    const stored = await store(suspiciousTransaction('cus_redelivered', 'txn_r1'));
    await waitFor(async () => ((await alertsOf('cus_redelivered')).length === 1 ? true : undefined));

    const batch = streamEventOf(stored);
    expect(await scoring.handler(batch, lambdaContext('score-bank-event'))).toEqual({
      batchItemFailures: [],
    });
    expect(await scoring.handler(batch, lambdaContext('score-bank-event'))).toEqual({
      batchItemFailures: [],
    });
    expect(await alertsOf('cus_redelivered')).toHaveLength(1);
    // Both deliveries finished: no "scored" mark written (a write unit per transaction saved).
    const item = await eventItem(stored.eventId);
    expect(item?.status).toBe('received');
    expect(item).not.toHaveProperty('score');
    expect(item).not.toHaveProperty('alertId');
    expect((await history.entryOf(stored))?.decision).toMatchObject({ score: 100, alert: true });
  });

  it('marks a card transaction dated outside the ledger’s 48 hours scored, and skips its redelivery', async () => {
    const old = suspiciousTransaction('cus_late', 'txn_late');
    const stored = await store({ ...old, occurredAt: new Date(Date.now() - 49 * 3_600_000).toISOString() });
    await waitFor(async () => ((await eventItem(stored.eventId))?.status === 'scored' ? true : undefined));
    expect(await eventItem(stored.eventId)).toMatchObject({ score: 100, alertId: `${BANK}#txn#txn_late` });
    expect(await history.entryOf(stored)).toBeUndefined();
    expect(await scoring.handler(streamEventOf(stored), lambdaContext('score-bank-event'))).toEqual({
      batchItemFailures: [],
    });
    expect(await alertsOf('cus_late')).toHaveLength(1);
  });

  it('gives exact counters when one customer’s events are scored concurrently', async () => {
    const customer = 'cus_burst';
    const now = new Date();
    const burst = Array.from({ length: 10 }, (_, i) =>
      toStoredEvent(
        BANK,
        `evt_burst_${i}`,
        // card_not_present at the limit (20) plus velocity (40) reaches the alert score (50).
        cardTransaction({
          customerId: customer,
          transaction: { id: `txn_burst_${i}`, amount: 20_000, channel: 'card_not_present' },
        }),
        now,
      ),
    );
    // As if ten shards delivered them at once: ten concurrent invocations.
    const results = await Promise.all(
      burst.map((item) => scoring.handler(streamEventOf(item), lambdaContext('score-bank-event'))),
    );
    expect(results.every((result) => result?.batchItemFailures.length === 0)).toBe(true);
    await waitFor(
      async () => ((await alertsOf(customer)).length === 6 ? true : undefined),
      10_000,
      'six alerts',
    );

    // Each scoring saw exactly the transactions recorded before it: counts 1 to 10, each once, so
    // exactly the six with a count of 5 or more alerted; daily spend likewise 20,000 to 200,000.
    const alerts = await alertsOf(customer);
    const observed = (rule: string) =>
      alerts
        .map(
          (alert) =>
            (alert.reasons as { rule: string; observed: number }[]).find((r) => r.rule === rule)?.observed,
        )
        .filter((value) => value !== undefined)
        .sort((a, b) => Number(a) - Number(b));
    expect(alerts).toHaveLength(6);
    expect(observed('velocity')).toEqual([5, 6, 7, 8, 9, 10]);
    expect(observed('dailySpend')).toEqual([160_000, 180_000, 200_000]);
  });

  it('sends a poisoned record to the dead letters without blocking the records after it', async () => {
    await tables.documentClient.send(
      new PutCommand({
        TableName: tables.names.events,
        Item: {
          eventKey: `${BANK}#evt_poison`,
          bankId: BANK,
          eventId: 'evt_poison',
          type: 'card.transaction',
        },
      }),
    );
    const after = await store(suspiciousTransaction('cus_after_poison', 'txn_after_poison'));

    await waitFor(async () => ((await alertsOf('cus_after_poison')).length === 1 ? true : undefined));
    await waitFor(async () => (scoring.deadLetters.length > 0 ? true : undefined), 15_000, 'a dead letter');
    expect(scoring.deadLetters[0]).toMatchObject({
      functionName: 'score-bank-event',
      condition: 'RetryAttemptsExhausted',
      batchSize: expect.any(Number),
    });
    expect(JSON.stringify(scoring.deadLetters)).not.toContain('cus_');
    expect((await eventItem('evt_poison'))?.status).toBeUndefined();
    expect((await history.entryOf(after))?.decision).toMatchObject({ alert: true });
  });

  it('notifies a low balance once per crossing, and an account at most once per 24 hours', async () => {
    const customer = 'cus_balance';
    // The second crossing of account 0042 comes within 24 hours of its notice: no second notice.
    // Account 0077 has had none: its crossing is noticed.
    const balances = [
      [5_000, '0042'],
      [4_000, '0042'],
      [20_000, '0042'],
      [3_000, '0042'],
      [20_000, '0042'],
      [2_000, '0077'],
    ] as const;
    for (const [available, accountLast4] of balances) {
      const stored = await store(
        accountBalance({ customerId: customer, balance: { available, accountLast4 } }),
      );
      await waitFor(async () => ((await eventItem(stored.eventId))?.status === 'scored' ? true : undefined));
    }
    const notices = await alertsOf(customer);
    expect(notices.map((notice) => (notice.display as { available: number }).available).sort()).toEqual([
      2_000, 5_000,
    ]);
    expect(notices[0]).toMatchObject({
      kind: 'low_balance',
      reasons: [{ rule: 'lowBalance', limit: 10_000, currency: 'EUR' }],
    });
  });

  it('lets a new crossing of an account notify again once 24 hours have passed since its notice', async () => {
    const watch = new DynamoDbBalanceWatch(tables.documentClient, tables.names.activity);
    const t0 = new Date('2026-11-29T10:00:00Z');
    const at = (hours: number) => ({ accountLast4: '0042', at: new Date(t0.getTime() + hours * 3_600_000) });
    expect(await watch.enterLow(BANK, 'cus_daily', 'evt_d1', at(0))).toBe(true);
    // A redelivery of the crossing event still counts as the crossing.
    expect(await watch.enterLow(BANK, 'cus_daily', 'evt_d1', at(0))).toBe(true);
    expect(await watch.enterLow(BANK, 'cus_daily', 'evt_d2', at(1))).toBe(false);
    await watch.leaveLow(BANK, 'cus_daily');
    expect(await watch.enterLow(BANK, 'cus_daily', 'evt_d3', at(23.9))).toBe(false);
    expect(await watch.enterLow(BANK, 'cus_daily', 'evt_d4', { accountLast4: '0077', at: at(23.9).at })).toBe(
      true,
    );
    await watch.leaveLow(BANK, 'cus_daily');
    expect(await watch.enterLow(BANK, 'cus_daily', 'evt_d5', at(24))).toBe(true);
  });

  it('counts a redelivered crossing once, and a balance in another currency not at all', async () => {
    const customer = 'cus_balance_redelivered';
    const crossing = await store(accountBalance({ customerId: customer, balance: { available: 1_000 } }));
    await waitFor(async () => ((await alertsOf(customer)).length === 1 ? true : undefined));
    await scoring.handler(streamEventOf(crossing), lambdaContext('score-bank-event'));
    const other = await store(
      accountBalance({ customerId: 'cus_usd', balance: { available: 1, currency: 'USD' } }),
    );
    await waitFor(async () => ((await eventItem(other.eventId))?.status === 'scored' ? true : undefined));
    expect(await alertsOf(customer)).toHaveLength(1);
    expect(await alertsOf('cus_usd')).toHaveLength(0);
  });
});
