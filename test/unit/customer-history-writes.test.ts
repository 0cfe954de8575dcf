import { inflateRawSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DynamoDbCustomerHistory,
  MAX_HISTORY_ATTEMPTS,
} from '../../shared/adapters/dynamodb-customer-history.ts';
import type { ProfileSettings, Sighting } from '../../shared/domain/customer-profile.ts';
import { BUILT_IN_THRESHOLDS, historySettings } from '../../shared/domain/thresholds.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const SETTINGS: ProfileSettings = { currency: 'EUR', ...historySettings(BUILT_IN_THRESHOLDS) };
const ENTRY = { eventId: 'evt_1', at: NOW.getTime(), amount: 1200, currency: 'EUR', authorized: true };
const SIGHTING: Sighting = {
  at: NOW.getTime(),
  amount: 1200,
  currency: 'EUR',
  country: 'FR',
  mcc: '5411',
  authorized: true,
  probe: false,
};

type Command = GetCommand | UpdateCommand;

/**
 * An activity table whose item is `stored` for strongly consistent reads and `stale` for
 * eventually consistent ones; `rejectWrites` writes fail their condition.
 */
function table(options: {
  stale?: Record<string, unknown>;
  stored?: Record<string, unknown>;
  rejectWrites?: number;
}) {
  const commands: Command[] = [];
  let rejected = 0;
  const client = {
    send: async (command: Command) => {
      commands.push(command);
      if (command.constructor.name === 'GetCommand') {
        const item = (command as GetCommand).input.ConsistentRead ? options.stored : options.stale;
        return { Item: item && structuredClone(item) };
      }
      if (rejected < (options.rejectWrites ?? 0)) {
        rejected++;
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
        });
      }
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { history: new DynamoDbCustomerHistory(client, 'activity'), commands };
}

const reads = (commands: Command[]) =>
  commands
    .filter((command) => command.constructor.name === 'GetCommand')
    .map((command) => (command as GetCommand).input.ConsistentRead === true);
const writes = (commands: Command[]) =>
  commands.filter((command) => command.constructor.name === 'UpdateCommand') as UpdateCommand[];

