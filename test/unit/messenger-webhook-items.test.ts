import { describe, expect, it } from 'vitest';
import {
  COMMAND_TEXT_CHARS,
  readMessagingItem,
  webhookItems,
  webhookPayloadSchema,
} from '../../shared/domain/messenger-webhook-schema.ts';
import {
  MESSAGING_FIXTURES,
  type MessagingFixtureName,
  messengerFixture,
  pagePayload,
} from '../fixtures/messenger/messenger-fixture.ts';

// Each messaging item is read on its own (docs/channels.md): Meta's reference examples, one by
// one, are acted on or skipped with a reason, and never make the batch fail.

const values = { psid: '24680135792468013', pageId: '100000000000001', ref: 'token' };

describe('reading Meta’s reference webhook items', () => {
  for (const [name, expected] of Object.entries(MESSAGING_FIXTURES)) {
    it(`${name}: ${expected.act ? 'acted on' : `skipped (${'reason' in expected ? expected.reason : ''})`}`, () => {
      const item = readMessagingItem(messengerFixture(name as MessagingFixtureName, values));
      expect(item).toMatchObject(expected);
    });
  }

  it('accepts every reference example inside one page envelope, in order', () => {
    const names = Object.keys(MESSAGING_FIXTURES) as MessagingFixtureName[];
    const payload = webhookPayloadSchema.parse(
      pagePayload(
        values.pageId,
        names.map((name) => messengerFixture(name, values)),
      ),
    );
    expect(webhookItems(payload).map((item) => item.type)).toEqual(
      names.map((name) => MESSAGING_FIXTURES[name].type),
    );
  });

  it('skips standby items, the conversation belonging to another app', () => {
    for (const name of ['payload-standby', 'payload-standby-echo']) {
      const items = webhookItems(webhookPayloadSchema.parse(messengerFixture(name, values)));
      expect(items).toEqual([
        { act: false, type: name === 'payload-standby' ? 'message' : 'message_echo', reason: 'standby' },
      ]);
    }
  });

  it('keeps a postback’s payload but not the ad’s ref, which is no enrollment token', () => {
    const item = readMessagingItem(messengerFixture('postback-get-started-from-ad', values));
    expect(item.act && item.event.postback).toEqual({ mid: 'm_MESSAGE-ID', payload: 'GET_STARTED' });
    const fromLink = readMessagingItem(messengerFixture('postback-get-started-with-referral', values));
    expect(fromLink.act && fromLink.event.postback?.referral).toEqual({
      ref: 'token',
      source: 'SHORTLINK',
      type: 'OPEN_THREAD',
    });
  });

  it('skips a referral without a ref: no enrollment link was opened', () => {
    const item = messengerFixture('referral-shortlink', values) as { referral: Record<string, unknown> };
    delete item.referral.ref;
    expect(readMessagingItem(item)).toEqual({ act: false, type: 'referral', reason: 'not_enrollment_link' });
  });

  it('reads a timestamp given as a numeric string as a number', () => {
    const item = readMessagingItem(messengerFixture('postback-get-started', values));
    expect(item.act && item.event.timestamp).toBe(1527459824);
  });

  it('names the unreadable field, never its value', () => {
    const item = readMessagingItem({
      sender: { id: '' },
      recipient: { id: '1' },
      timestamp: 1,
      message: { mid: 'm_1', text: 'secret words' },
    });
    expect(item).toEqual({ act: false, type: 'message', reason: 'invalid', field: 'sender.id' });
  });

  it('accepts a text of any length and keeps only its first characters for commands', () => {
    const item = readMessagingItem({
      sender: { id: 'psid' },
      recipient: { id: '1' },
      timestamp: 1,
      message: { mid: 'm_long', text: `HELP${' '.repeat(20_000)}${'x'.repeat(20_000)}` },
    });
    expect(item.act).toBe(true);
    expect(item.act && item.event.message?.text).toHaveLength(COMMAND_TEXT_CHARS);
    expect(item.act && item.event.message?.text?.trim()).toBe('HELP');
  });

  it('skips whatever is not a messaging item: odd entries, changes, other objects', () => {
    const payload = webhookPayloadSchema.parse({
      object: 'page',
      entry: [
        null,
        'x',
        { id: '1', changes: [{ field: 'feed', value: {} }] },
        { id: '1', messaging: [42, {}] },
      ],
    });
    expect(webhookItems(payload)).toEqual([
      { act: false, type: 'entry', reason: 'invalid' },
      { act: false, type: 'entry', reason: 'invalid' },
      { act: false, type: 'change', reason: 'not_used' },
      { act: false, type: 'unknown', reason: 'invalid' },
      { act: false, type: 'unknown', reason: 'not_used' },
    ]);
    const whatsapp = webhookPayloadSchema.parse({
      object: 'whatsapp_business_account',
      entry: [{ id: '1' }],
    });
    expect(webhookItems(whatsapp)).toEqual([{ act: false, type: 'whatsapp', reason: 'not_used' }]);
  });

  it('refuses only a body that is not a page (or WhatsApp) envelope', () => {
    for (const body of [
      undefined,
      [],
      {},
      { object: 'user', entry: [] },
      { object: 'page' },
      { object: 'page', entry: {} },
    ]) {
      expect(webhookPayloadSchema.safeParse(body).success).toBe(false);
    }
  });
});
