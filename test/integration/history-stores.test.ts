import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCompromisedMerchants } from '../../shared/adapters/dynamodb-compromised-merchants.ts';
import { DynamoDbCustomerEraser } from '../../shared/adapters/dynamodb-customer-eraser.ts';
import {
  DynamoDbCustomerHistory,
  historyKeyOf,
  LEGACY_HISTORY_BUCKET,
} from '../../shared/adapters/dynamodb-customer-history.ts';
import { DynamoDbErasureMarkers } from '../../shared/adapters/dynamodb-erasure-markers.ts';
import { InMemoryThresholdStore } from '../../shared/adapters/in-memory-threshold-store.ts';
import { DAY_MS } from '../../shared/domain/activity.ts';
import {
  forgetReporter,
  merchantKeyOf,
  recordConfirmedFraud,
  reporterOf,
} from '../../shared/domain/compromised-merchant.ts';
import type { ProfileSettings, Sighting } from '../../shared/domain/customer-profile.ts';
import { ERASURE_MARKER_RETENTION_SECONDS } from '../../shared/domain/erasure.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';
import { type CustomerProfiles, profilesOf } from '../support/contracts/customer-history.ts';
import { TEST_REPORTER_KEY } from '../support/test-keys.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// Far in the future: DynamoDB Local removes items whose TTL has passed.
const T0 = Date.parse('2036-03-01T12:00:00Z');
const settings: ProfileSettings = {
  currency: 'EUR',
  baseline: BUILT_IN_THRESHOLDS.baseline as ProfileSettings['baseline'],
  cardTesting: BUILT_IN_THRESHOLDS.cardTesting as ProfileSettings['cardTesting'],
};
const sighting = (i: number): Sighting => ({
  at: T0 + i * 1000,
  amount: 1000 + i,
  currency: 'EUR',
  country: i % 2 === 0 ? 'FR' : 'ES',
  mcc: String(5000 + i),
  authorized: true,
  probe: false,
});

let tables: TestTables;
let profiles: CustomerProfiles;
let merchants: DynamoDbCompromisedMerchants;
beforeAll(async () => {
  tables = await createTestTables();
  profiles = profilesOf(new DynamoDbCustomerHistory(tables.documentClient, tables.names.activity));
  merchants = new DynamoDbCompromisedMerchants(tables.documentClient, tables.names.activity);
});

describe('customer profiles on DynamoDB', () => {
  it('keeps every sighting recorded concurrently for one customer (no lost update)', async () => {
    const now = new Date(T0);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => profiles.record('bank', 'cus_race', sighting(i), settings, now)),
    );
    const last = await profiles.record('bank', 'cus_race', sighting(12), settings, now);
    expect(last.amounts.map(([, amount]) => amount).sort()).toEqual(
      Array.from({ length: 13 }, (_, i) => 1000 + i),
    );
    expect(Object.keys(last.categories)).toHaveLength(13);
    const [item] = (await tables.scan('activity')).filter((it) => it.counterKey === 'bank#cus_race');
    expect(item).toMatchObject({ bucket: 'profile', version: 13 });
    expect(item?.expiresAt).toBe(Math.floor((T0 + 90 * DAY_MS) / 1000));
  });

  it('writes nothing for a redelivered sighting', async () => {
    const now = new Date(T0);
    await profiles.record('bank', 'cus_again', sighting(1), settings, now);
    await profiles.record('bank', 'cus_again', sighting(1), settings, now);
    const [item] = (await tables.scan('activity')).filter((it) => it.counterKey === 'bank#cus_again');
    expect(item?.version).toBe(1);
  });

  it('is erased with the customer', async () => {
    await profiles.record('bank', 'cus_gone', sighting(1), settings, new Date(T0));
    const names = tables.names;
    await new DynamoDbCustomerEraser(tables.documentClient, names).erase('bank', 'cus_gone', 'er_test_ref');
    expect((await tables.scan('activity')).filter((it) => it.counterKey === 'bank#cus_gone')).toEqual([]);
  });
});

