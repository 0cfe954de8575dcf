import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/messenger-webhook.ts';
import { lambdaContext } from '../../local/lambda-http-server.ts';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbBankDirectory } from '../../shared/adapters/dynamodb-bank-directory.ts';
import { DynamoDbEnrollmentStore } from '../../shared/adapters/dynamodb-enrollment-store.ts';
import { DynamoDbInboundLog } from '../../shared/adapters/dynamodb-inbound-log.ts';
import { DynamoDbSubscriberStore } from '../../shared/adapters/dynamodb-subscriber-store.ts';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import {
  isPlaceholder,
  type MessengerSecrets,
  messengerSecretName,
  PLACEHOLDER_SECRET_VALUE,
} from '../../shared/adapters/secret-store-messenger-secrets.ts';
import { metaSignature } from '../../shared/domain/verify-meta-signature.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import type { Messenger, SendRequest } from '../../shared/ports/messenger.ts';
import { messengerClientsFrom } from '../../shared/runtime/messenger-clients.ts';
import { captureLogs, debugLogger } from '../support/capture-logs.ts';
import { createTestTables, type TestTables } from '../support/test-tables.ts';

// Fail closed: while the stack's generated Messenger secret still holds its placeholders, the
// placeholder app secret must not work as a signing key, and nothing may be sent.

let tables: TestTables;
const sent: SendRequest[] = [];
let secrets: MessengerSecrets;

const messenger: Messenger = {
  send: async (request) => {
    sent.push(request);
    return { messageId: 'm_1' };
  },
};

beforeAll(async () => {
  tables = await createTestTables();
  await tables.subscribe('bank', 'cus_closed');
});

function handler() {
  const { documentClient: client, names } = tables;
  return createHandler(
    {
      secrets: async () => secrets,
      subscribers: new DynamoDbSubscriberStore(client, names.subscribers),
      enrollments: new DynamoDbEnrollmentStore(client, names.enrollments),
      alerts: new DynamoDbAlertStore(client, names.alerts),
      inbound: new DynamoDbInboundLog(client, names.inbound),
      banks: new DynamoDbBankDirectory(client, names.banks),
      channels: { messenger: new MessengerChannel(messenger) },
      clock: systemClock,
    },
    debugLogger(),
  );
}

function request(
  method: 'GET' | 'POST',
  body = '',
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} /messenger/webhook`,
    rawPath: '/messenger/webhook',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    ...(method === 'GET' && {
      queryStringParameters: { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify', 'hub.challenge': 'c' },
    }),
    isBase64Encoded: false,
    body,
    requestContext: {
      http: { method, path: '/messenger/webhook' },
    } as APIGatewayProxyEventV2['requestContext'],
  };
}

/** A STOP from a subscribed customer, signed with the given app secret. */
function signedStop(appSecret: string): APIGatewayProxyEventV2 {
  const body = JSON.stringify({
    object: 'page',
    entry: [
      {
        id: 'page',
        time: Date.now(),
        messaging: [
          {
            sender: { id: 'psid_cus_closed' },
            recipient: { id: 'page' },
            timestamp: Date.now(),
            message: { mid: `m_${Math.random()}`, text: 'STOP' },
          },
        ],
      },
    ],
  });
  return request('POST', body, { 'x-hub-signature-256': metaSignature(appSecret, Buffer.from(body)) });
}

describe('Messenger webhook with placeholder secrets', () => {
  it.each([
    ['the app secret', { appSecret: PLACEHOLDER_SECRET_VALUE, pageAccessToken: 'EAAG-real-token' }],
    ['the page token', { appSecret: 'real-app-secret', pageAccessToken: PLACEHOLDER_SECRET_VALUE }],
  ])('answers 503 and sends nothing while %s is a placeholder, and says so in the log', async (_, values) => {
    secrets = { ...values, verifyToken: 'verify' };
    let post: Awaited<ReturnType<ReturnType<typeof handler>>> | undefined;
    let get: typeof post;
    const logs = await captureLogs(async () => {
      post = await handler()(signedStop(secrets.appSecret), lambdaContext('messenger-webhook'));
      get = await handler()(request('GET'), lambdaContext('messenger-webhook'));
    });
    expect(post?.statusCode).toBe(503);
    expect(get?.statusCode).toBe(503);
    expect(JSON.parse(post?.body ?? '{}')).toMatchObject({ type: 'urn:vigil:problem:not-configured' });
    expect(logs).toContain('messenger secret holds a placeholder');
    expect(sent).toHaveLength(0);
    const [subscriber] = (await tables.scan('subscribers')).filter(
      (item) => item.customerId === 'cus_closed',
    );
    expect(subscriber?.status).toBe('active');
  });

  it('works once both are set', async () => {
    secrets = { appSecret: 'real-app-secret', pageAccessToken: 'EAAG-real-token', verifyToken: 'verify' };
    const post = await handler()(signedStop(secrets.appSecret), lambdaContext('messenger-webhook'));
    expect(post.statusCode).toBe(200);
    expect(sent).toHaveLength(1);
  });

  it.each(['set-me', 'SET_ME', ' ', '', 'changeme', 'placeholder', 'xxxx'])(
    'reads %j as a placeholder',
    (value) => {
      expect(isPlaceholder(value)).toBe(true);
    },
  );

  it.each(['EAAGm0PX4ZCpsBA', 'a1b2c3d4e5f6'])('reads %j as a real value', (value) => {
    expect(isPlaceholder(value)).toBe(false);
  });
});

describe('Send API client with a placeholder page token', () => {
  const requests: string[] = [];
  const graph = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ message_id: 'm_graph' }));
  });
  beforeAll(() => new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve)));
  afterAll(() => new Promise<void>((resolve) => graph.close(() => resolve())));

  it('makes no request at all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-placeholder-'));
    const file = join(dir, 'secrets.json');
    await writeFile(
      file,
      JSON.stringify({
        [messengerSecretName('vigil/test')]: {
          appSecret: 'real-app-secret',
          pageAccessToken: PLACEHOLDER_SECRET_VALUE,
          verifyToken: 'verify',
        },
      }),
    );
    const { messenger: client } = messengerClientsFrom({
      SECRET_PREFIX: 'vigil/test',
      LOCAL_SECRETS_FILE: file,
      GRAPH_API_BASE_URL: `http://127.0.0.1:${(graph.address() as AddressInfo).port}`,
      GRAPH_API_VERSION: 'v23.0',
      MESSENGER_PAGE_ID: '123456789012345',
    });
    await expect(
      client.send({ psid: 'psid_1', messagingType: 'RESPONSE', message: { text: 'hello' } }),
    ).rejects.toThrow(/placeholder/);
    expect(requests).toHaveLength(0);
  });
});
