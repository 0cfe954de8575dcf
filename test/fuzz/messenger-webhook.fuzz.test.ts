import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
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
import type { Messenger } from '../../shared/ports/messenger.ts';
import { MESSAGING_FIXTURES, messengerFixture } from '../fixtures/messenger/messenger-fixture.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// Fuzzing the Messenger webhook: bad or missing signatures get 403; any signed page envelope a
// 200 whatever its items (Meta's reference items mixed in), anything else a 400, never a 5xx;
// and nothing unsigned changes anything.

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const APP_SECRET = 'fuzz-app-secret';
let tables: TestTables;
let handler: ReturnType<typeof createHandler>;
const sent: unknown[] = [];

beforeAll(async () => {
  tables = await createTestTables();
  const { documentClient: client, names } = tables;
  const messenger: Messenger = {
    send: async (request) => {
      sent.push(request);
      return { messageId: 'm_fuzz' };
    },
  };
  handler = createHandler({
    secrets: async () => ({ appSecret: APP_SECRET, verifyToken: 'verify', pageAccessToken: 'token' }),
    subscribers: new DynamoDbSubscriberStore(client, names.subscribers),
    enrollments: new DynamoDbEnrollmentStore(client, names.enrollments),
    alerts: new DynamoDbAlertStore(client, names.alerts),
    inbound: new DynamoDbInboundLog(client, names.inbound),
    banks: new DynamoDbBankDirectory(client, names.banks),
    channels: { messenger: new MessengerChannel(messenger) },
    clock: systemClock,
  });
  await tables.subscribe('bank', 'cus_watched');
});

function isPageEnvelope(text: string): boolean {
  try {
    const value = JSON.parse(text) as { object?: unknown; entry?: unknown } | null;
    return value?.object === 'page' && Array.isArray(value.entry);
  } catch {
    return false;
  }
}

function post(body: Buffer, signature?: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /messenger/webhook',
    rawPath: '/messenger/webhook',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      ...(signature !== undefined && { 'x-hub-signature-256': signature }),
    },
    isBase64Encoded: true,
    body: body.toString('base64'),
    requestContext: {
      http: { method: 'POST', path: '/messenger/webhook' },
    } as APIGatewayProxyEventV2['requestContext'],
  };
}

/** Webhook-shaped payloads with random events, and anything else. */
const payload = fc.oneof(
  fc.jsonValue(),
  fc.record({
    object: fc.constantFrom('page', 'user', 1),
    entry: fc.array(
      fc.record({
        id: fc.string(),
        time: fc.integer(),
        messaging: fc.array(
          fc.oneof(
            fc
              .constantFrom(...Object.keys(MESSAGING_FIXTURES))
              .map((name) => messengerFixture(name, { psid: 'psid_cus_watched', pageId: '1' })),
            fc.jsonValue(),
            fc.record(
              {
                sender: fc.record({ id: fc.constantFrom('psid_cus_watched', 'psid_other', '') }),
                recipient: fc.record({ id: fc.string() }),
                timestamp: fc.integer({ min: 0 }),
                message: fc.record(
                  {
                    mid: fc.string({ minLength: 1, maxLength: 20 }),
                    text: fc.oneof(fc.constantFrom('STOP', 'START', 'HELP'), fc.string()),
                    quick_reply: fc.record({
                      payload: fc.oneof(fc.string(), fc.constantFrom('ALERT_NO:x', 'CONSENT_AGREE:x')),
                    }),
                  },
                  { requiredKeys: ['mid'] },
                ),
                referral: fc.record({ ref: fc.string() }),
              },
              { requiredKeys: ['sender', 'recipient', 'timestamp'] },
            ),
          ),
          { maxLength: 3 },
        ),
      }),
      { maxLength: 2 },
    ),
  }),
);

describe(`fuzzing the Messenger webhook (${RUNS} cases a target)`, () => {
  it('answers a missing or wrong signature with 403 and changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        payload,
        fc.option(
          fc.oneof(
            fc.string(),
            fc.stringMatching(/^[0-9a-f]{0,64}$/).map((hex) => `sha256=${hex}`),
          ),
        ),
        async (value, signature) => {
          const body = Buffer.from(JSON.stringify(value) ?? '');
          const result = await handler(
            post(body, signature ?? undefined),
            lambdaContext('messenger-webhook'),
          );
          expect(result.statusCode).toBe(403);
        },
      ),
      { numRuns: RUNS },
    );
    expect(await tables.scan('inbound')).toHaveLength(0);
    expect((await tables.scan('subscribers'))[0]?.status).toBe('active');
  });

  it('answers any signed page envelope with 200, any other signed body with 400', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          payload.map((value) => JSON.stringify(value) ?? ''),
          fc.string(),
        ),
        async (text) => {
          const body = Buffer.from(text);
          const result = await handler(
            post(body, metaSignature(APP_SECRET, body)),
            lambdaContext('messenger-webhook'),
          );
          expect(result.statusCode).toBe(isPageEnvelope(text) ? 200 : 400);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