describe('the customer history under the erasure ref, on DynamoDB', () => {
  const history = () => new DynamoDbCustomerHistory(tables.documentClient, tables.names.activity);
  const markers = () => new DynamoDbErasureMarkers(tables.documentClient, tables.names.activity);
  const entryOf = (i: number) => ({
    eventId: `evt_${i}`,
    at: T0 + i * 1000,
    amount: 1000 + i,
    currency: 'EUR',
    authorized: true,
  });
  const itemOf = async (erasureRef: string) =>
    (await tables.scan('activity')).find((item) => item.counterKey === historyKeyOf(erasureRef).counterKey);

  it('is replaced by the erasure marker: its key, the erasure time and expiry only, no customer id anywhere', async () => {
    const erasureRef = 'er_shape';
    const received = { erasureRef, receivedAt: new Date(T0).toISOString() };
    await history().record(
      'bank',
      'cus_shape',
      entryOf(1),
      sighting(1),
      settings,
      new Date(T0),
      undefined,
      received,
    );
    const written = await itemOf(erasureRef);
    expect(written).toMatchObject({ bucket: 'erasure', version: 1 });
    expect(Object.keys(written ?? {}).filter((name) => name.startsWith('tx:'))).toHaveLength(1);
    await markers().mark(erasureRef, new Date(T0 + 5000));
    expect(await itemOf(erasureRef)).toEqual({
      ...historyKeyOf(erasureRef),
      erasedAt: new Date(T0 + 5000).toISOString(),
      expiresAt: Math.floor((T0 + 5000) / 1000) + ERASURE_MARKER_RETENTION_SECONDS,
    });
    expect(JSON.stringify(await tables.scan('activity'))).not.toContain('cus_shape');
  });

  it('keeps the marker at least its 15 days under a history written after the erasure', async () => {
    const erasureRef = 'er_expiry';
    await markers().mark(erasureRef, new Date(T0));
    const markerExpiry = Math.floor(T0 / 1000) + ERASURE_MARKER_RETENTION_SECONDS;
    const received = { erasureRef, receivedAt: new Date(T0 + 1000).toISOString() };
    // A history kept 48 hours only: the item stays as long as the marker.
    const short = { ...settings, baseline: { ...settings.baseline, windowDays: 1 } };
    const now = new Date(T0 + 2000);
    const fresh = await history().record(
      'bank',
      'cus_expiry',
      entryOf(1),
      sighting(1),
      short,
      now,
      undefined,
      received,
    );
    expect(fresh.erased).toBeUndefined();
    expect(await itemOf(erasureRef)).toMatchObject({
      erasedAt: new Date(T0).toISOString(),
      expiresAt: markerExpiry,
      version: 1,
    });
    // A 90-day history outlives it.
    await history().record('bank', 'cus_expiry', entryOf(2), sighting(2), settings, now, undefined, received);
    expect((await itemOf(erasureRef))?.expiresAt).toBe(Math.floor((now.getTime() + 90 * DAY_MS) / 1000));
  });

  it('keeps the key of before for an event without an erasure ref, which erasure deletes', async () => {
    await history().record('bank', 'cus_noref', entryOf(1), sighting(1), settings, new Date(T0), undefined, {
      receivedAt: new Date(T0).toISOString(),
    });
    const [item] = (await tables.scan('activity')).filter((it) => it.counterKey === 'bank#cus_noref');
    expect(item).toMatchObject({ bucket: LEGACY_HISTORY_BUCKET, version: 1 });
    await new DynamoDbCustomerEraser(tables.documentClient, tables.names).erase(
      'bank',
      'cus_noref',
      'er_noref',
    );
    expect((await tables.scan('activity')).filter((it) => it.counterKey === 'bank#cus_noref')).toEqual([]);
  });
});

