import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAlertStore } from '../../shared/adapters/dynamodb-alert-store.ts';
import { type Alert, openCheckKey } from '../../shared/domain/alert.ts';
import { cardTransaction, suspiciousTransaction } from '../fixtures/bank-events.ts';
import { startTestLocalStack, type TestLocalStack } from '../support/test-local-stack.ts';
import { waitFor } from '../support/wait-for.ts';

// Fraud checks group a customer's suspicious transactions (docs/scoring.md, "Fraud checks"),
// black-box through local mode: the bank API, the Messenger emulator and the local bank receiver.

let local: TestLocalStack;

beforeAll(async () => {
  local = await startTestLocalStack();
});
afterAll(async () => {
  await local.stop();
});

/** Waits until all the customer's events are scored; the ids of the suspicious ones. */
async function scored(customerId: string, count: number): Promise<string[]> {
  const events = await waitFor(
    async () => {
      const all = (await local.scan('events')).filter((e) => e.customerId === customerId);
      const mine = (await local.scoredEvents()).filter((e) => e.customerId === customerId);
      return all.length === count && mine.length === count ? mine : undefined;
    },
    20_000,
    `${count} scored events of ${customerId}`,
  );
  return events
    .filter((e) => e.alertId !== undefined)
    .map((e) => String(e.alertId).slice(String(e.alertId).indexOf('#txn#') + 5));
}

async function alertsOf(customerId: string): Promise<Alert[]> {
  return (await local.scan('alerts')).filter((a) => a.customerId === customerId) as unknown as Alert[];
}

const settle = (ms = 1500) => new Promise((resolve) => setTimeout(resolve, ms));

/** A €1–3 online payment abroad, as card testing makes them. */
function cardTest(customerId: string, index: number, at: Date) {
  return cardTransaction({
    customerId,
    occurredAt: at.toISOString(),
    transaction: {
      id: `txn_probe_${index}`,
      amount: 100 + ((index * 37) % 200),
      channel: 'card_not_present',
      merchant: { name: `SHOP ${index}`, mcc: '5999', country: 'US' },
    },
  });
}

