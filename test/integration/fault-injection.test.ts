import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localAwsConfig } from '../../local/local-stack.ts';
import { DEMO_THRESHOLDS } from '../../local/seed-demo.ts';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbCustomerHistory, historyKeyOf } from '../../shared/adapters/dynamodb-customer-history.ts';
import { DynamoDbEventStore } from '../../shared/adapters/dynamodb-event-store.ts';
import { DynamoDbThresholdStore } from '../../shared/adapters/dynamodb-threshold-store.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import { documentClientFor } from '../../shared/runtime/aws-clients.ts';
import { suspiciousTransaction } from '../fixtures/bank-events.ts';
import { scoredEvents } from '../support/scored-events.ts';
import { startTestScoring, type TestScoring } from '../support/test-scoring.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';
import { waitFor } from '../support/wait-for.ts';

// Faults at the SDK client boundary (a middleware), where a real DynamoDB cannot be made to fail
// on demand: throttling on every write, and a crash between two writes. After recovery, every
// event is scored once, with exact counters and one alert per transaction, all in one fraud
// check (docs/scoring.md, "Fraud checks"; the alerts table also holds the customer's open-check
// item, which names the check).

let tables: TestTables;
let scoring: TestScoring | undefined;
beforeEach(async () => {
  tables = await createTestTables();
  await new DynamoDbThresholdStore(tables.documentClient, tables.names.thresholds).putBankDefault(
    'acme',
    DEMO_THRESHOLDS,
  );
});
afterEach(() => scoring?.stop());

/** A client of the test's DynamoDB Local that fails the way `fail` decides, before the request. */
async function faultyClient(fail: (command: string, input: Record<string, unknown>) => Error | undefined) {
  const endpoint = await tables.client.config.endpoint?.();
  const client = documentClientFor(
    new DynamoDBClient({
      ...localAwsConfig(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`),
      maxAttempts: 1,
    }),
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const error = fail(context.commandName ?? '', args.input as Record<string, unknown>);
      if (error !== undefined) throw error;
      return next(args);
    },
    { step: 'initialize', name: 'injectFaults' },
  );
  return client;
}

const throttled = () =>
  Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
    name: 'ProvisionedThroughputExceededException',
    $retryable: { throttling: true },
  });

/** A client that lets the first request `crashes` picks through, then fails as if the function died. */
async function crashingClient(crashes: (command: string, input: Record<string, unknown>) => boolean) {
  const endpoint = await tables.client.config.endpoint?.();
  const client = documentClientFor(
    new DynamoDBClient({
      ...localAwsConfig(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`),
      maxAttempts: 1,
    }),
  );
  let crashed = false;
  const commands: { command: string; table: unknown; consistent: unknown }[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const command = context.commandName ?? '';
      commands.push({ command, table: input.TableName, consistent: input.ConsistentRead });
      const result = await next(args);
      if (!crashed && crashes(command, input)) {
        crashed = true;
        throw new Error('the function died here, after the write');
      }
      return result;
    },
    { step: 'initialize', name: 'crashAfterWrite' },
  );
  return { client, crashed: () => crashed, commands };
}

const ERASURE_REF = 'er_cus_1';
/** The customer's history item, keyed by their erasure ref. */
const HISTORY_KEY = historyKeyOf(ERASURE_REF);

/** Scoring whose history, alert and event stores send their requests through `client`. */
function scoringThrough(
  client: DynamoDBDocumentClient,
  settings: NonNullable<NonNullable<Parameters<typeof startTestScoring>[1]>['settings']>,
) {
  const names = tables.names;
  return startTestScoring(tables, {
    settings,
    ports: {
      history: new DynamoDbCustomerHistory(client, names.activity),
      alerts: new DynamoDbAlertStore(client, names.alerts),
      events: new DynamoDbEventStore(client, names.events),
    },
  });
}

async function storeEvents(count: number, occurredAt?: Date) {
  const events = new DynamoDbEventStore(tables.documentClient, tables.names.events);
  for (let i = 0; i < count; i++) {
    const transaction = suspiciousTransaction('cus_1', `txn_${i}`);
    await events.putIfAbsent(
      toStoredEvent(
        'acme',
        `evt_${i}`,
        { ...transaction, ...(occurredAt && { occurredAt: occurredAt.toISOString() }) },
        new Date(),
        { erasureRef: ERASURE_REF },
      ),
    );
  }
}

/** Until every event is scored: marked, or its ledger entry keeping the decision, its alert filed. */
async function settled(count: number) {
  await waitFor(
    async () =>
      (await scoredEvents(tables.documentClient, tables.names, await tables.scan('events'))).length === count
        ? true
        : undefined,
    30_000,
    `${count} events scored`,
  );
}

