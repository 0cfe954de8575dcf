import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/dynamodb-local.ts';
import { type MessengerEmulator, startMessengerEmulator } from '../../local/messenger-emulator.ts';
import { appSecretProof, GraphApiMessenger } from '../../shared/adapters/graph-api-messenger.ts';
import { SendApiError } from '../../shared/ports/messenger.ts';

// The emulator holds Vigil to Meta's rules, so that a regression fails a test: every call proves
// the app secret, and RESPONSE is only for replies to a message the person just sent.

const PAGE_ID = '100000000000001';
const TOKEN = 'page-token';
const APP_SECRET = 'app-secret';
const REPLY_WINDOW_MS = 300;

let emulator: MessengerEmulator;
let webhook: Server;

beforeAll(async () => {
  webhook = createServer((_request, response) => response.end('EVENT_RECEIVED'));
  const webhookPort = await findFreePort();
  await new Promise<void>((resolve) => webhook.listen(webhookPort, '127.0.0.1', resolve));
  emulator = await startMessengerEmulator({
    port: await findFreePort(),
    pageId: PAGE_ID,
    pageAccessToken: TOKEN,
    appSecret: APP_SECRET,
    webhookUrl: `http://127.0.0.1:${webhookPort}/messenger/webhook`,
    replyWindowMs: REPLY_WINDOW_MS,
  });
});
afterAll(async () => {
  await emulator.close();
  webhook.closeAllConnections();
  await new Promise((resolve) => webhook.close(resolve));
});

/** A raw Send API call, to see the emulator's answer itself. */
async function sendApi(body: unknown, proof: string | null = appSecretProof(TOKEN, APP_SECRET)) {
  const url = new URL(`${emulator.url}/v27.0/${PAGE_ID}/messages`);
  if (proof !== null) url.searchParams.set('appsecret_proof', proof);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code: number; message: string } },
  };
}

const text = (psid: string, messagingType: string) => ({
  recipient: { id: psid },
  messaging_type: messagingType,
  message: { text: 'hi' },
});

const userWrites = (psid: string) =>
  fetch(`${emulator.url}/__emulator/users/${psid}/messages`, {
    method: 'POST',
    body: JSON.stringify({ text: 'HELP' }),
  });

describe('appsecret_proof', () => {
  it('refuses a call without it, as an app requiring the app secret does', async () => {
    const answer = await sendApi(text('psid_a', 'UPDATE'), null);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 100,
      type: 'GraphMethodException',
      message: 'API calls from the server require an appsecret_proof argument',
    });
  });

  it('refuses a proof made with another secret or for another token', async () => {
    for (const proof of [appSecretProof(TOKEN, 'other-secret'), appSecretProof('other-token', APP_SECRET)]) {
      const answer = await sendApi(text('psid_a', 'UPDATE'), proof);
      expect(answer.status).toBe(400);
      expect(answer.body.error?.message).toBe('Invalid appsecret_proof provided in the API argument');
    }
  });

  it('is sent by Vigil’s Send API client on every call; a wrong app secret is a permanent error', async () => {
    const client = (appSecret: string) =>
      new GraphApiMessenger({ baseUrl: emulator.url, version: 'v27.0', pageId: PAGE_ID }, async () => ({
        pageAccessToken: TOKEN,
        appSecret,
      }));
    const request = { psid: 'psid_b', messagingType: 'UPDATE' as const, message: { text: 'alert' } };
    await expect(client(APP_SECRET).send(request)).resolves.toMatchObject({ messageId: expect.any(String) });
    const error = await client('wrong-secret')
      .send(request)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SendApiError);
    expect(error).toMatchObject({ code: 100, transient: false });
  });
});

describe('messaging_type', () => {
  it('refuses a RESPONSE that answers nothing the person sent', async () => {
    const answer = await sendApi(text('psid_silent', 'RESPONSE'));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 100 });
    expect(answer.body.error?.message).toMatch(/RESPONSE is for replies/);
  });

  it('takes a RESPONSE just after the person wrote, and not once the moment has passed', async () => {
    await userWrites('psid_writer');
    expect((await sendApi(text('psid_writer', 'RESPONSE'))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, REPLY_WINDOW_MS + 100));
    expect((await sendApi(text('psid_writer', 'RESPONSE'))).status).toBe(400);
  });

  it('counts a message delivered as a raw webhook payload, not an echo or a standby item', async () => {
    const item = (psid: string, message: Record<string, unknown>) => ({
      sender: { id: psid },
      recipient: { id: PAGE_ID },
      timestamp: Date.now(),
      message: { mid: `m_${psid}`, ...message },
    });
    const delivered = await fetch(`${emulator.url}/__emulator/webhook`, {
      method: 'POST',
      body: JSON.stringify({
        object: 'page',
        entry: [
          {
            id: PAGE_ID,
            time: Date.now(),
            messaging: [item('psid_raw', { text: 'HELP' }), item('psid_echo', { is_echo: true, text: 'x' })],
            standby: [item('psid_standby', { text: 'HELP' })],
          },
        ],
      }),
    });
    expect(await delivered.json()).toEqual({ webhookStatus: 200 });
    expect((await sendApi(text('psid_raw', 'RESPONSE'))).status).toBe(200);
    expect((await sendApi(text('psid_echo', 'RESPONSE'))).status).toBe(400);
    expect((await sendApi(text('psid_standby', 'RESPONSE'))).status).toBe(400);
  });

  it('takes UPDATE without a recent message (the 24 h window is Vigil’s to keep)', async () => {
    expect((await sendApi(text('psid_quiet', 'UPDATE'))).status).toBe(200);
  });

  it('takes a utility template only as UTILITY, with the Send API’s lower-case component types', async () => {
    const template = (type: string) => ({
      name: 'vigil_fraud_check',
      language: { code: 'en_US' },
      components: [{ type, parameters: [{ type: 'text', text: 'Demo Bank' }] }],
    });
    const utility = (messagingType: string, type: string) =>
      sendApi({
        recipient: { id: 'psid_t' },
        messaging_type: messagingType,
        message: { template: template(type) },
      });
    expect((await utility('UTILITY', 'body')).status).toBe(200);
    const upperCase = await utility('UTILITY', 'BODY');
    expect(upperCase.status).toBe(400);
    expect(upperCase.body.error?.message).toMatch(/component type: BODY/);
    expect((await utility('UPDATE', 'body')).status).toBe(400);
    expect(
      (await sendApi({ recipient: { id: 'psid_t' }, messaging_type: 'UTILITY', message: { text: 'x' } }))
        .status,
    ).toBe(400);
  });

  it('records the Graph API version each message was sent with', async () => {
    await sendApi(text('psid_version', 'UPDATE'));
    const [message] = (await (
      await fetch(`${emulator.url}/__emulator/messages?psid=psid_version`)
    ).json()) as {
      graphApiVersion: string;
    }[];
    expect(message?.graphApiVersion).toBe('v27.0');
  });
});
