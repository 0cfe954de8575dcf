import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../local/local-secrets.ts';
import { EVENT_RETENTION_SECONDS } from '../../shared/domain/stored-event.ts';
import { accountBalance, cardTransaction } from '../fixtures/bank-events.ts';
import { signedHeaders } from '../fixtures/signed-request.ts';
import { captureLogs, debugLogger } from '../support/capture-logs.ts';
import { startTestBankApi, type TestBankApi } from '../support/test-bank-api.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

const BANK = 'acme-bank';
const OTHER_BANK = 'other-bank';
let tables: TestTables;
let api: TestBankApi;
let storedBefore: number;

beforeAll(async () => {
  tables = await createTestTables();
  api = await startTestBankApi(tables, [BANK, OTHER_BANK]);
  await tables.subscribe(BANK, 'cus_8f3a');
});
afterAll(() => api.close());
beforeEach(async () => {
  storedBefore = (await tables.scan('events')).length;
});

async function expectNothingStored() {
  expect((await tables.scan('events')).length).toBe(storedBefore);
}

async function expectProblem(response: Response, status: number, type: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = (await response.json()) as Record<string, unknown>;
  expect(problem).toMatchObject({ type: `urn:vigil:problem:${type}`, status });
  expect(typeof problem.title).toBe('string');
  expect(typeof problem.detail).toBe('string');
  return problem;
}

