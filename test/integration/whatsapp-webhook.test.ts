import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/whatsapp-webhook.ts';
import { lambdaContext } from '../../local/lambda-http-server.ts';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBankDirectory } from '../../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbEnrollmentStore } from '../../shared/adapters/dynamodb-enrollment-store.ts';
import { DynamoDbInboundLog } from '../../shared/adapters/dynamodb-inbound-log.ts';
import { DynamoDbSubscriberStore } from '../../shared/adapters/dynamodb-subscriber-store.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import { enrollCustomer, whatsappEnrollmentText } from '../../shared/domain/enroll-customer.ts';
import { PAYLOADS, textsFor } from '../../shared/domain/render-message.ts';
import { metaSignature } from '../../shared/domain/verify-meta-signature.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { whatsappFixture } from '../fixtures/whatsapp/whatsapp-fixture.ts';
import { captureLogs, debugLogger } from '../support/capture-logs.ts';
import { FakeChannel } from '../support/fakes/index.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// GET|POST /whatsapp/webhook against DynamoDB Local: the subscription check, signatures, the
// enrollment through the wa.me text, answers, delivery statuses, and items read one by one.

const APP_SECRET = 'whatsapp-app-secret';
const PHONE = '106540352242922';
const WA_ID = '33612345678';
let tables: TestTables;
let whatsapp: FakeChannel;
let handler: ReturnType<typeof createHandler>;
let alerts: DynamoDbAlertStore;

beforeAll(async () => {
  tables = await createTestTables();
  const { documentClient: client, names } = tables;
  whatsapp = new FakeChannel('whatsapp');
  alerts = new DynamoDbAlertStore(client, names.alerts);
  const banks = new DynamoDbBankDirectory(client, names.banks);
  await client.send(
    new (await import('@aws-sdk/lib-dynamodb')).PutCommand({
      TableName: names.banks,
      Item: {
        bankId: 'acme',
        name: 'ACME Bank',
        channels: ['messenger', 'whatsapp'],
        whatsapp: { phoneNumberId: PHONE, displayNumber: '33100000000' },
      },
    }),
  );
  handler = createHandler(
    {
      secrets: async () => ({ appSecret: APP_SECRET, verifyToken: 'verify-me', accessToken: 'token' }),
      subscribers: new DynamoDbSubscriberStore(client, names.subscribers),
      enrollments: new DynamoDbEnrollmentStore(client, names.enrollments),
      alerts,
      inbound: new DynamoDbInboundLog(client, names.inbound),
      banks,
      channels: { whatsapp },
      clock: systemClock,
    },
    debugLogger(),
  );
});

function request(method: 'GET' | 'POST', body = '', headers: Record<string, string> = {}, query = '') {
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: `${method} /whatsapp/webhook`,
    rawPath: '/whatsapp/webhook',
    rawQueryString: query,
    queryStringParameters: Object.fromEntries(new URLSearchParams(query)),
    headers,
    isBase64Encoded: true,
    body: Buffer.from(body).toString('base64'),
    requestContext: { http: { method, path: '/whatsapp/webhook' } } as never,
  };
  return handler(event, lambdaContext('whatsapp-webhook'));
}

const post = (payload: unknown, secret = APP_SECRET) => {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return request('POST', body, { 'X-Hub-Signature-256': metaSignature(secret, body) });
};

let seq = 0;
const text = (body: string, waId = WA_ID) =>
  whatsappFixture('message-text', {
    waId,
    phoneNumberId: PHONE,
    text: body,
    messageId: `wamid.t${++seq}`,
    timestamp: String(Math.floor(Date.now() / 1000)),
  });
const tap = (id: string, waId = WA_ID) =>
  whatsappFixture('message-interactive-button-reply', {
    waId,
    phoneNumberId: PHONE,
    buttonId: id,
    messageId: `wamid.b${++seq}`,
    timestamp: String(Math.floor(Date.now() / 1000)),
  });