describe('fraud checks', () => {
  it('card testing: 30 small online payments make at most 2 messages; the bank hears every outcome', async () => {
    await local.subscribe('cus_probe', 'psid_probe');
    const start = Date.now() - 120_000;
    for (let i = 0; i < 30; i++) {
      const response = await local.callBank(
        'POST',
        '/events',
        cardTest('cus_probe', i, new Date(start + i * 4000)),
      );
      expect(response.status).toBe(202);
    }
    const suspicious = await scored('cus_probe', 30);
    // Velocity and a foreign merchant: most of the burst scores as suspicious.
    expect(suspicious.length).toBeGreaterThan(20);
    const [, , first] = await local.waitForMessages('psid_probe', 3);
    await settle();
    const messages = (await local.messages('psid_probe')).slice(2);
    expect(messages.length).toBeLessThanOrEqual(2);
    if (messages[1] !== undefined) {
      // The follow-up lists what joined, with the same Yes / No.
      expect(messages[1].message.text).toMatch(/more payments? since: €\d\.\d\d at SHOP \d+/);
      expect(messages[1].message.text?.length).toBeLessThanOrEqual(2000);
      expect(messages[1].message.quick_replies).toEqual(first?.message.quick_replies);
    }
    // One check: one opened it, all the others joined it.
    const alerts = await alertsOf('cus_probe');
    expect(alerts.filter((a) => a.status !== 'grouped')).toHaveLength(1);
    expect(new Set(alerts.map((a) => a.checkId)).size).toBe(1);

    await local.say('psid_probe', 'No', first?.message.quick_replies?.[1]?.payload);
    const reply = await waitFor(async () =>
      (await local.messages('psid_probe')).find(
        (m) =>
          m.messaging_type === 'RESPONSE' && m.message.text?.startsWith('Thanks. Demo Bank has been warned'),
      ),
    );
    expect(reply.message.text).toContain(`Your answer covers ${suspicious.length} payments.`);
    const disputed = await waitFor(
      async () => {
        const list = (await local.callbacksFor('cus_probe')).filter((c) => c.body.type === 'alert.disputed');
        return list.length >= suspicious.length ? list : undefined;
      },
      20_000,
      'a disputed callback per suspicious transaction',
    );
    expect(disputed.map((c) => c.body.data.transactionId).sort()).toEqual([...suspicious].sort());
    const checkId = alerts.find((a) => a.status !== 'grouped')?.alertId;
    expect(disputed.every((c) => c.body.data.checkId === checkId)).toBe(true);
    expect(new Set(disputed.map((c) => c.webhookId)).size).toBe(suspicious.length);
    // No more payments make no more messages, and no callback comes twice.
    await settle();
    expect(
      (await local.callbacksFor('cus_probe')).filter((c) => c.body.type === 'alert.disputed'),
    ).toHaveLength(suspicious.length);
  });

  it('a "No" disputes every transaction of the check; a later suspicious payment opens a new one', async () => {
    await local.subscribe('cus_no', 'psid_no');
    for (const id of ['txn_no_1', 'txn_no_2', 'txn_no_3']) {
      await local.callBank('POST', '/events', suspiciousTransaction('cus_no', id));
    }
    await scored('cus_no', 3);
    const [, , first] = await local.waitForMessages('psid_no', 3);
    await waitFor(async () =>
      (await alertsOf('cus_no')).some((a) => a.status === 'sent') ? true : undefined,
    );
    await local.say('psid_no', 'No', first?.message.quick_replies?.[1]?.payload);
    const disputed = await waitFor(async () => {
      const list = (await local.callbacksFor('cus_no')).filter((c) => c.body.type === 'alert.disputed');
      return list.length >= 3 ? list : undefined;
    });
    expect(disputed.map((c) => c.body.data.transactionId).sort()).toEqual([
      'txn_no_1',
      'txn_no_2',
      'txn_no_3',
    ]);
    expect((await local.scan('alerts')).some((a) => a.alertId === openCheckKey('demo-bank', 'cus_no'))).toBe(
      false,
    );

    await local.callBank('POST', '/events', suspiciousTransaction('cus_no', 'txn_no_4'));
    // The new check's own question (not a late follow-up of the first check).
    const latest = await waitFor(async () =>
      (await local.messages('psid_no')).find(
        (m) =>
          m.messaging_type === 'UPDATE' &&
          m.message.text?.includes('Was this you?') &&
          m.message.quick_replies?.[1]?.payload !== first?.message.quick_replies?.[1]?.payload,
      ),
    );
    expect(latest?.message.text).toMatch(/Was this you\?/);
    expect(latest?.message.quick_replies?.[1]?.payload).not.toBe(first?.message.quick_replies?.[1]?.payload);
    const fourth = (await alertsOf('cus_no')).find((a) => a.transactionId === 'txn_no_4');
    expect(fourth?.checkId).toBe('demo-bank#txn#txn_no_4');
    // The new check is answered on its own: Yes confirms only it.
    await local.say('psid_no', 'Yes', latest?.message.quick_replies?.[0]?.payload);
    const confirmed = await waitFor(async () => {
      const list = (await local.callbacksFor('cus_no')).filter((c) => c.body.type === 'alert.confirmed');
      return list.length >= 1 ? list : undefined;
    });
    await settle();
    expect(confirmed.map((c) => c.body.data.transactionId)).toEqual(['txn_no_4']);
  });

  it('expiry closes the whole check: every transaction of it is told expired', async () => {
    await local.subscribe('cus_exp', 'psid_exp');
    for (const id of ['txn_exp_1', 'txn_exp_2']) {
      await local.callBank('POST', '/events', suspiciousTransaction('cus_exp', id));
    }
    await scored('cus_exp', 2);
    await waitFor(async () =>
      (await alertsOf('cus_exp')).some((a) => a.status === 'sent') ? true : undefined,
    );
    const lead = (await alertsOf('cus_exp')).find((a) => a.status === 'sent');
    await local.stack.documents.send(
      new UpdateCommand({
        TableName: local.stack.tables.alerts,
        Key: { alertId: lead?.alertId },
        UpdateExpression: 'SET deadline = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
    const expired = await waitFor(
      async () => {
        const list = (await local.callbacksFor('cus_exp')).filter((c) => c.body.type === 'alert.expired');
        return list.length >= 2 ? list : undefined;
      },
      20_000,
      'two expired callbacks',
    );
    expect(expired.map((c) => c.body.data.transactionId).sort()).toEqual(['txn_exp_1', 'txn_exp_2']);
    // A payment after expiry opens a new check.
    await local.callBank('POST', '/events', suspiciousTransaction('cus_exp', 'txn_exp_3'));
    await scored('cus_exp', 3);
    expect((await alertsOf('cus_exp')).find((a) => a.transactionId === 'txn_exp_3')?.checkId).toBe(
      'demo-bank#txn#txn_exp_3',
    );
  });

  it('50 concurrent deliveries of suspicious events for one customer make one open check', async () => {
    await local.subscribe('cus_burst', 'psid_burst');
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        local.callBank('POST', '/events', suspiciousTransaction('cus_burst', `txn_burst_${i}`)),
      ),
    );
    expect(responses.every((r) => r.status === 202)).toBe(true);
    await scored('cus_burst', 50);
    const alerts = await alertsOf('cus_burst');
    expect(alerts).toHaveLength(50);
    const leads = alerts.filter((a) => a.status !== 'grouped');
    expect(leads).toHaveLength(1);
    const checkId = leads[0]?.alertId;
    expect(alerts.every((a) => a.checkId === checkId)).toBe(true);
    const check = (await alertsOf('cus_burst')).find((a) => a.alertId === checkId);
    expect(Object.keys(check?.members ?? {}).sort()).toEqual(
      alerts
        .filter((a) => a.status === 'grouped')
        .map((a) => a.alertId)
        .sort(),
    );
    const open = (await local.scan('alerts')).filter(
      (a) => a.alertId === openCheckKey('demo-bank', 'cus_burst'),
    );
    expect(open).toEqual([expect.objectContaining({ checkId })]);
    await settle();
    expect((await local.messages('psid_burst')).length - 2).toBeLessThanOrEqual(2);
  });

  it('a transaction racing the answer either joins the closed check or opens the next one', async () => {
    const store = new DynamoDbAlertStore(local.stack.documents, local.stack.tables.alerts);
    const now = new Date();
    const alert = (id: string): Alert => ({
      alertId: `demo-bank#txn#${id}`,
      ref: `ref_${id}`,
      bankId: 'demo-bank',
      customerId: 'cus_race',
      customerKey: 'demo-bank#cus_race',
      kind: 'fraud_check',
      // Filed as sent, so that local mode's stream consumers leave them to this test.
      status: 'sent',
      address: 'psid_race',
      deadline: new Date(now.getTime() + 600_000).toISOString(),
      eventId: `evt_${id}`,
      transactionId: id,
      score: 70,
      reasons: [],
      display: {
        cardLast4: '4242',
        amount: 100,
        currency: 'EUR',
        merchantName: 'SHOP',
        merchantCountry: 'US',
        occurredAt: now.toISOString(),
      },
      createdAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + 3600,
    });
    expect(await store.fileFraudCheck(alert('lead'), now)).toEqual({
      checkId: 'demo-bank#txn#lead',
      created: true,
    });
    const ids = Array.from({ length: 20 }, (_, i) => `t${i}`);
    const [answered, ...filed] = await Promise.all([
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return store.answer('demo-bank#txn#lead', 'disputed', 'psid_race', new Date());
      })(),
      ...ids.map((id) => store.fileFraudCheck(alert(id), new Date())),
    ]);
    expect(answered).toBe(true);
    const closed = await store.get('demo-bank#txn#lead');
    expect(closed?.status).toBe('disputed');
    const members = new Set(Object.keys(closed?.members ?? {}));
    const later = filed.filter((f) => f.checkId !== 'demo-bank#txn#lead');
    // Every transaction is in exactly one check: the closed one's members, or the next check.
    for (const [index, id] of ids.entries()) {
      const inClosed = members.has(`demo-bank#txn#${id}`);
      expect(inClosed).toBe(filed[index]?.checkId === 'demo-bank#txn#lead');
    }
    if (later.length > 0) {
      expect(new Set(later.map((f) => f.checkId)).size).toBe(1);
      const next = await store.get(String(later[0]?.checkId));
      expect(next?.status).toBe('sent');
      expect(Object.keys(next?.members ?? {})).toHaveLength(later.length - 1);
    }
    // Filing again (a redelivery) changes nothing.
    expect(await store.fileFraudCheck(alert('t0'), new Date())).toEqual({
      checkId: filed[0]?.checkId,
      created: false,
    });
  });
});
