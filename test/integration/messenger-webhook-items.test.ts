import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/messenger-webhook.ts';
import { lambdaContext } from '../../local/lambda-http-server.ts';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBankDirectory } from '../../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbEnrollmentStore } from '../../shared/adapters/dynamodb-enrollment-store.ts';
import { DynamoDbInboundLog } from '../../shared/adapters/dynamodb-inbound-log.ts';
import { DynamoDbSubscriberStore } from '../../shared/adapters/dynamodb-subscriber-store.ts';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import { textsFor } from '../../shared/domain/render-message.ts';
import { metaSignature } from '../../shared/domain/verify-meta-signature.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import type { SendRequest } from '../../shared/ports/messenger.ts';
import { messengerFixture, pagePayload } from '../fixtures/messenger/messenger-fixture.ts';
import { captureLogs, debugLogger } from '../support/capture-logs.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// The webhook reads each item on its own: one that fails does not hold up the others, and what
// is skipped is logged by type and reason only.

const APP_SECRET = 'items-app-secret';
const PAGE_ID = '100000000000001';
let tables: TestTables;
let sent: SendRequest[];
let broken: Set<string>;
let handler: ReturnType<typeof createHandler>;

beforeAll(async () => {
  tables = await createTestTables();
  const { documentClient: client, names } = tables;
  const subscribers = new DynamoDbSubscriberStore(client, names.subscribers);
  sent = [];
  broken = new Set();
  handler = createHandler(
    {
      secrets: async () => ({ appSecret: APP_SECRET, verifyToken: 'verify', pageAccessToken: 'token' }),
      // A store that fails for some people, as DynamoDB might for one call.
      subscribers: Object.assign(Object.create(subscribers) as DynamoDbSubscriberStore, {
        byAddress: async (address: string) => {
          if (broken.has(address)) throw new Error('DynamoDB unavailable');
          return subscribers.byAddress(address);
        },
      }),
      enrollments: new DynamoDbEnrollmentStore(client, names.enrollments),
      alerts: new DynamoDbAlertStore(client, names.alerts),
      inbound: new DynamoDbInboundLog(client, names.inbound),
      banks: new DynamoDbBankDirectory(client, names.banks),
      channels: {
        messenger: new MessengerChannel({
          send: async (request) => {
            sent.push(request);
            return { messageId: 'm_sent' };
          },
        }),
      },
      clock: systemClock,
    },
    debugLogger(),
  );
});

async function post(payload: unknown) {
  const body = Buffer.from(JSON.stringify(payload));
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: 'POST /messenger/webhook',
    rawPath: '/messenger/webhook',
    rawQueryString: '',
    headers: { 'x-hub-signature-256': metaSignature(APP_SECRET, body) },
    isBase64Encoded: true,
    body: body.toString('base64'),
    requestContext: { http: { method: 'POST', path: '/messenger/webhook' } } as never,
  };
  return handler(event, lambdaContext('messenger-webhook'));
}

const help = (psid: string, mid: string) => ({
  sender: { id: psid },
  recipient: { id: PAGE_ID },
  timestamp: 1_764_000_000_000,
  message: { mid, text: 'HELP' },
});

const repliesTo = (psid: string) => sent.filter((request) => request.psid === psid);

describe('one item at a time', () => {
  it('handles the other items when one fails, then the failed one on Meta’s retry, each once', async () => {
    broken.add('psid_broken');
    const payload = pagePayload(PAGE_ID, [help('psid_broken', 'm_broken')], [help('psid_fine', 'm_fine')]);
    expect((await post(payload)).statusCode).toBe(500);
    expect(repliesTo('psid_fine')).toHaveLength(1);
    expect(repliesTo('psid_broken')).toHaveLength(0);

    broken.clear();
    expect((await post(payload)).statusCode).toBe(200);
    expect(repliesTo('psid_broken')).toMatchObject([
      { messagingType: 'RESPONSE', message: { text: textsFor('en_US').help } },
    ]);
    expect(repliesTo('psid_fine')).toHaveLength(1);
  });

  it('logs each skipped item by type and reason, never the person, the text or the payload', async () => {
    const psid = 'psid_private_4242';
    const values = { psid, pageId: PAGE_ID, mid: 'm_private' };
    const logs = await captureLogs(async () => {
      const result = await post(
        pagePayload(PAGE_ID, [
          messengerFixture('delivery', values),
          messengerFixture('reaction', values),
          messengerFixture('policy-enforcement-block', values),
          { ...help(psid, 'm_private_bad'), recipient: {} },
          messengerFixture('message-text', { ...values, mid: 'm_private_text' }),
        ]),
      );
      expect(result.statusCode).toBe(200);
    });
    const line = logs.split('\n').find((text) => text.includes('messenger events handled')) ?? '';
    expect(JSON.parse(line)).toMatchObject({
      outcomes: ['unknown'],
      skipped: [
        { type: 'delivery', reason: 'not_used' },
        { type: 'reaction', reason: 'not_used' },
        { type: 'policy_enforcement', reason: 'not_used' },
        { type: 'message', reason: 'invalid', field: 'recipient.id' },
      ],
    });
    for (const secret of [psid, 'hello, world', 'HELP', 'spammy', '❤']) expect(logs).not.toContain(secret);
  });

  it('refuses only what is not a webhook envelope (400), and a bad signature (403)', async () => {
    expect((await post({ object: 'user', entry: [] })).statusCode).toBe(400);
    expect((await post([help('psid_x', 'm_x')])).statusCode).toBe(400);
    expect(
      (await post({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [] }] })).statusCode,
    ).toBe(200);
    const body = Buffer.from(JSON.stringify(pagePayload(PAGE_ID, [help('psid_x', 'm_x')])));
    const unsigned = await handler(
      {
        version: '2.0',
        routeKey: 'POST /messenger/webhook',
        rawPath: '/messenger/webhook',
        rawQueryString: '',
        headers: { 'x-hub-signature-256': metaSignature('another-secret', body) },
        isBase64Encoded: true,
        body: body.toString('base64'),
        requestContext: { http: { method: 'POST', path: '/messenger/webhook' } } as never,
      },
      lambdaContext('messenger-webhook'),
    );
    expect(unsigned.statusCode).toBe(403);
    expect(repliesTo('psid_x')).toHaveLength(0);
  });
});