describe('the subscription check', () => {
  it('echoes the challenge for the verify token only', async () => {
    const ok = await request(
      'GET',
      '',
      {},
      'hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444',
    );
    expect(ok).toMatchObject({ statusCode: 200, body: '1158201444' });
    const wrong = await request(
      'GET',
      '',
      {},
      'hub.mode=subscribe&hub.verify_token=verify-m&hub.challenge=1',
    );
    expect(wrong.statusCode).toBe(403);
  });
});

describe('failing closed', () => {
  it('answers 503 to everything while the secret holds a placeholder, and sends nothing', async () => {
    const { documentClient: client, names } = tables;
    const unconfigured = createHandler(
      {
        secrets: async () => ({ appSecret: 'set-me', verifyToken: 'verify-me', accessToken: 'set-me' }),
        subscribers: new DynamoDbSubscriberStore(client, names.subscribers),
        enrollments: new DynamoDbEnrollmentStore(client, names.enrollments),
        alerts,
        inbound: new DynamoDbInboundLog(client, names.inbound),
        banks: new DynamoDbBankDirectory(client, names.banks),
        channels: { whatsapp },
        clock: systemClock,
      },
      debugLogger(),
    );
    const body = JSON.stringify(text('HELP'));
    const event = (method: 'GET' | 'POST'): APIGatewayProxyEventV2 => ({
      version: '2.0',
      routeKey: `${method} /whatsapp/webhook`,
      rawPath: '/whatsapp/webhook',
      rawQueryString: 'hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1',
      queryStringParameters: {
        'hub.mode': 'subscribe',
        'hub.verify_token': 'verify-me',
        'hub.challenge': '1',
      },
      // Signed with the placeholder itself: anyone could.
      headers: { 'x-hub-signature-256': metaSignature('set-me', body) },
      isBase64Encoded: false,
      body,
      requestContext: { http: { method, path: '/whatsapp/webhook' } } as never,
    });
    const before = whatsapp.sent.length;
    for (const method of ['GET', 'POST'] as const) {
      expect((await unconfigured(event(method), lambdaContext('whatsapp-webhook'))).statusCode).toBe(503);
    }
    expect(whatsapp.sent.length).toBe(before);
  });
});

describe('signatures', () => {
  it('refuses an unsigned or wrongly signed body, and changes nothing', async () => {
    const payload = text('STOP');
    expect((await request('POST', JSON.stringify(payload))).statusCode).toBe(403);
    expect((await post(payload, 'another-secret')).statusCode).toBe(403);
    expect(whatsapp.sent).toEqual([]);
  });

  it('answers 200 to any signed body, even one that is no webhook payload, and says why it skipped it', async () => {
    const logs = await captureLogs(async () => {
      for (const body of ['not json', '{"object":"page","entry":[]}', '[]']) {
        expect((await post(body)).statusCode).toBe(200);
      }
    });
    expect(logs.split('\n').filter((l) => l.includes('whatsapp events handled'))).toHaveLength(3);
  });
});

