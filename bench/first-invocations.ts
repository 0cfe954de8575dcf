import { createHash } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import { storedAlertsItemSchema, storedSubscriberSchema } from '../shared/adapters/stored-address.ts';
import { storedEventSchema } from '../shared/domain/stored-event-schema.ts';
import type * as z from '../shared/domain/zod.ts';

// The first event each function gets in the bundle bench (bench/bundles.ts): the smallest event
// of its real trigger that makes it send its first AWS request, as the SDK-only baseline sends
// one GetItem. Every AWS endpoint is a loopback port that closes each connection, so the
// request fails at once and the function answers with its error path; the bench counts the
// connections, and a function whose event reaches no AWS request fails the bench.

const NOW = '2026-11-29T10:00:00.000Z';

/** An API Gateway REST API (payload 1.0) request, as the API sends it. */
function restRequest(
  method: string,
  resource: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
) {
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: resource.includes('{bankId}') ? { bankId: 'bench' } : null,
    stageVariables: null,
    isBase64Encoded: false,
    body: body ?? null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: 'api.example.com',
      protocol: 'HTTP/1.1',
      requestId: 'bench',
      requestTimeEpoch: Date.parse(NOW),
      resourcePath: resource,
      path,
      stage: 'bench',
      identity: { sourceIp: '198.51.100.1' },
    },
  };
}

/** One stream record whose new image the function's schema accepts (checked here). */
function streamInsert(schema: z.ZodMiniType, item: Record<string, unknown>) {
  const parsed = schema.safeParse(item);
  if (!parsed.success)
    throw new Error(`bench stream item no longer matches its schema: ${parsed.error.message}`);
  return {
    Records: [
      {
        eventID: '1',
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        awsRegion: 'eu-west-1',
        dynamodb: {
          SequenceNumber: '100',
          StreamViewType: 'NEW_AND_OLD_IMAGES',
          NewImage: marshall(item, { removeUndefinedValues: true }),
        },
      },
    ],
  };
}

const card = JSON.stringify({
  type: 'card.transaction',
  customerId: 'cus_bench',
  occurredAt: NOW,
  transaction: {
    id: 'tx_bench',
    cardLast4: '4242',
    amount: 12500,
    currency: 'EUR',
    merchant: { name: 'Bench shop', mcc: '5411', country: 'FR' },
    channel: 'card_present',
    status: 'authorized',
  },
});

const display = {
  cardLast4: '4242',
  amount: 12500,
  currency: 'EUR',
  merchantName: 'Bench shop',
  merchantCountry: 'FR',
  occurredAt: NOW,
};

/** The first event of each function, by file name; built when the bench runs. */
export function firstEvents(): Record<string, unknown> {
  const seconds = String(Math.floor(Date.now() / 1000));
  const signature = `sha256=${createHash('sha256').update('bench').digest('hex')}`;
  return {
    // A signed administration request: the bank's key is read first.
    'bank-admin': restRequest('GET', '/v1/banks/{bankId}/thresholds', '/v1/banks/bench/thresholds', {
      Host: 'api.example.com',
      'Signature-Input': `sig=("@method" "@authority" "@path" "@query");created=${seconds};nonce="benchbenchbenchbench";keyid="bench";alg="hmac-sha256"`,
      Signature: 'sig=:AAAA:',
    }),
    // The scheduled retry run: due callbacks are queried first.
    'deliver-callbacks': { source: 'aws.scheduler', time: NOW },
    'expire-alerts': { source: 'aws.scheduler', time: NOW },
    // A delivery from Meta: the app secret is read first, to check the signature.
    'messenger-webhook': restRequest(
      'POST',
      '/messenger/webhook',
      '/messenger/webhook',
      { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signature },
      JSON.stringify({ object: 'page', entry: [] }),
    ),
    'whatsapp-webhook': restRequest(
      'POST',
      '/whatsapp/webhook',
      '/whatsapp/webhook',
      { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signature },
      JSON.stringify({ object: 'whatsapp_business_account', entry: [] }),
    ),
    // A signed card transaction: the bank's signing secret is read first.
    'receive-bank-event': restRequest(
      'POST',
      '/v1/banks/{bankId}/events',
      '/v1/banks/bench/events',
      {
        'Content-Type': 'application/json',
        'webhook-id': 'evt_bench',
        'webhook-timestamp': seconds,
        'webhook-signature': 'v1,AAAA',
      },
      card,
    ),
    // A stored event to score: the bank's thresholds and the customer's history are read first.
    'score-bank-event': streamInsert(storedEventSchema, {
      eventKey: 'bench#evt_bench',
      bankId: 'bench',
      eventId: 'evt_bench',
      customerKey: 'bench#cus_bench',
      type: 'card.transaction',
      customerId: 'cus_bench',
      occurredAt: NOW,
      receivedAt: NOW,
      bodyHash: 'bench',
      status: 'received',
      expiresAt: 1_900_000_000,
      transaction: {
        id: 'tx_bench',
        cardLast4: '4242',
        amount: 12500,
        currency: 'EUR',
        merchantName: 'Bench shop',
        mcc: '5411',
        country: 'FR',
        channel: 'card_present',
        status: 'authorized',
      },
    }),
    // A new fraud check to send: the subscriber is read first.
    'notify-customer': streamInsert(storedAlertsItemSchema, {
      alertId: 'al_bench',
      ref: 'ref_bench',
      bankId: 'bench',
      customerId: 'cus_bench',
      customerKey: 'bench#cus_bench',
      kind: 'fraud_check',
      status: 'pending',
      eventId: 'evt_bench',
      transactionId: 'tx_bench',
      score: 80,
      reasons: [{ rule: 'singleTransaction', observed: 12500, limit: 10000, currency: 'EUR' }],
      display,
      createdAt: NOW,
      expiresAt: 1_900_000_000,
    }),
    // A customer who just subscribed: the callback to the bank is queued.
    'notify-bank': streamInsert(storedSubscriberSchema, {
      bankId: 'bench',
      customerId: 'cus_bench',
      psid: '1000000000000001',
      channel: 'messenger',
      status: 'active',
      consentVersion: '1',
      consentedAt: NOW,
      updatedAt: NOW,
    }),
  };
}
