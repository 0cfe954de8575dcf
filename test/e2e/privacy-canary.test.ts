import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableKey } from '../../shared/runtime/table-definitions.ts';
import { tableKeys } from '../../shared/runtime/table-definitions.ts';
import { captureLogs } from '../support/capture-logs.ts';
import type { TestLocalStack } from '../support/test-local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

// The privacy canary (docs/contract.md#principles, #privacy): the whole journey with recognisable values, then every log
// line, every message to Meta, every callback and every stored item is searched for them. Only
// the allowed masked forms may appear, and after erase nothing may remain.

// The functions log at INFO here, so that the scan reads what production would write. Set before
// local mode loads them.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';

const CANARY = {
  customerId: 'cus_CANARY_Q7',
  psid: 'psid_CANARY_P9',
  cardLast4: '7391',
  amount: 98_765,
  merchant: 'CANARYMART',
  transactionId: 'txn_CANARY_T3',
  accountLast4: '8264',
  balance: 5_531,
};

let local: TestLocalStack;
beforeAll(async () => {
  const { startTestLocalStack } = await import('../support/test-local-stack.ts');
  local = await startTestLocalStack();
});
afterAll(() => local.stop());

async function everything(table: TableKey) {
  return JSON.stringify(await local.scan(table));
}

describe('privacy canary', () => {
  it('keeps the canaries out of logs and out of Meta’s reach, and erases them', async () => {
    const logs = await captureLogs(async () => {
      const { body } = await local.callBank('POST', '/enrollments', { customerId: CANARY.customerId });
      await local.openLink(CANARY.psid, String(body?.link));
      const [consent] = await local.waitForMessages(CANARY.psid, 1);
      await local.say(CANARY.psid, 'Agree', consent?.message.quick_replies?.[0]?.payload);
      await local.waitForMessages(CANARY.psid, 2);
      await local.callBank('POST', '/events', {
        type: 'card.transaction',
        customerId: CANARY.customerId,
        occurredAt: '2026-11-29T10:05:00Z',
        transaction: {
          id: CANARY.transactionId,
          cardLast4: CANARY.cardLast4,
          amount: CANARY.amount,
          currency: 'EUR',
          merchant: { name: CANARY.merchant, mcc: '5732', country: 'US' },
          channel: 'card_not_present',
          status: 'authorized',
        },
      });
      await local.callBank('POST', '/events', {
        type: 'account.balance',
        customerId: CANARY.customerId,
        occurredAt: '2026-11-29T10:06:00Z',
        balance: { accountLast4: CANARY.accountLast4, available: CANARY.balance, currency: 'EUR' },
      });
      const messages = await local.waitForMessages(CANARY.psid, 4);
      const alert = messages.find((message) => message.message.text?.endsWith('Was this you?'));
      await local.say(CANARY.psid, 'No', alert?.message.quick_replies?.[1]?.payload);
      await waitFor(async () => {
        const received = (await (await fetch(local.bank.callbackUrl)).json()) as { body: { type: string } }[];
        return received.some((callback) => callback.body.type === 'alert.disputed') ? true : undefined;
      });
    });

    // Logs: none of the canaries, in any form.
    expect(logs).toMatch(/"message":"alert created"/);
    for (const value of [
      CANARY.customerId,
      CANARY.psid,
      CANARY.merchant,
      CANARY.transactionId,
      CANARY.cardLast4,
      CANARY.accountLast4,
      '98765',
      '987.65',
      '5531',
      '55.31',
    ]) {
      expect(logs, value).not.toContain(value);
    }

    // What Meta receives: the card's last digits, merchant and amount only inside the alert the
    // customer agreed to, masked; never the customer id, the transaction id or anything of the
    // balance.
    const sent = JSON.stringify(await local.messages(CANARY.psid));
    expect(sent).toContain(`••${CANARY.cardLast4}`);
    expect(sent).toContain(`••${CANARY.accountLast4}`);
    for (const value of [CANARY.customerId, CANARY.transactionId, '5531', '55.31', '55,31']) {
      expect(sent, value).not.toContain(value);
    }
    expect(
      sent.replaceAll(`••${CANARY.cardLast4}`, '').replaceAll(`••${CANARY.accountLast4}`, ''),
    ).not.toMatch(new RegExp(`${CANARY.cardLast4}|${CANARY.accountLast4}`));

    // The bank's callbacks carry its own references, which is their point; nothing of Meta's.
    const callbacks = JSON.stringify(await (await fetch(local.bank.callbackUrl)).json());
    expect(callbacks).toContain(CANARY.customerId);
    expect(callbacks).not.toContain(CANARY.psid);

    // Stored, then erased: nothing of the customer remains anywhere.
    expect(await everything('events')).toContain(CANARY.customerId);
    expect((await local.callBank('DELETE', `/customers/${CANARY.customerId}`)).status).toBe(204);
    await waitFor(async () => {
      const received = (await (await fetch(local.bank.callbackUrl)).json()) as { body: { type: string } }[];
      return received.some((callback) => callback.body.type === 'customer.unsubscribed') ? true : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const table of tableKeys) {
      const items = await everything(table);
      for (const value of [CANARY.customerId, CANARY.psid, CANARY.merchant, CANARY.transactionId]) {
        expect(items, `${table} holds ${value}`).not.toContain(value);
      }
    }
  });

  it('keeps a WhatsApp subscriber’s phone number out of logs and callbacks, and erases it', async () => {
    const waId = '33699887766';
    const customerId = 'cus_CANARY_WA';
    const transactionId = 'txn_CANARY_WA';
    const emulator = local.emulatorUrl;
    const post = async (path: string, body: unknown) =>
      fetch(`${emulator}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    type Sent = { interactive?: { action: { buttons: { reply: { id: string } }[] } } };
    const inbox = async () =>
      (await (await fetch(`${emulator}/__emulator/whatsapp/messages?waId=${waId}`)).json()) as Sent[];
    const nth = (n: number) => waitFor(async () => (await inbox())[n], 10_000, `WhatsApp message ${n}`);

    const logs = await captureLogs(async () => {
      const { body } = await local.callBank('POST', '/enrollments', { customerId });
      const link = new URL(String((body?.links as { whatsapp?: string } | undefined)?.whatsapp));
      await post(`/__emulator/whatsapp/users/${waId}/messages`, { text: link.searchParams.get('text') });
      const consent = await nth(0);
      await post(`/__emulator/whatsapp/users/${waId}/messages`, {
        buttonReplyId: consent.interactive?.action.buttons[0]?.reply.id,
      });
      await nth(1);
      await local.callBank('POST', '/events', {
        type: 'card.transaction',
        customerId,
        occurredAt: '2026-11-29T10:05:00Z',
        transaction: {
          id: transactionId,
          cardLast4: CANARY.cardLast4,
          amount: CANARY.amount,
          currency: 'EUR',
          merchant: { name: CANARY.merchant, mcc: '5732', country: 'US' },
          channel: 'card_not_present',
          status: 'authorized',
        },
      });
      const alert = await nth(2);
      await post('/__emulator/whatsapp/statuses', { waId, status: 'delivered' });
      await post(`/__emulator/whatsapp/users/${waId}/messages`, {
        buttonReplyId: alert.interactive?.action.buttons[1]?.reply.id,
      });
      await waitFor(async () =>
        (await local.callbacksFor(customerId)).some((callback) => callback.body.type === 'alert.disputed')
          ? true
          : undefined,
      );
    });

    expect(logs).toMatch(/"message":"alert created"/);
    for (const value of [waId, customerId, transactionId, CANARY.merchant, '98765', '987.65']) {
      expect(logs, value).not.toContain(value);
    }
    // The bank gets its own references and a subscriberRef, never the phone number.
    const callbacks = JSON.stringify(await local.callbacksFor(customerId));
    expect(callbacks).toContain('"channel":"whatsapp"');
    expect(callbacks).toContain('alert.delivered');
    expect(callbacks).not.toContain(waId);
    // Stored, then erased: nothing of the customer or their number remains anywhere.
    expect(await everything('subscribers')).toContain(waId);
    expect((await local.callBank('DELETE', `/customers/${customerId}`)).status).toBe(204);
    await waitFor(async () =>
      (await local.callbacksFor(customerId)).some(
        (callback) => callback.body.type === 'customer.unsubscribed',
      )
        ? true
        : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const table of tableKeys) {
      const items = await everything(table);
      for (const value of [waId, customerId, transactionId]) {
        expect(items, `${table} holds ${value}`).not.toContain(value);
      }
    }
  });
});
