import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suspiciousTransaction } from '../fixtures/bank-events.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

// A fresh enrollment link for a customer who is already subscribed cannot take the alerts away
// from the subscribed person until the new person agrees; then the bank sees the subscriberRef
// change and the previous person is told (the attack of issue 12: a replayed enrollment opened by
// someone else used to displace the subscription at once).

interface Received {
  readonly body: { type: string; occurredAt: string; data: Record<string, unknown> };
}

let local: TestLocalStack;
beforeAll(async () => {
  local = await startTestLocalStack();
});
afterAll(() => local.stop());

async function link(customerId: string): Promise<string> {
  const { status, body } = await local.callBank('POST', '/enrollments', { customerId });
  expect(status).toBe(201);
  return String(body?.link);
}

async function subscribed(customerId: string) {
  return waitFor(async () => {
    const list = (await (
      await fetch(`${local.apiUrl}/__local/banks/demo-bank/callbacks`)
    ).json()) as Received[];
    const mine = list.filter(
      (callback) =>
        callback.body.data.customerId === customerId && callback.body.type === 'customer.subscribed',
    );
    return mine.length > 0
      ? mine.sort((a, b) => a.body.occurredAt.localeCompare(b.body.occurredAt))
      : undefined;
  });
}

const subscriber = async (customerId: string) =>
  (await local.scan('subscribers')).find((item) => item.customerId === customerId);

describe('a second person opening a fresh link for a subscribed customer', () => {
  it('gets no alert until they agree; then the bank sees a new subscriberRef and the first person is told', async () => {
    await local.openLink('psid_carol', await link('cus_carol'));
    const [consent] = await local.waitForMessages('psid_carol', 1);
    await local.say('psid_carol', 'Agree', consent?.message.quick_replies?.[0]?.payload);
    await local.waitForMessages('psid_carol', 2);
    const [first] = await subscribed('cus_carol');
    expect(first?.body.data).toMatchObject({
      channel: 'messenger',
      subscriberRef: expect.stringMatching(/^sr_/),
    });

    await local.openLink('psid_other', await link('cus_carol'));
    const [offer] = await local.waitForMessages('psid_other', 1);
    expect(offer?.message.quick_replies?.map((reply) => reply.title)).toEqual(['Agree', 'No thanks']);
    expect(await subscriber('cus_carol')).toMatchObject({ psid: 'psid_carol', status: 'active' });

    // Until the newcomer agrees, the alert goes to Carol and to nobody else.
    await local.callBank('POST', '/events', suspiciousTransaction('cus_carol', 'txn_before'));
    const [, , alert] = await local.waitForMessages('psid_carol', 3);
    expect(alert?.message.text).toMatch(/Was this you\?/);
    expect(await local.messages('psid_other')).toHaveLength(1);
    // Carol answers it: that closes her fraud check, so the next suspicious payment opens a new
    // one rather than joining hers (docs/scoring.md, "Fraud checks").
    await local.say('psid_carol', 'Yes', alert?.message.quick_replies?.[0]?.payload);
    await local.waitForMessages('psid_carol', 4);

    await local.say('psid_other', 'Agree', offer?.message.quick_replies?.[0]?.payload);
    const [, moved] = await local.waitForMessages('psid_other', 2);
    expect(moved?.message.text).toMatch(/You will get alerts from Demo Bank/);
    const [, , , , told] = await local.waitForMessages('psid_carol', 5);
    expect(told?.message.text).toMatch(/now go to another Messenger account/);
    expect(await subscriber('cus_carol')).toMatchObject({ psid: 'psid_other', status: 'active' });

    const both = await waitFor(async () => {
      const list = await subscribed('cus_carol');
      return list.length >= 2 ? list : undefined;
    });
    const refs = both.map((callback) => callback.body.data.subscriberRef);
    expect(refs[0]).toBe(first?.body.data.subscriberRef);
    expect(refs[1]).toMatch(/^sr_[A-Za-z0-9_-]{32}$/);
    expect(refs[1]).not.toBe(refs[0]);
    expect(JSON.stringify(both)).not.toMatch(/psid_/);

    await local.callBank('POST', '/events', suspiciousTransaction('cus_carol', 'txn_after'));
    const [, , alertAfter] = await local.waitForMessages('psid_other', 3);
    expect(alertAfter?.message.text).toMatch(/Was this you\?/);
    expect(await local.messages('psid_carol')).toHaveLength(5);
  });

  it('keeps the subscription where it is when the newcomer says No thanks', async () => {
    await local.openLink('psid_dan', await link('cus_dan'));
    const [consent] = await local.waitForMessages('psid_dan', 1);
    await local.say('psid_dan', 'Agree', consent?.message.quick_replies?.[0]?.payload);
    await local.waitForMessages('psid_dan', 2);

    await local.openLink('psid_eve', await link('cus_dan'));
    const [offer] = await local.waitForMessages('psid_eve', 1);
    await local.say('psid_eve', 'No thanks', offer?.message.quick_replies?.[1]?.payload);
    const [, declined] = await local.waitForMessages('psid_eve', 2);
    expect(declined?.message.text).toMatch(/no alerts from Demo Bank/);
    const after = await subscriber('cus_dan');
    expect(after).toMatchObject({ psid: 'psid_dan', status: 'active' });
    expect(after?.pendingPsid).toBeUndefined();
    // The offer is gone: agreeing now changes nothing.
    await local.say('psid_eve', 'Agree', offer?.message.quick_replies?.[0]?.payload);
    await local.waitForMessages('psid_eve', 3);
    expect(await subscriber('cus_dan')).toMatchObject({ psid: 'psid_dan', status: 'active' });
  });
});
