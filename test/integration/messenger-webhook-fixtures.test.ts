import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PAGE_ID } from '../../local/local-stack.ts';
import { textsFor } from '../../shared/domain/render-message.ts';
import {
  MESSAGING_FIXTURES,
  type MessagingFixtureName,
  messengerFixture,
  pagePayload,
} from '../fixtures/messenger/messenger-fixture.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';

// Meta's reference webhook payloads, signed and posted by the emulator as Meta would, through
// the real HTTP stack: every one is answered 200, and only messages, postbacks and enrollment
// referrals have an effect. One item Vigil does not use never costs a customer's message.

const texts = textsFor('en_US');
let local: TestLocalStack;

beforeAll(async () => {
  local = await startTestLocalStack();
});
afterAll(() => local.stop());

const fixture = (name: string, psid: string, ref?: string) =>
  messengerFixture(name, {
    psid,
    pageId: LOCAL_PAGE_ID,
    mid: `m_${psid}`,
    ...(ref !== undefined && { ref }),
  });

/** A fresh enrollment token, as the bank's m.me link carries it. */
async function enrollmentToken(customerId: string): Promise<string> {
  const response = await local.callBank('POST', '/enrollments', { customerId, locale: 'en_US' });
  expect(response.status).toBe(201);
  return new URL(String(response.body?.link)).searchParams.get('ref') ?? '';
}

const psidFor = (name: string) => `psid_fx_${name.replaceAll('-', '_')}`;

describe('Meta’s reference webhook items, one per payload', () => {
  const acted = Object.entries(MESSAGING_FIXTURES)
    .filter(([, expected]) => expected.act)
    .map(([name]) => name as MessagingFixtureName);
  const skipped = Object.entries(MESSAGING_FIXTURES)
    .filter(([, expected]) => !expected.act)
    .map(([name]) => name as MessagingFixtureName);

  for (const name of acted.filter((n) => n.startsWith('message-'))) {
    it(`${name}: 200, and the customer gets one reply (RESPONSE)`, async () => {
      const psid = psidFor(name);
      expect(await local.deliver(pagePayload(LOCAL_PAGE_ID, [fixture(name, psid)]))).toEqual({
        webhookStatus: 200,
      });
      const replies = await local.messages(psid);
      expect(replies.map((reply) => [reply.messaging_type, reply.message.text])).toEqual([
        ['RESPONSE', texts.unknown],
      ]);
    });
  }

  it('postback-get-started: 200, and the help text', async () => {
    const psid = psidFor('postback-get-started');
    await local.deliver(pagePayload(LOCAL_PAGE_ID, [fixture('postback-get-started', psid)]));
    expect((await local.messages(psid)).map((reply) => reply.message.text)).toEqual([texts.help]);
  });

  it('postback-get-started-from-ad: the help text; the ad’s ref is not taken for an enrollment link', async () => {
    const psid = psidFor('postback-get-started-from-ad');
    await local.deliver(pagePayload(LOCAL_PAGE_ID, [fixture('postback-get-started-from-ad', psid)]));
    expect((await local.messages(psid)).map((reply) => reply.message.text)).toEqual([texts.help]);
  });

  for (const name of ['postback-get-started-with-referral', 'referral-shortlink'] as const) {
    it(`${name}: opens the bank’s link, asks for consent`, async () => {
      const psid = psidFor(name);
      const customerId = `cus_${name.replaceAll('-', '_')}`;
      const token = await enrollmentToken(customerId);
      expect(await local.deliver(pagePayload(LOCAL_PAGE_ID, [fixture(name, psid, token)]))).toEqual({
        webhookStatus: 200,
      });
      const [consent] = await local.messages(psid);
      expect(consent?.message.text).toBe(texts.consentRequest('Demo Bank'));
      const stored = (await local.scan('subscribers')).find((item) => item.customerId === customerId);
      expect(stored).toMatchObject({ status: 'pending_consent', psid });
    });
  }

  for (const name of skipped) {
    it(`${name}: 200, nothing sent, nothing recorded`, async () => {
      const psid = psidFor(name);
      const inboundBefore = (await local.scan('inbound')).length;
      expect(await local.deliver(pagePayload(LOCAL_PAGE_ID, [fixture(name, psid)]))).toEqual({
        webhookStatus: 200,
      });
      expect(await local.messages(psid)).toEqual([]);
      expect(await local.scan('inbound')).toHaveLength(inboundBefore);
    });
  }

  for (const name of ['payload-standby', 'payload-standby-echo']) {
    it(`${name}: 200, and no answer while another app owns the conversation`, async () => {
      const psid = psidFor(name);
      expect(await local.deliver(fixture(name, psid))).toEqual({ webhookStatus: 200 });
      expect(await local.messages(psid)).toEqual([]);
    });
  }
});

