import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../cli/migrate.ts';
import { DynamoDbCustomerEraser } from '../../shared/adapters/dynamodb-customer-eraser.ts';
import { DynamoDbCustomerSettings } from '../../shared/adapters/dynamodb-customer-settings.ts';
import { DynamoDbPreferenceStore } from '../../shared/adapters/dynamodb-preference-store.ts';
import { DynamoDbThresholdStore } from '../../shared/adapters/dynamodb-threshold-store.ts';
import type { CustomerPreferences } from '../../shared/domain/preferences.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

let tables: TestTables;
beforeAll(async () => {
  tables = await createTestTables();
});

const preferencesOf = (amount: number): CustomerPreferences => ({
  alertsOver: { amount, currency: 'EUR' },
  updatedAt: '2036-03-01T12:00:00.000Z',
});

/** The document client, recording each request and the read units it consumed. */
function metered(client: DynamoDBDocumentClient) {
  const requests: { command: string; units: number }[] = [];
  const send = async (command: { input: Record<string, unknown> }) => {
    command.input.ReturnConsumedCapacity = 'TOTAL';
    const output = (await client.send(command as never)) as { ConsumedCapacity?: { CapacityUnits?: number } };
    requests.push({ command: command.constructor.name, units: output.ConsumedCapacity?.CapacityUnits ?? 0 });
    return output;
  };
  return { client: { send } as unknown as DynamoDBDocumentClient, requests };
}

/** An item at the key where preferences were kept before this version. */
async function putLegacy(bankId: string, customerId: string, preferences: CustomerPreferences) {
  await tables.documentClient.send(
    new PutCommand({
      TableName: tables.names.thresholds,
      Item: { bankId, scope: `preferences#${customerId}`, preferences },
    }),
  );
}

async function legacyExists(bankId: string, customerId: string): Promise<boolean> {
  const { Item } = await tables.documentClient.send(
    new GetCommand({
      TableName: tables.names.thresholds,
      Key: { bankId, scope: `preferences#${customerId}` },
      ConsistentRead: true,
    }),
  );
  return Item !== undefined;
}

describe('a customer’s override and preferences, read together', () => {
  it('reads both with one Query of 0.5 RCU, and only that customer’s, whatever ids sort next to theirs', async () => {
    const bankId = 'settings-bank';
    const thresholds = new DynamoDbThresholdStore(tables.documentClient, tables.names.thresholds);
    const preferences = new DynamoDbPreferenceStore(tables.documentClient, tables.names.thresholds);
    // Ids that extend c1 with each kind of character an id may hold, and ids around it.
    const neighbours = ['c', 'c0', 'c1-', 'c1.', 'c10', 'c1:x', 'c1_', 'c1A', 'c1z', 'c2'];
    for (const [i, id] of neighbours.entries()) {
      await thresholds.putCustomerOverride(bankId, id, { alertScore: 10 + i });
      await preferences.put(bankId, id, preferencesOf(100 + i));
    }
    await thresholds.putBankDefault(bankId, BUILT_IN_THRESHOLDS);
    const { client, requests } = metered(tables.documentClient);
    const settings = new DynamoDbCustomerSettings(client, tables.names.thresholds);

    expect(await settings.read(bankId, 'c1')).toEqual({ override: undefined, preferences: undefined });
    await thresholds.putCustomerOverride(bankId, 'c1', { alertScore: 99 });
    expect(await settings.read(bankId, 'c1')).toEqual({
      override: { alertScore: 99 },
      preferences: undefined,
    });
    await preferences.put(bankId, 'c1', preferencesOf(5));
    expect(await settings.read(bankId, 'c1')).toEqual({
      override: { alertScore: 99 },
      preferences: preferencesOf(5),
    });
    await thresholds.deleteCustomerOverride(bankId, 'c1');
    expect(await settings.read(bankId, 'c1')).toEqual({ override: undefined, preferences: preferencesOf(5) });
    for (const [i, id] of neighbours.entries())
      expect(await settings.read(bankId, id)).toEqual({
        override: { alertScore: 10 + i },
        preferences: preferencesOf(100 + i),
      });
    expect(await settings.read('other-bank', 'c1')).toEqual({ override: undefined, preferences: undefined });
    expect(requests.every((request) => request.command === 'QueryCommand')).toBe(true);
    expect(requests).toHaveLength(4 + neighbours.length + 1);
    // DynamoDB Local counts 0 for a Query that finds nothing (DynamoDB 0.5); one item or two, 0.5.
    expect(requests.map((request) => request.units)).toEqual([
      0,
      0.5,
      0.5,
      0.5,
      ...neighbours.map(() => 0.5),
      0,
    ]);
  });

  it('refuses a stored item that is not valid instead of scoring with it', async () => {
    await tables.documentClient.send(
      new PutCommand({
        TableName: tables.names.thresholds,
        Item: { bankId: 'bad-bank', scope: 'customer#c1#preferences', preferences: { travel: 'everywhere' } },
      }),
    );
    const settings = new DynamoDbCustomerSettings(tables.documentClient, tables.names.thresholds);
    await expect(settings.read('bad-bank', 'c1')).rejects.toThrow();
  });
});

