import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudApiWhatsApp, toCloudApiRequest } from '../../shared/adapters/cloud-api-whatsapp.ts';
import { appSecretProof } from '../../shared/adapters/graph-api-messenger.ts';
import { enrollmentTokenIn, whatsappEnrollmentText } from '../../shared/domain/enroll-customer.ts';
import { PAYLOADS } from '../../shared/domain/render-message.ts';
import { whatsappItems } from '../../shared/domain/whatsapp-webhook.ts';
import { SendApiError } from '../../shared/ports/channel.ts';
import { WHATSAPP_FIXTURES, whatsappFixture } from '../fixtures/whatsapp/whatsapp-fixture.ts';

const TOKEN = 'Qm9vdHN0cmFwLXRva2VuLWZvci10ZXN0aW5nLTMyYnk';
const yesNo = [
  { title: 'Yes', payload: PAYLOADS.yes('ref-1') },
  { title: 'No', payload: PAYLOADS.no('ref-1') },
];

describe('Cloud API request bodies', () => {
  it('sends an alert inside the window as reply buttons whose ids are the payloads', () => {
    const body = toCloudApiRequest({
      kind: 'alert',
      to: '33612345678',
      from: '106540352242922',
      ref: 'ref-1',
      message: { text: 'Was this you?', quickReplies: yesNo },
    });
    expect(body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '33612345678',
      biz_opaque_callback_data: 'ref-1',
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Was this you?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'ALERT_YES:ref-1', title: 'Yes' } },
            { type: 'reply', reply: { id: 'ALERT_NO:ref-1', title: 'No' } },
          ],
        },
      },
    });
  });

  it('sends the template outside the window with its body values and one quick-reply payload per button', () => {
    const body = toCloudApiRequest({
      kind: 'template',
      to: '33612345678',
      from: '106540352242922',
      template: {
        name: 'fraud_check',
        language: 'fr',
        parameters: ['ACME', '4242'],
        answers: [PAYLOADS.yes('r'), PAYLOADS.no('r')],
      },
    });
    expect(body).toMatchObject({
      messaging_product: 'whatsapp',
      type: 'template',
      template: {
        name: 'fraud_check',
        language: { code: 'fr' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'ACME' },
              { type: 'text', text: '4242' },
            ],
          },
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: '0',
            parameters: [{ type: 'payload', payload: 'ALERT_YES:r' }],
          },
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: '1',
            parameters: [{ type: 'payload', payload: 'ALERT_NO:r' }],
          },
        ],
      },
    });
    expect(body).not.toHaveProperty('text');
  });

  it('sends a plain reply as text, and more than three answers as a list with titles cut to the limits', () => {
    expect(toCloudApiRequest({ kind: 'reply', to: '1', message: { text: 'Hi' } })).toMatchObject({
      type: 'text',
      text: { body: 'Hi', preview_url: false },
    });
    const many = Array.from({ length: 5 }, (_, i) => ({
      title: `A very long country name ${i}`,
      payload: `P:${i}`,
    }));
    const list = toCloudApiRequest({
      kind: 'reply',
      to: '1',
      message: { text: 'x'.repeat(2000), quickReplies: many },
    }) as {
      interactive: {
        type: string;
        body: { text: string };
        action: { sections: { rows: { id: string; title: string }[] }[] };
      };
    };
    expect(list.interactive.type).toBe('list');
    expect([...list.interactive.body.text]).toHaveLength(1024);
    const rows = list.interactive.action.sections[0]?.rows ?? [];
    expect(rows.map((r) => r.id)).toEqual(['P:0', 'P:1', 'P:2', 'P:3', 'P:4']);
    for (const row of rows) expect([...row.title].length).toBeLessThanOrEqual(24);
  });
});

