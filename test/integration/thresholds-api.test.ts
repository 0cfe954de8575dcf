import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbCustomerSettings } from '../../shared/adapters/dynamodb-customer-settings.ts';
import { DynamoDbThresholdStore } from '../../shared/adapters/dynamodb-threshold-store.ts';
import { settingsFor } from '../../shared/domain/score-bank-event.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';
import { signedAdminHeaders, signedHeaders } from '../fixtures/signed-request.ts';
import { thresholds } from '../fixtures/thresholds.ts';
import { startTestBankApi, type TestBankApi } from '../support/test-bank-api.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

const BANK = 'acme-bank';
let tables: TestTables;
let api: TestBankApi;

/** What scoring reads: the bank default through this store's cache, the customer's override with one Query. */
const thresholdsFor = (bankId: string, customerId: string, thresholds: DynamoDbThresholdStore) =>
  settingsFor(bankId, customerId, {
    thresholds,
    customerSettings: new DynamoDbCustomerSettings(tables.documentClient, tables.names.thresholds),
  });

beforeAll(async () => {
  tables = await createTestTables();
  api = await startTestBankApi(tables, [BANK, 'other-bank']);
});
afterAll(() => api.close());

describe('threshold API (docs/contract.md#thresholds)', () => {
  it('serves Vigil’s built-in defaults until the bank sets its own, and nothing to unknown banks', async () => {
    const response = await api.call('new-bank-without-thresholds', 'GET', '/thresholds');
    expect(response.status).toBe(401);
    const ours = await api.call('other-bank', 'GET', '/thresholds');
    expect(ours.status).toBe(200);
    expect(await ours.json()).toEqual(BUILT_IN_THRESHOLDS);
  });

  it('sets and reads the bank default', async () => {
    const value = thresholds({ homeCountries: ['FR', 'BE'] });
    const put = await api.call(BANK, 'PUT', '/thresholds', value);
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual(value);
    expect(await (await api.call(BANK, 'GET', '/thresholds')).json()).toEqual(value);
  });

  it('refuses an invalid default with field errors and keeps the previous one', async () => {
    const before = await (await api.call(BANK, 'GET', '/thresholds')).json();
    const response = await api.call(BANK, 'PUT', '/thresholds', {
      ...thresholds(),
      currency: 'EURO',
      velocity: { count: 0, windowMinutes: 10 },
      extra: true,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((error) => error.path).sort()).toEqual(['$', 'currency', 'velocity.count']);
    expect(await (await api.call(BANK, 'GET', '/thresholds')).json()).toEqual(before);
  });

  it('sets, reads and deletes a customer override, idempotently', async () => {
    const path = '/customers/cus_8f3a/thresholds';
    expect((await api.call(BANK, 'GET', path)).status).toBe(404);
    const put = await api.call(BANK, 'PUT', path, {
      singleTransactionAmount: 10_000,
      weights: { declined: 0 },
    });
    expect(put.status).toBe(200);
    expect(await (await api.call(BANK, 'GET', path)).json()).toEqual({
      singleTransactionAmount: 10_000,
      weights: { declined: 0 },
    });
    expect((await api.call(BANK, 'DELETE', path)).status).toBe(204);
    expect((await api.call(BANK, 'DELETE', path)).status).toBe(204);
    expect((await api.call(BANK, 'GET', path)).status).toBe(404);
  });

  it('refuses a bad customer id or an invalid override', async () => {
    const badId = await api.call(BANK, 'PUT', '/customers/jane%40example.com/thresholds', {});
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ errors: [{ path: 'path:customerId' }] });
    const badBody = await api.call(BANK, 'PUT', '/customers/cus_1/thresholds', { weights: { velocity: -1 } });
    expect(badBody.status).toBe(400);
    expect(await badBody.json()).toMatchObject({ errors: [{ path: 'weights.velocity' }] });
  });

  it('refuses unsigned or wrongly signed calls, and another bank’s signature', async () => {
    const unsigned = await fetch(`${api.url}/v1/banks/${BANK}/thresholds`);
    expect(unsigned.status).toBe(401);
    const body = JSON.stringify(thresholds());
    const url = `${api.url}/v1/banks/${BANK}/thresholds`;
    const foreign = await fetch(url, {
      method: 'PUT',
      headers: await signedAdminHeaders(api.adminKeys['other-bank'] ?? '', { method: 'PUT', url, body }),
      body,
    });
    expect(foreign.status).toBe(401);
    // Nor is an event signature of this very bank an administration signature.
    const eventSigned = await fetch(url, {
      method: 'PUT',
      headers: signedHeaders(api.secrets[BANK] ?? '', body),
      body,
    });
    expect(eventSigned.status).toBe(401);
  });

  it('guards against card numbers in threshold bodies too', async () => {
    const response = await api.call(BANK, 'PUT', '/customers/cus_1/thresholds', { note: '4242424242424242' });
    expect(response.status).toBe(422);
  });

  it('answers 404 problem+json for an unknown route of the API', async () => {
    const response = await api.call(BANK, 'PUT', '/customers/cus_1/thresholds/extra', {});
    expect(response.status).toBe(404);
  });

  it('applies a change to scoring within 60 s: the bank default is cached no longer', async () => {
    let now = Date.parse('2026-11-29T10:00:00Z');
    const scorer = new DynamoDbThresholdStore(tables.documentClient, tables.names.thresholds, () => now);
    await api.call(BANK, 'PUT', '/thresholds', thresholds({ alertScore: 60 }));
    expect((await thresholdsFor(BANK, 'cus_x', scorer)).thresholds.alertScore).toBe(60);

    await api.call(BANK, 'PUT', '/thresholds', thresholds({ alertScore: 70 }));
    now += 59_000;
    expect((await thresholdsFor(BANK, 'cus_x', scorer)).thresholds.alertScore).toBe(60);
    now += 2_000;
    expect((await thresholdsFor(BANK, 'cus_x', scorer)).thresholds.alertScore).toBe(70);
  });

  it('applies a customer override at once, over the bank default', async () => {
    const scorer = new DynamoDbThresholdStore(tables.documentClient, tables.names.thresholds);
    await api.call(BANK, 'PUT', '/customers/cus_vip/thresholds', { singleTransactionAmount: 900_000 });
    const { thresholds: merged } = await thresholdsFor(BANK, 'cus_vip', scorer);
    expect(merged.singleTransactionAmount).toBe(900_000);
    expect(merged.homeCountries).toEqual(
      (await thresholdsFor(BANK, 'cus_other', scorer)).thresholds.homeCountries,
    );
  });
});