describe('batches', () => {
  const help = (psid: string, mid: string) => ({
    sender: { id: psid },
    recipient: { id: LOCAL_PAGE_ID },
    timestamp: Date.now(),
    message: { mid, text: 'HELP' },
  });

  it('answers HELP in a batch with a delivery receipt: 200 and one HELP reply', async () => {
    const psid = 'psid_batch_help';
    const payload = pagePayload(LOCAL_PAGE_ID, [help(psid, 'm_batch_help'), fixture('delivery', psid)]);
    expect(await local.deliver(payload)).toEqual({ webhookStatus: 200 });
    const replies = await local.messages(psid);
    expect(replies.map((reply) => [reply.messaging_type, reply.message.text])).toEqual([
      ['RESPONSE', texts.help],
    ]);
  });

  it('handles every item of several entries, skips the rest, and changes nothing on redelivery', async () => {
    const [alice, bob] = ['psid_batch_alice', 'psid_batch_bob'];
    const payload = pagePayload(
      LOCAL_PAGE_ID,
      [
        fixture('delivery-without-mids', alice),
        help(alice, 'm_batch_alice'),
        fixture('read', alice),
        fixture('message-echo', alice),
        fixture('policy-enforcement-block', alice),
      ],
      [fixture('reaction', bob), fixture('message-edit', bob), fixture('message-attachment-sticker', bob)],
      [fixture('handover-app-roles', bob), fixture('optin-checkbox-plugin', bob)],
    );
    expect(await local.deliver(payload)).toEqual({ webhookStatus: 200 });
    expect((await local.messages(alice)).map((reply) => reply.message.text)).toEqual([texts.help]);
    expect((await local.messages(bob)).map((reply) => reply.message.text)).toEqual([texts.unknown]);

    expect(await local.deliver(payload)).toEqual({ webhookStatus: 200 });
    expect(await local.messages(alice)).toHaveLength(1);
    expect(await local.messages(bob)).toHaveLength(1);
  });
});

describe('texts of any length', () => {
  const say = (psid: string, mid: string, text: string) =>
    local.deliver(
      pagePayload(LOCAL_PAGE_ID, [
        {
          sender: { id: psid },
          recipient: { id: LOCAL_PAGE_ID },
          timestamp: Date.now(),
          message: { mid, text },
        },
      ]),
    );

  it('reads a command at the start of a long text', async () => {
    expect(await say('psid_long_help', 'm_long_help', `HELP${' '.repeat(5000)}`)).toEqual({
      webhookStatus: 200,
    });
    expect((await local.messages('psid_long_help')).map((reply) => reply.message.text)).toEqual([texts.help]);
  });

  it('answers a 20,000-character text like any other text', async () => {
    expect(await say('psid_long_text', 'm_long_text', 'x'.repeat(20_000))).toEqual({ webhookStatus: 200 });
    expect((await local.messages('psid_long_text')).map((reply) => reply.message.text)).toEqual([
      texts.unknown,
    ]);
  });
});