describe('compromised merchants on DynamoDB', () => {
  const shop = merchantKeyOf({ name: ' Corner  shop ', country: 'FR' });
  const reporterKey = async () => TEST_REPORTER_KEY;
  const reporter = (customerId: string, bankId = 'bank-a') =>
    reporterOf(TEST_REPORTER_KEY, bankId, customerId);
  const report = (customerId: string) => ({
    transactionId: `txn_${customerId}`,
    customerId,
    merchant: { name: 'CORNER SHOP', country: 'FR' as const },
  });

  it('counts other customers’ reports for the bank’s window, per bank only', async () => {
    const thresholds = new InMemoryThresholdStore();
    const at = new Date(T0);
    await recordConfirmedFraud('bank-a', [report('c1'), report('c2')], at, {
      merchants,
      thresholds,
      reporterKey,
    });
    await Promise.all(
      [report('c3'), report('c3'), report('c4')].map((r) =>
        recordConfirmedFraud('bank-a', [r], at, { merchants, thresholds, reporterKey }),
      ),
    );
    expect(shop).toBe('FR:CORNER SHOP');
    expect(await merchants.reporters('bank-a', shop, reporter('someone'), new Date(T0 + DAY_MS))).toBe(4);
    // The reporter's own payments do not count their own report.
    expect(await merchants.reporters('bank-a', shop, reporter('c1'), new Date(T0 + DAY_MS))).toBe(3);
    // Another bank sees nothing.
    expect(
      await merchants.reporters('bank-b', shop, reporter('someone', 'bank-b'), new Date(T0 + DAY_MS)),
    ).toBe(0);
    // After the window (7 days by default) the reports stop counting.
    expect(await merchants.reporters('bank-a', shop, reporter('someone'), new Date(T0 + 7 * DAY_MS))).toBe(0);
    const items = (await tables.scan('activity')).filter((it) => String(it.counterKey).startsWith('bank-a#'));
    // Neither customer ids nor the merchant's name are stored: keyed hashes and a digest.
    expect(JSON.stringify(items)).not.toMatch(/c1|CORNER/);
    expect(Object.keys(items.find((it) => it.bucket === 'compromised') ?? {})).toContain(
      `r:${reporter('c1')}`,
    );
  });

  it('drops reports that stopped counting when the merchant is reported again', async () => {
    const thresholds = new InMemoryThresholdStore();
    await recordConfirmedFraud('bank-c', [report('old')], new Date(T0), {
      merchants,
      thresholds,
      reporterKey,
    });
    await recordConfirmedFraud('bank-c', [report('new')], new Date(T0 + 30 * DAY_MS), {
      merchants,
      thresholds,
      reporterKey,
    });
    const [item] = (await tables.scan('activity')).filter((it) =>
      String(it.counterKey).startsWith('bank-c#merchant#'),
    );
    expect(Object.keys(item ?? {}).filter((name) => name.startsWith('r:'))).toEqual([
      `r:${reporter('new', 'bank-c')}`,
    ]);
  });

  it('forgets every report of an erased customer, at every merchant, and only theirs', async () => {
    const thresholds = new InMemoryThresholdStore();
    const ports = { merchants, thresholds, reporterKey };
    const at = new Date(T0);
    const at2 = (name: string, customerId: string) => ({
      transactionId: `txn_${name}_${customerId}`,
      customerId,
      merchant: { name, country: 'FR' },
    });
    await recordConfirmedFraud(
      'bank-d',
      [at2('Shop A', 'gone'), at2('Shop B', 'gone'), at2('Shop A', 'kept')],
      at,
      ports,
    );
    const later = new Date(T0 + DAY_MS);
    const shopA = merchantKeyOf({ name: 'Shop A', country: 'FR' });
    const shopB = merchantKeyOf({ name: 'Shop B', country: 'FR' });
    expect(await merchants.reporters('bank-d', shopA, reporter('x', 'bank-d'), later)).toBe(2);
    await forgetReporter('bank-d', 'gone', ports);
    expect(await merchants.reporters('bank-d', shopA, reporter('x', 'bank-d'), later)).toBe(1);
    expect(await merchants.reporters('bank-d', shopB, reporter('x', 'bank-d'), later)).toBe(0);
    const items = (await tables.scan('activity')).filter((it) => String(it.counterKey).startsWith('bank-d#'));
    expect(JSON.stringify(items)).not.toContain(reporter('gone', 'bank-d'));
    // Forgetting twice, or a customer who reported nothing, changes nothing and creates no item.
    await forgetReporter('bank-d', 'gone', ports);
    await forgetReporter('bank-d', 'never', ports);
    expect(
      (await tables.scan('activity')).filter((it) => String(it.counterKey).startsWith('bank-d#')),
    ).toEqual(items);
  });
});