describe('Cloud API calls', () => {
  const requests: { url: string; auth: string | undefined; body: Record<string, unknown> }[] = [];
  let answers: { status: number; body: unknown }[] = [];
  let baseUrl = '';
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    requests.push({
      url: req.url ?? '',
      auth: req.headers.authorization,
      body: JSON.parse(Buffer.concat(chunks).toString()),
    });
    const answer = answers.shift() ?? {
      status: 200,
      body: { messaging_product: 'whatsapp', messages: [{ id: 'wamid.OK' }] },
    };
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const client = () =>
    new CloudApiWhatsApp({ baseUrl, version: 'v27.0' }, async () => ({
      accessToken: 'tok',
      appSecret: 'sec',
    }));
  const alert = { kind: 'alert' as const, to: '33612345678', from: '1065', message: { text: 'hi' } };

  it('posts to the phone number’s messages with the token and its appsecret_proof', async () => {
    expect(await client().send(alert)).toEqual({ messageId: 'wamid.OK', sentAs: 'text' });
    const [request] = requests.splice(0);
    const url = new URL(request?.url ?? '', baseUrl);
    expect(url.pathname).toBe('/v27.0/1065/messages');
    expect(url.searchParams.get('appsecret_proof')).toBe(appSecretProof('tok', 'sec'));
    expect(request?.auth).toBe('Bearer tok');
    expect(request?.body).toMatchObject({ messaging_product: 'whatsapp', to: '33612345678' });
  });

  it('classifies errors: rate limits and outages are transient, the window and bad numbers final', async () => {
    const failure = async (status: number, code: number) => {
      answers = [{ status, body: { error: { message: 'x', type: 'OAuthException', code } } }];
      return client()
        .send(alert)
        .then(
          () => undefined,
          (error: unknown) => error as SendApiError,
        );
    };
    expect(await failure(400, 130429)).toMatchObject({ transient: true, code: 130429 });
    expect(await failure(400, 131056)).toMatchObject({ transient: true });
    expect(await failure(503, 131016)).toMatchObject({ transient: true });
    expect(await failure(400, 131047)).toMatchObject({ transient: false, code: 131047 });
    expect(await failure(400, 131026)).toMatchObject({ transient: false });
    expect(await failure(401, 190)).toMatchObject({ transient: false });
    requests.splice(0);
  });

  it('refuses to send without a phone number to send from, without calling Meta', async () => {
    const error = await client()
      .send({ kind: 'reply', to: '1', message: { text: 'x' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendApiError);
    expect(error).toMatchObject({ transient: false });
    expect(requests).toHaveLength(0);
  });
});

describe('WhatsApp webhook items', () => {
  it('reads every reference payload as Vigil uses it', () => {
    for (const [name, { act }] of Object.entries(WHATSAPP_FIXTURES)) {
      const items = whatsappItems(whatsappFixture(name));
      expect(items, name).toHaveLength(1);
      expect(items[0]?.act, name).toBe(act);
    }
  });

  it('turns the wa.me prefilled text into an opened link, in both languages', () => {
    for (const locale of ['en_US', 'fr_FR']) {
      const [item] = whatsappItems(
        whatsappFixture('message-text', { text: whatsappEnrollmentText(TOKEN, locale) }),
      );
      expect(item).toMatchObject({
        act: 'message',
        event: {
          channel: 'whatsapp',
          address: '16315551181',
          via: '106540352242922',
          action: { type: 'opened_link', token: TOKEN },
        },
      });
    }
    expect(enrollmentTokenIn(`x${TOKEN}`)).toBeUndefined();
    expect(enrollmentTokenIn(`${TOKEN}A`)).toBeUndefined();
  });

  it('reads buttons, commands and text; seconds become times; media is text not understood', () => {
    const action = (name: string, values = {}) => {
      const [item] = whatsappItems(whatsappFixture(name, values));
      return item?.act === 'message' ? item.event.action : undefined;
    };
    expect(action('message-interactive-button-reply', { buttonId: 'ALERT_NO:ref-9' })).toEqual({
      type: 'answered',
      ref: 'ref-9',
      answer: 'disputed',
    });
    expect(action('message-button-quick-reply', { buttonId: 'ALERT_YES:ref-9' })).toEqual({
      type: 'answered',
      ref: 'ref-9',
      answer: 'confirmed',
    });
    expect(action('message-interactive-button-reply', { buttonId: 'CONSENT_AGREE:enr_1' })).toEqual({
      type: 'agreed',
      enrollmentId: 'enr_1',
    });
    // A template button whose payload Vigil never set: its label is read as text.
    expect(action('message-button-quick-reply', { buttonId: 'something', buttonTitle: 'Stop' })).toEqual({
      type: 'command',
      command: 'STOP',
    });
    expect(action('message-text', { text: 'arrêt svp' })).toEqual({ type: 'command', command: 'STOP' });
    expect(action('message-image')).toEqual({ type: 'text', text: '' });
    const [text] = whatsappItems(whatsappFixture('message-text', { timestamp: '1739321024' }));
    expect(text?.act === 'message' && text.event.at.toISOString()).toBe('2025-02-12T00:43:44.000Z');
  });

  it('reads delivered, read and failed statuses with the ref they were sent with', () => {
    const [failed] = whatsappItems(whatsappFixture('status-failed', { opaque: 'ref-7' }));
    expect(failed).toMatchObject({
      act: 'status',
      update: { ref: 'ref-7', report: { status: 'failed', errorCode: 131026 } },
    });
    const [read] = whatsappItems(whatsappFixture('status-read'));
    expect(read).toMatchObject({ act: 'status', update: { report: { status: 'read' } } });
  });

  it('skips what it cannot read, item by item, naming the field and never a value', () => {
    const bad = whatsappFixture('message-text', { waId: '+33 6 12<script>' });
    const good = whatsappFixture('status-delivered');
    const entry = (payload: Record<string, unknown>) => (payload.entry as unknown[])[0];
    const items = whatsappItems({
      object: 'whatsapp_business_account',
      entry: [entry(bad), entry(good), 'x'],
    });
    expect(items.map((i) => i.act)).toEqual([false, 'status', false]);
    expect(items[0]).toEqual({ act: false, type: 'message', reason: 'invalid', field: 'from' });
    expect(JSON.stringify(items[0])).not.toContain('script');
    expect(whatsappItems({ object: 'page', entry: [] })).toEqual([
      { act: false, type: 'unknown', reason: 'invalid', field: '$' },
    ]);
    expect(whatsappItems(undefined)).toHaveLength(1);
  });
});