describe('a customer on WhatsApp', () => {
  it('enrolls by sending the wa.me text, agrees, answers No, and the delivery is recorded', async () => {
    const link = await enrollCustomer(
      'acme',
      { customerId: 'cust_wa', locale: 'fr_FR' },
      {
        enrollments: new DynamoDbEnrollmentStore(tables.documentClient, tables.names.enrollments),
        banks: new DynamoDbBankDirectory(tables.documentClient, tables.names.banks),
        clock: systemClock,
        pageId: '1',
      },
    );
    expect(link.links.messenger).toMatch(/^https:\/\/m\.me\/1\?ref=/);
    const wa = new URL(link.links.whatsapp ?? '');
    expect(wa.origin + wa.pathname).toBe('https://wa.me/33100000000');
    const prefilled = wa.searchParams.get('text') ?? '';
    const token = new URL(link.links.messenger ?? '').searchParams.get('ref') ?? '';
    expect(prefilled).toBe(whatsappEnrollmentText(token, 'fr_FR'));

    let status = 0;
    const logged = await captureLogs(async () => {
      status = (await post(text(prefilled))).statusCode ?? 0;
    });
    expect(status).toBe(200);
    const consent = whatsapp.sent.at(-1);
    expect(consent).toMatchObject({ kind: 'reply', to: WA_ID, from: PHONE });
    const agree = consent && 'message' in consent ? consent.message.quickReplies?.[0]?.payload : undefined;
    expect(agree).toBe(PAYLOADS.agree(link.enrollmentId));
    // The same text again: the token is single use.
    const more = await captureLogs(async () => {
      await post(text(prefilled, '33699999999'));
    });
    expect(whatsapp.sent.at(-1)).toMatchObject({
      to: '33699999999',
      message: { text: textsFor('en_US').linkInvalid },
    });

    const agreed = await captureLogs(async () => {
      await post(tap(agree ?? ''));
    });
    const subscriber = await new DynamoDbSubscriberStore(tables.documentClient, tables.names.subscribers).get(
      'acme',
      'cust_wa',
    );
    expect(subscriber).toMatchObject({ status: 'active', channel: 'whatsapp', address: WA_ID });

    const alert: Alert = {
      alertId: 'acme#txn#wa1',
      ref: 'ref-wa-1',
      bankId: 'acme',
      customerId: 'cust_wa',
      customerKey: 'acme#cust_wa',
      kind: 'fraud_check',
      status: 'pending',
      eventId: 'evt',
      transactionId: 'wa1',
      reasons: [],
      display: {
        cardLast4: '4242',
        amount: 100,
        currency: 'EUR',
        merchantName: 'M',
        merchantCountry: 'FR',
        occurredAt: new Date().toISOString(),
      },
      createdAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    };
    await alerts.createOnce(alert);
    await alerts.markSent(alert.alertId, {
      address: WA_ID,
      channel: 'whatsapp',
      messageId: 'wamid.alert',
      sentAt: new Date().toISOString(),
      deadline: new Date(Date.now() + 3600_000).toISOString(),
    });
    const delivered = whatsappFixture('status-delivered', {
      messageId: 'wamid.alert',
      opaque: alert.ref,
      waId: WA_ID,
      timestamp: '1767225600',
    });
    const statuses = await captureLogs(async () => {
      expect((await post(delivered)).statusCode).toBe(200);
      await post(delivered);
      await post(tap(PAYLOADS.no(alert.ref)));
    });
    expect(await alerts.get(alert.alertId)).toMatchObject({
      status: 'disputed',
      deliveredAt: '2026-01-01T00:00:00.000Z',
    });
    expect(whatsapp.sent.at(-1)).toMatchObject({
      to: WA_ID,
      message: { text: textsFor('fr_FR').disputed('ACME Bank') },
    });
    // Outcomes and types only: never the WhatsApp id, the token or a payload.
    const all = [logged, more, agreed, statuses].join('\n');
    expect(all).toContain('"consented"');
    expect(all).toContain('delivered_recorded');
    expect(all).toContain('"disputed"');
    for (const secret of [WA_ID, token, alert.ref, '33699999999']) expect(all).not.toContain(secret);
  });

  it('handles each item of a batch on its own: an unreadable one is skipped, the others handled once', async () => {
    const help = text('AIDE', '33600000001');
    const broken = text('HELP', 'not-a-number');
    const batch = {
      object: 'whatsapp_business_account',
      entry: [...(broken.entry as unknown[]), ...(help.entry as unknown[])],
    };
    const before = whatsapp.sent.length;
    expect((await post(batch)).statusCode).toBe(200);
    expect((await post(batch)).statusCode).toBe(200);
    expect(whatsapp.sent.slice(before)).toMatchObject([
      { to: '33600000001', message: { text: textsFor('en_US').help } },
    ]);
  });
});
