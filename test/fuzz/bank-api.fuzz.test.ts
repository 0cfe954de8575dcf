import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/receive-bank-event.ts';
import { lambdaContext } from '../../local/lambda-http-server.ts';
import { ISO_COUNTRY_CODES } from '../../shared/domain/iso-countries.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { startTestBankApi, type TestBankApi } from '../support/test-bank-api.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// Fuzzing the bank API's handler (in process, DynamoDB Local behind it): whatever a client
// sends, it gets a 4xx or a 2xx, never a 5xx, and nothing invalid is stored. `npm run fuzz` runs
// many more cases (FUZZ_RUNS).

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const VALID_RUNS = Math.max(500, Math.floor(RUNS / 5));
const BANK = 'fuzz-bank';
let tables: TestTables;
let api: TestBankApi;
let handler: ReturnType<typeof createHandler>;

beforeAll(async () => {
  tables = await createTestTables();
  api = await startTestBankApi(tables, [BANK]);
  await api.close();
  handler = createHandler(api.ports);
  for (const customer of ['cus_a', 'cus_b', 'cus_c']) await tables.subscribe(BANK, customer);
});

function event(bankId: string, headers: Record<string, string>, body: Buffer): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /v1/banks/{bankId}/events',
    rawPath: `/v1/banks/${bankId}/events`,
    rawQueryString: '',
    headers,
    pathParameters: { bankId },
    isBase64Encoded: true,
    body: body.toString('base64'),
    requestContext: {} as APIGatewayProxyEventV2['requestContext'],
  };
}

function signed(body: Buffer, id: string, secret = api.secrets[BANK] ?? '') {
  const now = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, now, body),
  };
}

/** Valid events, mutated: a field dropped, replaced by any JSON value, or added. */
const mutatedBody = fc
  .tuple(
    fc.constantFrom(
      ...Object.keys(cardTransaction()),
      'transaction.amount',
      'transaction.currency',
      'transaction.merchant',
    ),
    fc.oneof(fc.constant(undefined), fc.jsonValue(), fc.string()),
    fc.boolean(),
  )
  .map(([path, value, add]) => {
    const body = JSON.parse(JSON.stringify(cardTransaction({ customerId: 'cus_nobody' }))) as Record<
      string,
      unknown
    >;
    const [head = '', tail] = path.split('.');
    const target = (tail === undefined ? body : body[head]) as Record<string, unknown>;
    const key = add ? `${tail ?? head}_extra` : (tail ?? head);
    if (value === undefined) delete target[key];
    else target[key] = value;
    return Buffer.from(JSON.stringify(body));
  });

const anyBody = fc.oneof(
  fc.string().map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? '')),
  mutatedBody,
);

const anyHeaders = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', ''),
    'webhook-id': fc.string({ maxLength: 200 }),
    'webhook-timestamp': fc.oneof(fc.string(), fc.integer().map(String)),
    'webhook-signature': fc.oneof(
      fc.string(),
      fc.base64String().map((b) => `v1,${b}`),
    ),
  },
  { requiredKeys: [] },
);

describe(`fuzzing the bank API (${RUNS} cases a target)`, () => {
  it('answers anything unsigned or badly signed with a 4xx and stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(BANK), fc.string()),
        anyHeaders,
        anyBody,
        async (bankId, headers, body) => {
          const result = await handler(event(bankId, headers, body), lambdaContext('receive-bank-event'));
          expect(result.statusCode).toBeGreaterThanOrEqual(400);
          expect(result.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );
    expect(await tables.scan('events')).toHaveLength(0);
  });

  it('answers any correctly signed body with a 4xx or an ignore, never a 5xx, and stores nothing', async () => {
    let id = 0;
    await fc.assert(
      fc.asyncProperty(anyBody, async (body) => {
        const result = await handler(
          event(BANK, signed(body, `evt_m_${++id}`), body),
          lambdaContext('receive-bank-event'),
        );
        expect([202, 400, 413, 415, 422]).toContain(result.statusCode);
        if (result.statusCode === 202)
          expect(JSON.parse(result.body ?? '{}')).toMatchObject({ status: 'ignored' });
      }),
      { numRuns: RUNS },
    );
    expect(await tables.scan('events')).toHaveLength(0);
  });

  it(`accepts every valid generated event (${VALID_RUNS} cases)`, async () => {
    const countries = [...ISO_COUNTRY_CODES];
    const valid = fc.record({
      customerId: fc.constantFrom('cus_a', 'cus_b', 'cus_c'),
      // Short enough never to hold 13 digits: the PAN guard would rightly refuse those.
      id: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.:-]{0,11}$/),
      cardLast4: fc.stringMatching(/^\d{4}$/),
      amount: fc.integer({ min: 0, max: 10_000_000 }),
      currency: fc.constantFrom('EUR', 'USD', 'GBP', 'JPY', 'CHF'),
      name: fc
        .string({ minLength: 1, maxLength: 100 })
        .map((name) => name.replace(/\d/g, 'x'))
        .filter((name) => name.trim() !== ''),
      mcc: fc.stringMatching(/^\d{4}$/),
      country: fc.constantFrom(...countries),
      channel: fc.constantFrom('card_present', 'card_not_present', 'atm', 'transfer'),
      status: fc.constantFrom('authorized', 'declined'),
      occurredAt: fc.date({
        min: new Date('2020-01-01'),
        max: new Date() /* later is refused: at most 5 minutes ahead */,
        noInvalidDate: true,
      }),
    });
    let id = 0;
    await fc.assert(
      fc.asyncProperty(valid, async (v) => {
        const body = Buffer.from(
          JSON.stringify({
            type: 'card.transaction',
            customerId: v.customerId,
            occurredAt: v.occurredAt.toISOString(),
            transaction: {
              id: v.id,
              cardLast4: v.cardLast4,
              amount: v.amount,
              currency: v.currency,
              merchant: { name: v.name, mcc: v.mcc, country: v.country },
              channel: v.channel,
              status: v.status,
            },
          }),
        );
        const result = await handler(
          event(BANK, signed(body, `evt_v_${++id}`), body),
          lambdaContext('receive-bank-event'),
        );
        expect(result.statusCode).toBe(202);
        expect(JSON.parse(result.body ?? '{}')).toMatchObject({ status: 'accepted' });
      }),
      { numRuns: VALID_RUNS },
    );
    expect(await tables.scan('events')).toHaveLength(id);
  });
});