describe('POST /v1/banks/{bankId}/events', () => {
  it('202: stores a card transaction once, minimised, with a 7-day expiry', async () => {
    const body = JSON.stringify(cardTransaction());
    const before = Math.floor(Date.now() / 1000);
    const response = await api.postSigned(BANK, body, 'evt_accepted');

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ id: 'evt_accepted', status: 'accepted' });
    const { Item } = await tables.documentClient.send(
      new GetCommand({ TableName: tables.names.events, Key: { eventKey: `${BANK}#evt_accepted` } }),
    );
    expect(Item).toMatchObject({
      bankId: BANK,
      eventId: 'evt_accepted',
      type: 'card.transaction',
      customerId: 'cus_8f3a',
      status: 'received',
      transaction: {
        id: 'txn_91',
        cardLast4: '4242',
        amount: 12500,
        currency: 'EUR',
        merchantName: 'ACME STORE',
        mcc: '5411',
        country: 'FR',
        channel: 'card_present',
        status: 'authorized',
      },
    });
    // The erasure ref is a keyed hash: it names neither the bank nor the customer.
    expect(Item?.erasureRef).toMatch(/^er_[A-Za-z0-9_-]{43}$/);
    expect(Item?.erasureRef).not.toContain('cus_8f3a');
    expect(Item?.expiresAt).toBeGreaterThanOrEqual(before + EVENT_RETENTION_SECONDS);
    expect(Item?.expiresAt).toBeLessThanOrEqual(before + EVENT_RETENTION_SECONDS + 5);
    expect(Object.keys(Item ?? {}).sort()).toEqual(
      [
        'eventKey',
        'customerKey',
        'bankId',
        'bodyHash',
        'customerId',
        'erasureRef',
        'eventId',
        'expiresAt',
        'occurredAt',
        'receivedAt',
        'status',
        'transaction',
        'type',
      ].sort(),
    );
  });

  it('202: stores a balance event', async () => {
    const response = await api.postSigned(BANK, JSON.stringify(accountBalance()), 'evt_balance');
    expect(response.status).toBe(202);
    const items = await tables.scan('events');
    expect(items.find((item) => item.eventId === 'evt_balance')).toMatchObject({
      type: 'account.balance',
      balance: { accountLast4: '0042', available: 4200, currency: 'EUR' },
    });
  });

  it('200 duplicate: the same webhook-id and body again, even re-serialised, stores nothing more', async () => {
    const event = cardTransaction({ transaction: { id: 'txn_dup' } });
    expect((await api.postSigned(BANK, JSON.stringify(event), 'evt_dup')).status).toBe(202);
    storedBefore += 1;
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(event).reverse()), null, 2);

    for (const body of [JSON.stringify(event), reordered]) {
      const response = await api.postSigned(BANK, body, 'evt_dup');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id: 'evt_dup', status: 'duplicate' });
    }
    await expectNothingStored();
  });

  it('409: the same webhook-id with another body changes nothing', async () => {
    await api.postSigned(
      BANK,
      JSON.stringify(cardTransaction({ transaction: { amount: 100 } })),
      'evt_conflict',
    );
    storedBefore += 1;
    const response = await api.postSigned(
      BANK,
      JSON.stringify(cardTransaction({ transaction: { amount: 999999 } })),
      'evt_conflict',
    );
    await expectProblem(response, 409, 'conflict');
    const stored = (await tables.scan('events')).find((item) => item.eventId === 'evt_conflict');
    expect(stored).toMatchObject({ transaction: { amount: 100 } });
    await expectNothingStored();
  });

  it('the same webhook-id from two banks are two events', async () => {
    await tables.subscribe(OTHER_BANK, 'cus_8f3a');
    const body = JSON.stringify(cardTransaction());
    expect((await api.postSigned(BANK, body, 'evt_shared')).status).toBe(202);
    expect((await api.postSigned(OTHER_BANK, body, 'evt_shared')).status).toBe(202);
  });

  it('202 ignored: a customer without an active subscription stores nothing', async () => {
    const response = await api.postSigned(
      BANK,
      JSON.stringify(cardTransaction({ customerId: 'cus_nobody' })),
      'evt_i',
    );
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ id: 'evt_i', status: 'ignored', reason: 'not_subscribed' });
    await expectNothingStored();
  });

  it('400: field-level errors for an invalid event, nothing stored', async () => {
    const body = JSON.stringify({ ...cardTransaction({ transaction: { currency: 'EURO' } }), extra: 1 });
    const problem = await expectProblem(await api.postSigned(BANK, body), 400, 'validation-failed');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { path: 'transaction.currency', message: expect.any(String) },
        { path: '$', message: expect.stringContaining('extra') },
      ]),
    );
    await expectNothingStored();
  });

  it('400: malformed JSON and invalid UTF-8, nothing stored', async () => {
    await expectProblem(await api.postSigned(BANK, '{"type":'), 400, 'malformed-json');
    await expectProblem(
      await api.postSigned(BANK, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
      400,
      'malformed-json',
    );
    await expectNothingStored();
  });

  it('400: a webhook-id that cannot be an event id, nothing stored', async () => {
    const problem = await expectProblem(
      await api.postSigned(BANK, JSON.stringify(cardTransaction()), 'evt with spaces'),
      400,
      'validation-failed',
    );
    expect(problem.errors).toEqual([{ path: 'header:webhook-id', message: expect.any(String) }]);
    await expectNothingStored();
  });

  describe('401, one answer for every authentication failure, nothing stored', () => {
    const body = JSON.stringify(cardTransaction());
    const cases: [string, () => Promise<Response>][] = [
      ['a wrong secret', () => api.post(BANK, body, signedHeaders(newWebhookSecret(), body))],
      [
        'another bank’s secret',
        () => api.post(BANK, body, signedHeaders(api.secrets[OTHER_BANK] ?? '', body)),
      ],
      ['an unknown bank', () => api.post('no-such-bank', body, signedHeaders(newWebhookSecret(), body))],
      [
        'a bank id that cannot exist',
        () => api.post('NO_SUCH%20BANK', body, signedHeaders(newWebhookSecret(), body)),
      ],
      [
        'a stale timestamp',
        () =>
          api.post(
            BANK,
            body,
            signedHeaders(api.secrets[BANK] ?? '', body, { timestamp: new Date(Date.now() - 6 * 60_000) }),
          ),
      ],
      ['no signature headers', () => api.post(BANK, body, { 'content-type': 'application/json' })],
      [
        'a body changed after signing',
        () => api.post(BANK, body.replace('12500', '12501'), signedHeaders(api.secrets[BANK] ?? '', body)),
      ],
    ];
    let reference: unknown;
    it.each(cases)('%s', async (_, send) => {
      const problem = await expectProblem(await send(), 401, 'invalid-signature');
      reference ??= problem;
      expect(problem).toEqual(reference);
      await expectNothingStored();
    });
  });

  it('accepts the previous secret during a rotation and refuses it after', async () => {
    const previous = api.secrets[BANK] ?? '';
    const current = newWebhookSecret();
    const body = JSON.stringify(cardTransaction({ transaction: { id: 'txn_rot' } }));
    await api.setSigningSecret(BANK, { current, previous });
    expect((await api.post(BANK, body, signedHeaders(previous, body))).status).toBe(202);
    expect((await api.post(BANK, body, signedHeaders(current, body))).status).toBe(202);
    await api.setSigningSecret(BANK, { current });
    await expectProblem(await api.post(BANK, body, signedHeaders(previous, body)), 401, 'invalid-signature');
    await api.setSigningSecret(BANK, { current: previous });
  });

  it('413: a body over 64 KiB, nothing stored', async () => {
    const body = JSON.stringify({ ...cardTransaction(), padding: 'x'.repeat(64 * 1024) });
    await expectProblem(await api.postSigned(BANK, body), 413, 'payload-too-large');
    await expectNothingStored();
  });

  it('415: a body that is not JSON, nothing stored', async () => {
    const body = JSON.stringify(cardTransaction());
    const headers = signedHeaders(api.secrets[BANK] ?? '', body, { contentType: 'text/plain' });
    await expectProblem(await api.post(BANK, body, headers), 415, 'unsupported-media-type');
    const latin1 = signedHeaders(api.secrets[BANK] ?? '', body, {
      contentType: 'application/json; charset=latin1',
    });
    await expectProblem(await api.post(BANK, body, latin1), 415, 'unsupported-media-type');
    await expectNothingStored();
  });

  it('422: a card number anywhere in the body, nothing stored and nothing of the body logged', async () => {
    const logged = await startTestBankApi(tables, [BANK], {}, debugLogger());
    const logs = await captureLogs(async () => {
      const bodies = [
        JSON.stringify(cardTransaction({ transaction: { merchant: { name: 'ACME 4242 4242 4242 4242' } } })),
        JSON.stringify({ ...cardTransaction(), pan: 4242424242424242 }),
      ];
      for (const body of bodies) {
        const problem = await expectProblem(await logged.postSigned(BANK, body), 422, 'pan-detected');
        expect(JSON.stringify(problem)).not.toContain('4242 4242');
      }
    });
    await logged.close();
    expect(logs).toContain('pan-detected');
    expect(logs).not.toMatch(/4242 ?4242|ACME|cus_8f3a/);
    await expectNothingStored();
  });

  it('400: an occurredAt more than 5 minutes in the future, nothing stored', async () => {
    const soon = new Date(Date.now() + 4 * 60_000).toISOString();
    const late = new Date(Date.now() + 6 * 60_000).toISOString();
    const refused = await api.postSigned(BANK, JSON.stringify(cardTransaction({ occurredAt: late })));
    const problem = await expectProblem(refused, 400, 'validation-failed');
    expect(problem.errors).toEqual([{ path: 'occurredAt', message: expect.stringContaining('future') }]);
    await expectNothingStored();
    const accepted = await api.postSigned(
      BANK,
      JSON.stringify(cardTransaction({ occurredAt: soon })),
      'evt_soon',
    );
    expect(accepted.status).toBe(202);
  });

  it('422: the reported bypasses (separators, other digit scripts, header, path), nothing stored or logged', async () => {
    const logged = await startTestBankApi(tables, [BANK], {}, debugLogger());
    const logs = await captureLogs(async () => {
      const merchants = [
        'CARD 4111.1111.1111.1111',
        '4242/4242/4242/4242',
        '4242_4242_4242_4242',
        '4242:4242:4242:4242',
        '4242\t4242\t4242\t4242',
        '4242\u00a04242\u00a04242\u00a04242',
        '4242\u20134242\u20134242\u20134242',
        '4242\u200b4242\u200b4242\u200b4242',
        '\uff14\uff12\uff14\uff12424242424242',
        '\u0664\u0662\u0664\u0662424242424242',
      ];
      for (const merchant of merchants) {
        const body = JSON.stringify(cardTransaction({ transaction: { merchant: { name: merchant } } }));
        await expectProblem(await logged.postSigned(BANK, body), 422, 'pan-detected');
      }
      const valid = JSON.stringify(cardTransaction());
      const header = await expectProblem(
        await logged.postSigned(BANK, valid, '4242_4242_4242_4242'),
        422,
        'pan-detected',
      );
      expect(header.detail).toContain('header webhook-id');
      const path = await expectProblem(
        await logged.call(BANK, 'DELETE', '/customers/4242.4242.4242.4242'),
        422,
        'pan-detected',
      );
      expect(path.detail).toContain('path customerId');
      const exponent = JSON.stringify(cardTransaction()).replace(
        '"amount":12500',
        '"amount":4.242424242424242e15',
      );
      await expectProblem(await logged.postSigned(BANK, exponent), 400, 'number-format');
    });
    await logged.close();
    expect(logs).not.toMatch(/4242|4111/);
    await expectNothingStored();
  });
});
