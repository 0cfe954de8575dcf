import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/messenger-webhook.ts';
import { lambdaContext } from '../../local/lambda-http-server.ts';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBankDirectory } from '../../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbEnrollmentStore } from '../../shared/adapters/dynamodb-enrollment-store.ts';
import { DynamoDbInboundLog } from '../../shared/adapters/dynamodb-inbound-log.ts';
import { DynamoDbSubscriberStore } from '../../shared/adapters/dynamodb-subscriber-store.ts';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import { metaSignature } from '../../shared/domain/verify-meta-signature.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { cardTransaction } from '../fixtures/bank-events.ts';
import { captureLogs, debugLogger } from '../support/capture-logs.ts';
import { startTestBankApi, type TestBankApi } from '../support/test-bank-api.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// Hostile input the fuzzers are unlikely to stumble on (docs/security.md lists what covers what).

const BANK = 'acme-bank';
let tables: TestTables;
let api: TestBankApi;

beforeAll(async () => {
  tables = await createTestTables();
  api = await startTestBankApi(tables, [BANK]);
  await tables.subscribe(BANK, 'cus_8f3a');
});
afterAll(() => api.close());

describe('hostile bank requests', () => {
  it('refuses deeply nested JSON with a 400, not a crash', async () => {
    const depth = 20_000;
    const response = await api.postSigned(BANK, `${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect(response.status).toBe(400);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses a %s key and pollutes nothing', async (key) => {
    const body = JSON.stringify(cardTransaction()).replace('{', `{"${key}":{"polluted":true},`);
    const response = await api.postSigned(BANK, body);
    expect(response.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await tables.scan('events')).toHaveLength(0);
  });

  it('refuses a nested __proto__ inside the transaction', async () => {
    const event = cardTransaction() as unknown as { transaction: Record<string, unknown> };
    const body = JSON.stringify(event).replace('"transaction":{', '"transaction":{"__proto__":{"amount":1},');
    expect((await api.postSigned(BANK, body)).status).toBe(400);
  });

  it('answers 413 before reading an oversized body, even unsigned', async () => {
    const response = await api.post(BANK, 'x'.repeat(70_000), { 'content-type': 'application/json' });
    expect(response.status).toBe(413);
  });

  it('refuses a signature computed over the body with different line endings', async () => {
    const body = JSON.stringify(cardTransaction(), null, 2);
    const response = await api.post(BANK, body.replaceAll('\n', '\r\n'), {
      ...(await import('../fixtures/signed-request.ts')).signedHeaders(api.secrets[BANK] ?? '', body),
    });
    expect(response.status).toBe(401);
  });
});

describe('enrollment tokens', () => {
  it('logs repeated misses without the token', async () => {
    const { documentClient: client, names } = tables;
    const log = debugLogger();
    const handler = createHandler(
      {
        secrets: async () => ({ appSecret: 'secret', verifyToken: 'verify', pageAccessToken: 'token' }),
        subscribers: new DynamoDbSubscriberStore(client, names.subscribers),
        enrollments: new DynamoDbEnrollmentStore(client, names.enrollments),
        alerts: new DynamoDbAlertStore(client, names.alerts),
        inbound: new DynamoDbInboundLog(client, names.inbound),
        banks: new DynamoDbBankDirectory(client, names.banks),
        channels: { messenger: new MessengerChannel({ send: async () => ({ messageId: 'm' }) }) },
        clock: systemClock,
      },
      log,
    );
    const guesses = [
      'guess-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'guess-token-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
    ];
    const logs = await captureLogs(async () => {
      for (const [i, ref] of guesses.entries()) {
        const body = Buffer.from(
          JSON.stringify({
            object: 'page',
            entry: [
              {
                id: '1',
                time: 1,
                messaging: [
                  { sender: { id: 'psid_guesser' }, recipient: { id: '1' }, timestamp: i, referral: { ref } },
                ],
              },
            ],
          }),
        );
        const result = await handler(
          {
            version: '2.0',
            routeKey: 'POST /messenger/webhook',
            rawPath: '/messenger/webhook',
            rawQueryString: '',
            headers: { 'x-hub-signature-256': metaSignature('secret', body) },
            isBase64Encoded: true,
            body: body.toString('base64'),
            requestContext: { http: { method: 'POST', path: '/messenger/webhook' } } as never,
          },
          lambdaContext('messenger-webhook'),
        );
        expect(result.statusCode).toBe(200);
      }
    });
    expect(logs.match(/link_invalid/g)).toHaveLength(2);
    for (const guess of guesses) expect(logs).not.toContain(guess);
    expect(logs).not.toContain('psid_guesser');
  });
});
