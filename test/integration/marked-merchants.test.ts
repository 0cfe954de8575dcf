import { createHash, randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../cli/migrate.ts';
import { DynamoDbCompromisedMerchants } from '../../shared/adapters/dynamodb-compromised-merchants.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// The bank's set of marked merchants: a payment at a merchant the set does not hold reads
// nothing; one at a marked merchant reads its mark as before.

let tables: TestTables;
beforeAll(async () => {
  tables = await createTestTables();
});

const NOW = new Date('2036-03-01T12:00:00.000Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(NOW.getTime() + ms);

/** The document client, recording each request's command and table key. */
function recorded(client: DynamoDBDocumentClient) {
  const requests: string[] = [];
  const send = (command: { input: { Key?: { counterKey?: string } } }) => {
    requests.push(
      `${command.constructor.name.replace(/Command$/, '')} ${command.input.Key?.counterKey ?? ''}`,
    );
    return client.send(command as never);
  };
  return { client: { send } as unknown as DynamoDBDocumentClient, requests };
}

async function setItem(bankId: string) {
  const { Item } = await tables.documentClient.send(
    new GetCommand({
      TableName: tables.names.activity,
      Key: { counterKey: `${bankId}#marked#merchants`, bucket: 'marked' },
      ConsistentRead: true,
    }),
  );
  return Item ?? {};
}

const entries = (item: Record<string, unknown>) => Object.keys(item).filter((name) => name.startsWith('m:'));

describe('the set of marked merchants', () => {
  it('reads the set once, then nothing for unmarked merchants and the mark for a marked one', async () => {
    const bankId = `bank-${randomUUID().slice(0, 8)}`;
    const writer = new DynamoDbCompromisedMerchants(tables.documentClient, tables.names.activity);
    await writer.mark(bankId, 'mid:marked', 'reporter-a', at(48 * HOUR), NOW);
    const { client, requests } = recorded(tables.documentClient);
    const scorer = new DynamoDbCompromisedMerchants(client, tables.names.activity);
    expect(await scorer.reporters(bankId, 'mid:unmarked-1', 'payer', NOW)).toBe(0);
    expect(await scorer.reporters(bankId, 'mid:unmarked-2', 'payer', NOW)).toBe(0);
    expect(requests).toEqual([`Get ${bankId}#marked#merchants`]);
    expect(await scorer.reporters(bankId, 'mid:marked', 'payer', NOW)).toBe(1);
    expect(await scorer.reporters(bankId, 'mid:marked', 'reporter-a', NOW)).toBe(0);
    expect(requests.slice(1).every((request) => request.startsWith(`Get ${bankId}#merchant#`))).toBe(true);
    expect(requests).toHaveLength(3);
    // Past the mark's end, the set alone says no.
    expect(await scorer.reporters(bankId, 'mid:marked', 'payer', at(48 * HOUR))).toBe(0);
    expect(requests).toHaveLength(3);
    // Another bank's set is its own.
    expect(await scorer.reporters('other-bank', 'mid:marked', 'payer', NOW)).toBe(0);
  });

  it('sees a mark made by another process once its copy is older than the maximum age', async () => {
    const bankId = `bank-${randomUUID().slice(0, 8)}`;
    let clock = NOW.getTime();
    const scorer = new DynamoDbCompromisedMerchants(tables.documentClient, tables.names.activity, {
      maxAgeMs: 60_000,
      now: () => clock,
    });
    expect(await scorer.reporters(bankId, 'mid:late', 'payer', NOW)).toBe(0);
    // What another container's mark writes: the merchant's item, then the set's entry.
    const digest = createHash('sha256').update('mid:late').digest('base64url');
    const until = at(24 * HOUR).getTime();
    await tables.documentClient.send(
      new UpdateCommand({
        TableName: tables.names.activity,
        Key: { counterKey: `${bankId}#merchant#${digest}`, bucket: 'compromised' },
        UpdateExpression: 'SET #r = :until',
        ExpressionAttributeNames: { '#r': 'r:elsewhere' },
        ExpressionAttributeValues: { ':until': until },
      }),
    );
    await tables.documentClient.send(
      new UpdateCommand({
        TableName: tables.names.activity,
        Key: { counterKey: `${bankId}#marked#merchants`, bucket: 'marked' },
        UpdateExpression: 'SET #e = :until',
        ExpressionAttributeNames: { '#e': `m:${digest.slice(0, 8)}` },
        ExpressionAttributeValues: { ':until': Math.ceil(until / 1000) },
      }),
    );
    clock += 59_000;
    expect(await scorer.reporters(bankId, 'mid:late', 'payer', NOW)).toBe(0);
    clock += 1_000;
    expect(await scorer.reporters(bankId, 'mid:late', 'payer', NOW)).toBe(1);
  });

  it('sees a mark made in this process at once, by any instance', async () => {
    const bankId = `bank-${randomUUID().slice(0, 8)}`;
    const scorer = new DynamoDbCompromisedMerchants(tables.documentClient, tables.names.activity);
    expect(await scorer.reporters(bankId, 'mid:now', 'payer', NOW)).toBe(0);
    await new DynamoDbCompromisedMerchants(tables.documentClient, tables.names.activity).mark(
      bankId,
      'mid:now',
      'reporter-a',
      at(HOUR),
      NOW,
    );
    expect(await scorer.reporters(bankId, 'mid:now', 'payer', NOW)).toBe(1);
  });

  it('keeps the latest end of a merchant, and drops ended entries on the next mark', async () => {
    const bankId = `bank-${randomUUID().slice(0, 8)}`;
    const store = new DynamoDbCompromisedMerchants(tables.documentClient, tables.names.activity);
    await store.mark(bankId, 'mid:a', 'r1', at(2 * HOUR), NOW);
    await store.mark(bankId, 'mid:a', 'r2', at(HOUR), NOW);
    await store.mark(bankId, 'mid:b', 'r1', at(HOUR), NOW);
    expect(entries(await setItem(bankId))).toHaveLength(2);
    expect(await store.reporters(bankId, 'mid:a', 'payer', at(HOUR + 1))).toBe(1);
    // b ended; a later mark elsewhere prunes it.
    await store.mark(bankId, 'mid:c', 'r1', at(10 * HOUR), at(3 * HOUR));
    const item = await setItem(bankId);
    expect(entries(item)).toHaveLength(1);
    expect(Object.values(item)).toContain(Math.ceil(at(10 * HOUR).getTime() / 1000));
  });

  it('past its bound, moves the soonest-ending merchants to the overflow, which reads them as before', async () => {
    const bankId = `bank-${randomUUID().slice(0, 8)}`;
    const { client, requests } = recorded(tables.documentClient);
    const store = new DynamoDbCompromisedMerchants(client, tables.names.activity, { maxEntries: 3 });
    for (let i = 1; i <= 5; i++) await store.mark(bankId, `mid:m${i}`, 'r1', at(i * HOUR), NOW);
    const item = await setItem(bankId);
    expect(entries(item)).toHaveLength(3);
    expect(item.overflowUntil).toBe(Math.ceil(at(2 * HOUR).getTime() / 1000));
    for (let i = 1; i <= 5; i++) expect(await store.reporters(bankId, `mid:m${i}`, 'payer', NOW)).toBe(1);
    // An unmarked merchant is read while the overflow lasts, and not after.
    requests.length = 0;
    expect(await store.reporters(bankId, 'mid:never', 'payer', at(HOUR))).toBe(0);
    expect(requests).toHaveLength(1);
    expect(await store.reporters(bankId, 'mid:never', 'payer', at(2 * HOUR))).toBe(0);
    expect(requests).toHaveLength(1);
  });

  it('loses no merchant to concurrent marks, within its bound or past it', async () => {
    for (const maxEntries of [1_000, 4]) {
      const bankId = `bank-${randomUUID().slice(0, 8)}`;
      const store = new DynamoDbCompromisedMerchants(tables.documentClient, tables.names.activity, {
        maxEntries,
      });
      const merchants = Array.from({ length: 16 }, (_, i) => `mid:c${i}`);
      await Promise.all(
        merchants.map((merchant, i) => store.mark(bankId, merchant, `r${i}`, at((i + 1) * HOUR), NOW)),
      );
      const fresh = new DynamoDbCompromisedMerchants(tables.documentClient, tables.names.activity, {
        maxAgeMs: 0,
      });
      for (const merchant of merchants) expect(await fresh.reporters(bankId, merchant, 'payer', NOW)).toBe(1);
    }
  });

  it('is filled by vigil migrate from the marks made before it existed, once', async () => {
    const bankId = `bank-${randomUUID().slice(0, 8)}`;
    const now = new Date();
    const digest = createHash('sha256').update('mid:old').digest('base64url');
    const ended = createHash('sha256').update('mid:ended').digest('base64url');
    for (const [key, until] of [
      [digest, now.getTime() + 5 * HOUR],
      [ended, now.getTime() - HOUR],
    ] as const)
      await tables.documentClient.send(
        new UpdateCommand({
          TableName: tables.names.activity,
          Key: { counterKey: `${bankId}#merchant#${key}`, bucket: 'compromised' },
          UpdateExpression: 'SET #r = :until',
          ExpressionAttributeNames: { '#r': 'r:before' },
          ExpressionAttributeValues: { ':until': until },
        }),
      );
    const store = new DynamoDbCompromisedMerchants(tables.documentClient, tables.names.activity, {
      maxAgeMs: 0,
    });
    expect(await store.reporters(bankId, 'mid:old', 'payer', now)).toBe(0);
    const names = {
      client: tables.documentClient,
      thresholds: tables.names.thresholds,
      activity: tables.names.activity,
      alerts: tables.names.alerts,
    };
    expect((await migrate(names, now)).merchantsInSets).toBeGreaterThanOrEqual(1);
    expect(await store.reporters(bankId, 'mid:old', 'payer', now)).toBe(1);
    expect(entries(await setItem(bankId))).toEqual([`m:${digest.slice(0, 8)}`]);
    expect((await migrate(names, now)).merchantsInSets).toBe(0);
  });
});
