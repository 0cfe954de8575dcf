import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { type MessengerEmulator, startMessengerEmulator } from '../../local/messenger-emulator.ts';
import { CloudApiWhatsApp } from '../../shared/adapters/cloud-api-whatsapp.ts';
import { appSecretProof } from '../../shared/adapters/graph-api-messenger.ts';
import { verifyMetaSignature } from '../../shared/domain/verify-meta-signature.ts';
import { whatsappItems } from '../../shared/domain/whatsapp-webhook.ts';
import type { SendApiError } from '../../shared/ports/channel.ts';

// The emulator holds Vigil to the Cloud API's rules: the token and its appsecret_proof, the
// body's shape, and no free-form message outside the 24 h customer service window. What the
// emulated people do reaches the webhook signed, in the shape Vigil reads.

const PHONE = '100000000000002';
const TOKEN = 'wa-token';
const APP_SECRET = 'wa-app-secret';
let emulator: MessengerEmulator;
let webhook: Server;
const posted: unknown[] = [];

beforeAll(async () => {
  webhook = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (verifyMetaSignature(APP_SECRET, body, request.headers['x-hub-signature-256'] as string)) {
      posted.push(JSON.parse(body.toString()));
      response.end('EVENT_RECEIVED');
    } else response.writeHead(403).end();
  });
  const webhookPort = await findFreePort();
  await new Promise<void>((resolve) => webhook.listen(webhookPort, '127.0.0.1', resolve));
  emulator = await startMessengerEmulator({
    port: await findFreePort(),
    pageId: '100000000000001',
    pageAccessToken: 'page-token',
    appSecret: 'messenger-secret',
    webhookUrl: `http://127.0.0.1:${webhookPort}/messenger/webhook`,
    whatsapp: {
      phoneNumberIds: [PHONE],
      accessToken: TOKEN,
      appSecret: APP_SECRET,
      webhookUrl: `http://127.0.0.1:${webhookPort}/whatsapp/webhook`,
    },
  });
});
afterAll(async () => {
  await emulator.close();
  webhook.closeAllConnections();
  await new Promise((resolve) => webhook.close(resolve));
});

const client = (accessToken = TOKEN, appSecret = APP_SECRET) =>
  new CloudApiWhatsApp({ baseUrl: emulator.url, version: 'v27.0' }, async () => ({ accessToken, appSecret }));
const emulated = (path: string, body: unknown) =>
  fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
const inbox = async (waId: string) =>
  (await (await fetch(`${emulator.url}/__emulator/whatsapp/messages?waId=${waId}`)).json()) as Record<
    string,
    unknown
  >[];
const alert = (to: string) => ({
  kind: 'alert' as const,
  to,
  from: PHONE,
  ref: 'ref-1',
  message: { text: 'Was this you?', quickReplies: [{ title: 'Yes', payload: 'ALERT_YES:ref-1' }] },
});

describe('the emulated Cloud API', () => {
  it('refuses a wrong token or proof, and a free-form message to someone who never wrote', async () => {
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (e: unknown) => e as SendApiError,
      );
    expect(await failure(client('other').send(alert('33600000001')))).toMatchObject({
      code: 190,
      transient: false,
    });
    expect(await failure(client(TOKEN, 'not-the-secret').send(alert('33600000001')))).toMatchObject({
      code: 100,
    });
    expect(await failure(client().send(alert('33600000001')))).toMatchObject({
      code: 131047,
      transient: false,
    });
    const raw = await fetch(
      `${emulator.url}/v27.0/${PHONE}/messages?appsecret_proof=${appSecretProof(TOKEN, APP_SECRET)}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          to: '33600000001',
          type: 'template',
          template: { name: 't', language: { code: 'en' } },
        }),
      },
    );
    expect(raw.status).toBe(400);
    expect(await inbox('33600000001')).toEqual([]);
  });

  it('sends the template outside the window, and anything inside it once the person wrote', async () => {
    const template = {
      kind: 'template' as const,
      to: '33600000002',
      from: PHONE,
      ref: 'ref-2',
      template: {
        name: 'fraud',
        language: 'en_US',
        parameters: ['A'],
        answers: ['ALERT_YES:ref-2', 'ALERT_NO:ref-2'],
      },
    };
    const { messageId } = await client().send(template);
    expect(messageId).toMatch(/^wamid\./);
    // The person taps No on the template: Vigil gets the template's button reply.
    posted.length = 0;
    const tapped = await emulated('/__emulator/whatsapp/users/33600000002/messages', {
      buttonReplyId: 'ALERT_NO:ref-2',
    });
    expect(tapped).toMatchObject({ status: 200, body: { webhookStatus: 200 } });
    expect(whatsappItems(posted[0])).toMatchObject([
      {
        act: 'message',
        event: {
          address: '33600000002',
          via: PHONE,
          action: { type: 'answered', ref: 'ref-2', answer: 'disputed' },
        },
      },
    ]);
    expect(await client().send(alert('33600000002'))).toMatchObject({ sentAs: 'interactive' });
    expect((await inbox('33600000002')).map((m) => m.type)).toEqual(['template', 'interactive']);
  });

  it('posts statuses with the ref the message was sent with, and refuses unknown ones', async () => {
    await emulated('/__emulator/whatsapp/users/33600000003/messages', { text: 'hi' });
    const { messageId } = await client().send(alert('33600000003'));
    posted.length = 0;
    expect(await emulated('/__emulator/whatsapp/statuses', { messageId, status: 'read' })).toMatchObject({
      status: 200,
    });
    expect(whatsappItems(posted[0])).toMatchObject([
      { act: 'status', update: { messageId, ref: 'ref-1', report: { status: 'read' } } },
    ]);
    expect(
      (await emulated('/__emulator/whatsapp/statuses', { messageId: 'wamid.none', status: 'read' })).status,
    ).toBe(404);
    expect((await emulated('/__emulator/whatsapp/statuses', { messageId, status: 'eaten' })).status).toBe(
      400,
    );
    expect((await emulated('/__emulator/whatsapp/users/abc/messages', { text: 'x' })).status).toBe(400);
  });
});
