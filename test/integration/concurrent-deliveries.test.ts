import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { signedHeaders } from '../fixtures/signed-request.ts';
import { startTestBankApi, type TestBankApi } from '../support/test-bank-api.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

const BANK = 'acme-bank';
let tables: TestTables;
let api: TestBankApi;

beforeAll(async () => {
  tables = await createTestTables();
  api = await startTestBankApi(tables, [BANK]);
  await tables.subscribe(BANK, 'cus_8f3a');
});
afterAll(() => api.close());

describe('concurrent deliveries', () => {
  it('50 parallel deliveries of one event store one item: one 202, 49 × 200 duplicate', async () => {
    const body = JSON.stringify(cardTransaction());
    const headers = signedHeaders(api.secrets[BANK] ?? '', body, { eventId: 'evt_race' });

    const responses = await Promise.all(Array.from({ length: 50 }, () => api.post(BANK, body, headers)));
    const outcomes = await Promise.all(
      responses.map(
        async (response) => `${response.status} ${((await response.json()) as { status: string }).status}`,
      ),
    );

    expect(outcomes.filter((outcome) => outcome === '202 accepted')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === '200 duplicate')).toHaveLength(49);
    expect(await tables.scan('events')).toHaveLength(1);
  });

  it('parallel deliveries of different events store each one', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify(cardTransaction({ transaction: { id: `t${i}` } })),
    );
    const responses = await Promise.all(bodies.map((body, i) => api.postSigned(BANK, body, `evt_many_${i}`)));
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(202));
    expect(await tables.scan('events')).toHaveLength(21);
  });
});