describe('preferences stored before at preferences#<id>', () => {
  it('are shown to the chat until moved, replaced by the next change, and deleted with the new ones', async () => {
    const bankId = 'legacy-bank';
    const store = new DynamoDbPreferenceStore(tables.documentClient, tables.names.thresholds);
    await putLegacy(bankId, 'old', preferencesOf(7));
    expect(await store.get(bankId, 'old')).toEqual(preferencesOf(7));
    await store.put(bankId, 'old', preferencesOf(8));
    expect(await legacyExists(bankId, 'old')).toBe(false);
    expect(await store.get(bankId, 'old')).toEqual(preferencesOf(8));

    await putLegacy(bankId, 'gone', preferencesOf(9));
    expect(await store.delete(bankId, 'gone')).toBe(true);
    expect(await store.get(bankId, 'gone')).toBeUndefined();
    expect(await store.delete(bankId, 'gone')).toBe(false);
  });

  it('are moved next to the override by vigil migrate, never over newer ones, once', async () => {
    const bankId = 'migrate-bank';
    const settings = new DynamoDbCustomerSettings(tables.documentClient, tables.names.thresholds);
    const store = new DynamoDbPreferenceStore(tables.documentClient, tables.names.thresholds);
    await putLegacy(bankId, 'a', preferencesOf(1));
    await putLegacy(bankId, 'b', preferencesOf(2));
    // b changed their preferences after the deploy: the old item must not come back over them.
    await tables.documentClient.send(
      new PutCommand({
        TableName: tables.names.thresholds,
        Item: { bankId, scope: 'customer#b#preferences', preferences: preferencesOf(20) },
      }),
    );
    // Scoring does not see them before the migration (the one read is the new keys').
    expect((await settings.read(bankId, 'a')).preferences).toBeUndefined();

    const first = await migrate({
      client: tables.documentClient,
      thresholds: tables.names.thresholds,
      activity: tables.names.activity,
      alerts: tables.names.alerts,
    });
    expect(first.preferencesMoved).toBeGreaterThanOrEqual(1);
    expect(first.preferencesSuperseded).toBeGreaterThanOrEqual(1);
    expect((await settings.read(bankId, 'a')).preferences).toEqual(preferencesOf(1));
    expect((await settings.read(bankId, 'b')).preferences).toEqual(preferencesOf(20));
    expect(await store.get(bankId, 'a')).toEqual(preferencesOf(1));
    expect(await legacyExists(bankId, 'a')).toBe(false);
    expect(await legacyExists(bankId, 'b')).toBe(false);

    expect(
      await migrate({
        client: tables.documentClient,
        thresholds: tables.names.thresholds,
        activity: tables.names.activity,
        alerts: tables.names.alerts,
      }),
    ).toEqual({
      preferencesMoved: 0,
      preferencesSuperseded: 0,
      merchantsInSets: 0,
      alertsMoved: 0,
      messageCountersMoved: 0,
      alertsLeftPending: 0,
    });
    expect((await settings.read(bankId, 'a')).preferences).toEqual(preferencesOf(1));
  });
});

describe('erasure', () => {
  it('deletes the override, the preferences and preferences still at the old key, and nothing of another customer', async () => {
    const bankId = 'erase-bank';
    const thresholds = new DynamoDbThresholdStore(tables.documentClient, tables.names.thresholds);
    const store = new DynamoDbPreferenceStore(tables.documentClient, tables.names.thresholds);
    await thresholds.putCustomerOverride(bankId, 'c1', { alertScore: 1 });
    await store.put(bankId, 'c1', preferencesOf(1));
    await putLegacy(bankId, 'c1', preferencesOf(2));
    await thresholds.putCustomerOverride(bankId, 'c1.x', { alertScore: 2 });
    await store.put(bankId, 'c1.x', preferencesOf(3));
    await new DynamoDbCustomerEraser(tables.documentClient, tables.names).erase(bankId, 'c1', 'er_settings');
    const left = (await tables.scan('thresholds')).filter((item) => item.bankId === bankId);
    expect(left.map((item) => item.scope).sort()).toEqual(['customer#c1.x', 'customer#c1.x#preferences']);
    await tables.documentClient.send(
      new DeleteCommand({ TableName: tables.names.thresholds, Key: { bankId, scope: 'customer#c1.x' } }),
    );
  });
});