describe('fault injection', () => {
  it('scores every event exactly once when the first try of every write is throttled', async () => {
    const seen = new Set<string>();
    const client = await faultyClient((command, input) => {
      if (!/^(Put|Update|TransactWrite)/.test(command)) return undefined;
      const item = input.Item as Record<string, unknown> | undefined;
      // A transaction is told apart by the keys it writes.
      const operations = input.TransactItems as
        | Record<string, { Key?: unknown; Item?: { alertId?: unknown } }>[]
        | undefined;
      const target = operations?.map((operation) =>
        Object.entries(operation).map(([kind, body]) => [kind, body.Key ?? body.Item?.alertId]),
      ) ??
        input.Key ?? { alertId: item?.alertId, eventKey: item?.eventKey };
      const key = `${command}:${JSON.stringify(target)}`;
      if (seen.has(key)) return undefined;
      seen.add(key);
      return throttled();
    });
    scoring = await scoringThrough(client, { retryAttempts: 10, batchSize: 5 });
    await storeEvents(6);
    await settled(6);
    const alerts = (await tables.scan('alerts')).filter((item) => item.kind !== undefined);
    expect(alerts).toHaveLength(6);
    // One check: the first suspicious transaction opened it, the others joined it.
    expect(alerts.filter((alert) => alert.status !== 'grouped')).toHaveLength(1);
    expect(new Set(alerts.map((alert) => alert.checkId)).size).toBe(1);
    const velocity = alerts
      .map(
        (alert) =>
          (alert.reasons as { rule: string; observed: number }[]).find((r) => r.rule === 'velocity')
            ?.observed,
      )
      .filter((value) => value !== undefined);
    // 6 transactions of one customer, each recorded once, each decided on the ledger its own
    // write left: a retry after a failure between the ledger write and the alert finishes with
    // the decision kept with the entry, so the 5th and the 6th see 5 and 6 (and no one sees 6 twice).
    const ledger =
      (await tables.scan('activity')).find((item) => item.counterKey === HISTORY_KEY.counterKey) ?? {};
    expect(Object.keys(ledger).filter((name) => name.startsWith('tx:'))).toHaveLength(6);
    expect(velocity.sort()).toEqual([5, 6]);
    expect(scoring.deadLetters).toEqual([]);
  });

  it('creates the alert once when the scorer crashes between the ledger write and the alert', async () => {
    let crashed = false;
    // Opening the fraud check: its open-check item, then the alert, each a conditional put.
    const client = await faultyClient((command, input) => {
      if (command !== 'PutItemCommand' || input.TableName !== tables.names.alerts || crashed)
        return undefined;
      crashed = true;
      return new Error('the function died here');
    });
    scoring = await startTestScoring(tables, {
      settings: { retryAttempts: 3 },
      ports: { alerts: new DynamoDbAlertStore(client, tables.names.alerts) },
    });
    await storeEvents(1);
    await settled(1);
    expect(crashed).toBe(true);
    const items = await tables.scan('alerts');
    expect(items.filter((item) => item.kind === 'fraud_check')).toHaveLength(1);
    expect(items.filter((item) => item.kind === undefined)).toEqual([
      expect.objectContaining({ alertId: 'acme#open-check#cus_1', checkId: 'acme#txn#txn_0' }),
    ]);
    const ledger =
      (await tables.scan('activity')).find((item) => item.counterKey === HISTORY_KEY.counterKey) ?? {};
    expect(Object.keys(ledger).filter((name) => name.startsWith('tx:'))).toHaveLength(1);
  });

  for (const point of ['history', 'open-check', 'alert'] as const) {
    it(`finishes with the first decision and one alert after a crash following the ${point} write`, async () => {
      const names = tables.names;
      const { client, crashed, commands } = await crashingClient((command, input) => {
        if (point === 'history') return command === 'UpdateItemCommand' && input.TableName === names.activity;
        const put = command === 'PutItemCommand' && input.TableName === names.alerts;
        const item = input.Item as { kind?: unknown } | undefined;
        // Between the check's two writes: the redelivery completes the half-opened check.
        if (point === 'open-check') return put && item?.kind === undefined;
        return put && item?.kind !== undefined;
      });
      scoring = await scoringThrough(client, { retryAttempts: 3 });
      await storeEvents(1);
      await settled(1);
      expect(crashed()).toBe(true);
      const alerts = (await tables.scan('alerts')).filter((item) => item.kind === 'fraud_check');
      expect(alerts).toHaveLength(1);
      const [event] = await tables.scan('events');
      const ledger =
        (await tables.scan('activity')).find((item) => item.counterKey === HISTORY_KEY.counterKey) ?? {};
      const entries = Object.entries(ledger).filter(([name]) => name.startsWith('tx:'));
      expect(entries).toHaveLength(1);
      // The decision kept with the entry is the one the alert carries.
      const kept = entries[0]?.[1] as { s: number; r: string; a: boolean };
      expect(kept.a).toBe(true);
      expect(alerts[0]?.score).toBe(kept.s);
      expect(alerts[0]?.reasons).toEqual(JSON.parse(kept.r));
      // The entry is the record that it was scored: the event is neither read nor marked.
      expect(event).toMatchObject({ status: 'received' });
      expect(event).not.toHaveProperty('score');
      expect(commands.filter((c) => c.table === names.events)).toEqual([]);
      expect(scoring.deadLetters).toEqual([]);
    });
  }

  it('finishes a transaction dated outside the ledger’s 48 hours once after a crash following its "scored" mark', async () => {
    const names = tables.names;
    const { client, crashed } = await crashingClient(
      (command, input) => command === 'UpdateItemCommand' && input.TableName === names.events,
    );
    scoring = await scoringThrough(client, { retryAttempts: 3 });
    await storeEvents(1, new Date(Date.now() - 49 * 3_600_000));
    await settled(1);
    expect(crashed()).toBe(true);
    const alerts = (await tables.scan('alerts')).filter((item) => item.kind === 'fraud_check');
    expect(alerts).toHaveLength(1);
    const [event] = await tables.scan('events');
    expect(event).toMatchObject({ status: 'scored', score: alerts[0]?.score, alertId: 'acme#txn#txn_0' });
    // No entry kept for it: its mark is the record.
    const ledger =
      (await tables.scan('activity')).find((item) => item.counterKey === HISTORY_KEY.counterKey) ?? {};
    expect(Object.keys(ledger).filter((name) => name.startsWith('tx:'))).toEqual([]);
    expect(scoring.deadLetters).toEqual([]);
  });
});