describe('DynamoDbCustomerHistory writes', () => {
  it('writes the entry and the sighting of a new customer with one update, only if no item appeared', async () => {
    const { history, commands } = table({});
    const { entries, profile } = await history.record('acme', 'cus_1', ENTRY, SIGHTING, SETTINGS, NOW);
    expect(entries).toEqual([ENTRY]);
    expect(profile.amounts).toEqual([[NOW.getTime(), 1200]]);
    expect(reads(commands)).toEqual([false]);
    const [write] = writes(commands);
    expect(writes(commands)).toHaveLength(1);
    expect(write?.input.ConditionExpression).toBe('attribute_not_exists(#version)');
    expect(write?.input.ExpressionAttributeNames?.['#entry']).toBe(`tx:${NOW.getTime()}:evt_1`);
    expect(write?.input.ExpressionAttributeValues?.[':next']).toBe(1);
  });

  it('reads strongly consistently and writes again when a stale read failed the version condition', async () => {
    const other = { amount: 500, currency: 'EUR', authorized: true };
    const stored = { version: 3, [`tx:${NOW.getTime() - 1000}:evt_0`]: other };
    const { history, commands } = table({ stale: { version: 2 }, stored, rejectWrites: 1 });
    const { entries } = await history.record('acme', 'cus_1', ENTRY, SIGHTING, SETTINGS, NOW);
    // The entry recorded meanwhile is counted: the second attempt wrote on what it read.
    expect(entries.map((entry) => entry.eventId).sort()).toEqual(['evt_0', 'evt_1']);
    expect(reads(commands)).toEqual([false, true]);
    expect(writes(commands).map((write) => write.input.ExpressionAttributeValues?.[':version'])).toEqual([
      2, 3,
    ]);
  });

  it('removes stale entries in the same write, and writes nothing for a redelivery', async () => {
    const old = `tx:${NOW.getTime() - 49 * 60 * 60_000}:evt_old`;
    const first = table({ stale: { version: 1, [old]: { amount: 1, currency: 'EUR', authorized: true } } });
    await first.history.record('acme', 'cus_1', ENTRY, SIGHTING, SETTINGS, NOW);
    const [write] = writes(first.commands);
    expect(write?.input.UpdateExpression).toMatch(/ REMOVE #s0$/);
    expect(write?.input.ExpressionAttributeNames?.['#s0']).toBe(old);

    const { history, commands } = table({});
    const recorded = await history.record('acme', 'cus_1', ENTRY, SIGHTING, SETTINGS, NOW);
    const again = table({
      stale: {
        version: 1,
        profile: recorded.profile,
        [`tx:${NOW.getTime()}:evt_1`]: { amount: 1200, currency: 'EUR', authorized: true },
      },
    });
    expect((await again.history.record('acme', 'cus_1', ENTRY, SIGHTING, SETTINGS, NOW)).entries).toEqual([
      ENTRY,
    ]);
    expect(writes(again.commands)).toEqual([]);
    expect(writes(commands)).toHaveLength(1);
  });

  it('stores the profile packed, reads it back, and drops the map a profile was stored as before', async () => {
    const first = table({});
    const recorded = await first.history.record('acme', 'cus_1', ENTRY, SIGHTING, SETTINGS, NOW);
    const packed = writes(first.commands)[0]?.input.ExpressionAttributeValues?.[':packed'] as Uint8Array;
    expect(JSON.parse(inflateRawSync(packed).toString('utf8'))).toEqual(recorded.profile);
    expect(writes(first.commands)[0]?.input.UpdateExpression).not.toContain('REMOVE');

    const later = { ...SIGHTING, at: NOW.getTime() + 1000, amount: 800, country: 'BE' };
    const laterEntry = { ...ENTRY, eventId: 'evt_2', at: later.at, amount: 800 };
    const packedItem = table({ stale: { version: 1, packedProfile: packed } });
    const next = await packedItem.history.record('acme', 'cus_1', laterEntry, later, SETTINGS, NOW);
    expect(next.profile.amounts).toEqual([
      [NOW.getTime(), 1200],
      [later.at, 800],
    ]);

    const legacy = table({ stale: { version: 1, profile: recorded.profile } });
    const fromMap = await legacy.history.record('acme', 'cus_1', laterEntry, later, SETTINGS, NOW);
    expect(fromMap.profile).toEqual(next.profile);
    const [write] = writes(legacy.commands);
    expect(write?.input.UpdateExpression).toMatch(/ REMOVE #legacy$/);
    expect(write?.input.ExpressionAttributeNames?.['#legacy']).toBe('profile');
  });

  it(`gives up after ${MAX_HISTORY_ATTEMPTS} lost races, so that the stream retries the event`, async () => {
    const { history, commands } = table({
      stored: { version: 7 },
      stale: { version: 7 },
      rejectWrites: 1000,
    });
    await expect(history.record('acme', 'cus_1', ENTRY, SIGHTING, SETTINGS, NOW)).rejects.toThrow(
      'The customer history kept changing: try again.',
    );
    expect(MAX_HISTORY_ATTEMPTS).toBeGreaterThanOrEqual(25);
    expect(writes(commands)).toHaveLength(MAX_HISTORY_ATTEMPTS);
    expect(reads(commands)).toEqual([false, ...Array.from({ length: MAX_HISTORY_ATTEMPTS - 1 }, () => true)]);
  });

  it('lets any other write error through', async () => {
    const client = {
      send: async (command: Command) => {
        if (command.constructor.name === 'GetCommand') return {};
        throw new Error('ProvisionedThroughputExceededException');
      },
    } as unknown as DynamoDBDocumentClient;
    await expect(
      new DynamoDbCustomerHistory(client, 'activity').record('acme', 'c', ENTRY, SIGHTING, SETTINGS, NOW),
    ).rejects.toThrow('ProvisionedThroughputExceededException');
  });
});
