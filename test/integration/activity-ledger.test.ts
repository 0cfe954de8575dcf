import { PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoDbCustomerHistory,
  LEGACY_HISTORY_BUCKET,
  MAX_LEDGER_ENTRIES,
} from '../../shared/adapters/dynamodb-customer-history.ts';
import { type ActivityEntry, DAY_MS, summarizeActivity } from '../../shared/domain/activity.ts';
import { bruteForceSummary, SEQUENCE_START, transactionSequences } from '../fixtures/activity-sequences.ts';
import { type ActivityLedger, ledgerOf } from '../support/contracts/customer-history.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

let tables: TestTables;
let ledger: ActivityLedger;
let customers = 0;
const now = new Date(SEQUENCE_START + 2 * DAY_MS);
const TEN_MINUTES = 10 * 60_000;

beforeAll(async () => {
  tables = await createTestTables();
  ledger = ledgerOf(new DynamoDbCustomerHistory(tables.documentClient, tables.names.activity));
});

const newCustomer = () => `cus_${++customers}`;
const entry = (index: number, at: number, amount = 100): ActivityEntry => ({
  eventId: `evt_${index}`,
  at,
  amount,
  currency: 'EUR',
  authorized: true,
});

describe('activity ledger of the customer history on DynamoDB', () => {
  it('gives exact counts when one customer’s transactions are recorded concurrently', async () => {
    const customer = newCustomer();
    const at = SEQUENCE_START + DAY_MS;
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) => ledger.record('bank', customer, entry(i, at, 100), now)),
    );
    const summaries = results.map((entries) => summarizeActivity(entries, at, TEN_MINUTES, 'EUR'));
    // Each write saw exactly the writes applied before it: counts 1..25, each once.
    expect(summaries.map((summary) => summary.velocityCount).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(summaries.map((summary) => summary.dailySpend).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => (i + 1) * 100),
    );
  });

  it('records a redelivered event once', async () => {
    const customer = newCustomer();
    const at = SEQUENCE_START + DAY_MS;
    await ledger.record('bank', customer, entry(1, at), now);
    await ledger.record('bank', customer, entry(1, at), now);
    const entries = await ledger.record('bank', customer, entry(2, at), now);
    expect(entries.map((item) => item.eventId).sort()).toEqual(['evt_1', 'evt_2']);
  });

  it('keeps customers and banks apart', async () => {
    const at = SEQUENCE_START + DAY_MS;
    await ledger.record('bank-a', 'cus_same', entry(1, at), now);
    expect(await ledger.record('bank-b', 'cus_same', entry(2, at), now)).toHaveLength(1);
  });

  it('drops entries older than 48 hours', async () => {
    const customer = newCustomer();
    await ledger.record('bank', customer, entry(1, now.getTime() - 49 * 60 * 60_000), now);
    await ledger.record('bank', customer, entry(2, now.getTime() - 47 * 60 * 60_000), now);
    const entries = await ledger.record('bank', customer, entry(3, now.getTime()), now);
    expect(entries.map((item) => item.eventId).sort()).toEqual(['evt_2', 'evt_3']);
    const [item] = (await tables.scan('activity')).filter((row) => row.counterKey === `bank#${customer}`);
    expect(Object.keys(item ?? {}).filter((name) => name.startsWith('tx:'))).toHaveLength(2);
  });

  it('drops entries dated far in the future, which would never age out', async () => {
    const customer = newCustomer();
    await ledger.record('bank', customer, entry(1, now.getTime() + 365 * DAY_MS), now);
    const entries = await ledger.record('bank', customer, entry(2, now.getTime()), now);
    expect(entries.map((item) => item.eventId)).toEqual(['evt_2']);
    const [item] = (await tables.scan('activity')).filter((row) => row.counterKey === `bank#${customer}`);
    expect(Object.keys(item ?? {}).filter((name) => name.startsWith('tx:'))).toEqual([
      `tx:${now.getTime()}:evt_2`,
    ]);
  });

  it(`keeps at most ${MAX_LEDGER_ENTRIES} entries, dropping the oldest, so the item never reaches DynamoDB's limit`, async () => {
    const customer = newCustomer();
    const start = now.getTime() - DAY_MS;
    const seeded = Object.fromEntries(
      Array.from({ length: MAX_LEDGER_ENTRIES + 60 }, (_, i) => [
        `tx:${start + i * 1000}:evt_${i}`,
        { amount: 1, currency: 'EUR', authorized: true },
      ]),
    );
    await tables.documentClient.send(
      new PutCommand({
        TableName: tables.names.activity,
        Item: { counterKey: `bank#${customer}`, bucket: LEGACY_HISTORY_BUCKET, ...seeded },
      }),
    );
    const entries = await ledger.record('bank', customer, entry(99_999, now.getTime()), now);
    expect(entries).toHaveLength(MAX_LEDGER_ENTRIES);
    expect(entries.some((item) => item.eventId === 'evt_99999')).toBe(true);
    expect(entries.some((item) => item.eventId === 'evt_0')).toBe(false);
    await ledger.record('bank', customer, entry(100_000, now.getTime()), now);
    const [item] = (await tables.scan('activity')).filter((row) => row.counterKey === `bank#${customer}`);
    // 2,060 seeded, one entry added per write and up to 50 removed: two writes bring it back to the cap.
    expect(Object.keys(item ?? {}).filter((name) => name.startsWith('tx:')).length).toBeLessThanOrEqual(
      MAX_LEDGER_ENTRIES,
    );
  });

  it('equals a brute-force computation over random sequences, redeliveries included', async () => {
    await fc.assert(
      fc.asyncProperty(
        transactionSequences(25),
        fc.integer({ min: 1, max: 120 }),
        async (sequence, windowMinutes) => {
          const customer = newCustomer();
          const processed: Omit<ActivityEntry, 'eventId'>[] = [];
          for (const [index, transaction] of sequence.entries()) {
            processed.push(transaction);
            const recorded = { ...transaction, eventId: `evt_${index}` };
            await ledger.record('bank', customer, recorded, now);
            // A redelivery of the same event must not change anything.
            const entries = await ledger.record('bank', customer, recorded, now);
            expect(summarizeActivity(entries, transaction.at, windowMinutes * 60_000, 'EUR')).toEqual(
              bruteForceSummary(processed, windowMinutes * 60_000),
            );
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
