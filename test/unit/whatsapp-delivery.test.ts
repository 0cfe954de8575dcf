import { describe, expect, it } from 'vitest';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import { deliveredCallback } from '../../shared/domain/bank-callback.ts';
import { callbackSchemas } from '../../shared/domain/callback-schemas.ts';
import type { ChannelEventPorts } from '../../shared/domain/handle-channel-event.ts';
import { handleWhatsAppDelivery } from '../../shared/domain/handle-whatsapp-delivery.ts';
import { recordDeliveryStatus } from '../../shared/domain/record-delivery.ts';
import { whatsappFixture } from '../fixtures/whatsapp/whatsapp-fixture.ts';
import {
  FakeAlertStore,
  FakeBankDirectory,
  FakeChannel,
  FakeEnrollmentStore,
  FakeInboundLog,
  FakeMessenger,
  FakeSubscriberStore,
  FixedClock,
} from '../support/fakes/index.ts';

// A signed WhatsApp delivery, item by item (docs/channels.md, "WhatsApp"): statuses of the
// messages Vigil sent are recorded on the alert they belong to, found by the opaque ref.

const NOW = '2026-03-04T12:00:00.000Z';
const SENT_ID = 'wamid.SENT-1';
/** 2025-02-12T00:43:44Z, the fixtures' timestamp. */
const AT_SECONDS = '1739321024';

function ports() {
  const clock = new FixedClock(NOW);
  return {
    subscribers: new FakeSubscriberStore(() => clock.now()),
    enrollments: new FakeEnrollmentStore(),
    alerts: new FakeAlertStore(),
    inbound: new FakeInboundLog(),
    banks: new FakeBankDirectory([{ bankId: 'acme', name: 'ACME Bank' }]),
    channels: { messenger: new MessengerChannel(new FakeMessenger()), whatsapp: new FakeChannel('whatsapp') },
    clock,
  } satisfies ChannelEventPorts;
}

const sentAlert = (changes: Partial<Alert> = {}): Alert => ({
  alertId: 'acme#txn#t1',
  ref: 'ref-1',
  bankId: 'acme',
  customerId: 'c1',
  customerKey: 'acme#c1',
  kind: 'fraud_check',
  status: 'sent',
  eventId: 'evt-1',
  transactionId: 't1',
  reasons: [],
  display: {
    cardLast4: '4242',
    amount: 12500,
    currency: 'EUR',
    merchantName: 'Night Shop',
    merchantCountry: 'FR',
    occurredAt: '2026-03-04T11:58:00.000Z',
  },
  createdAt: NOW,
  expiresAt: 1_900_000_000,
  address: '16315551181',
  channel: 'whatsapp',
  messageId: SENT_ID,
  sentAt: NOW,
  ...changes,
});

const WA_ID = '16315551181';

/** The customer's WhatsApp subscription to a bank (statuses find the alert among its alerts). */
const subscription = (bankId = 'acme', customerId = 'c1', address = WA_ID) => ({
  bankId,
  customerId,
  address,
  channel: 'whatsapp' as const,
  status: 'active' as const,
  locale: 'en_US',
  enrollmentId: `enr-${bankId}-${customerId}`,
  updatedAt: NOW,
});

async function withAlerts(...alerts: Alert[]) {
  const p = ports();
  await p.subscribers.save(subscription());
  for (const a of alerts) await p.alerts.createOnce(a);
  return p;
}

const status = (name: string, values: { messageId?: string; opaque?: string; timestamp?: string } = {}) =>
  whatsappFixture(name, { messageId: SENT_ID, timestamp: AT_SECONDS, ...values });

/** One delivery holding the given statuses (each a raw status object). */
const statusesDelivery = (...statuses: unknown[]) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { phone_number_id: '106540352242922' },
            statuses,
          },
        },
      ],
    },
  ],
});

const rawStatus = (changes: Record<string, unknown> = {}) => ({
  id: SENT_ID,
  status: 'delivered',
  timestamp: AT_SECONDS,
  recipient_id: '16315551181',
  biz_opaque_callback_data: 'ref-1',
  ...changes,
});

const AT = new Date(Number(AT_SECONDS) * 1000).toISOString();

describe('WhatsApp message statuses on the alert they belong to', () => {
  it('records delivered, then read, on the alert whose ref the message was sent with', async () => {
    const p = await withAlerts(
      sentAlert(),
      sentAlert({ alertId: 'acme#txn#t2', ref: 'ref-2', messageId: 'wamid.OTHER' }),
    );
    expect((await handleWhatsAppDelivery(status('status-delivered'), p)).outcomes).toEqual([
      'delivered_recorded',
    ]);
    const later = String(Number(AT_SECONDS) + 60);
    expect((await handleWhatsAppDelivery(status('status-read', { timestamp: later }), p)).outcomes).toEqual([
      'read_recorded',
    ]);
    const recorded = await p.alerts.get('acme#txn#t1');
    expect(recorded?.deliveredAt).toBe(AT);
    expect(recorded?.readAt).toBe(new Date(Number(later) * 1000).toISOString());
    expect(recorded?.deliveryFailedAt).toBeUndefined();
    // The other alert is untouched, and the answer status of the alert is not changed.
    const other = await p.alerts.get('acme#txn#t2');
    expect(other?.deliveredAt).toBeUndefined();
    expect(other?.readAt).toBeUndefined();
    expect(recorded?.status).toBe('sent');
  });

  it('records a failed delivery with the platform error code', async () => {
    const p = await withAlerts(sentAlert());
    const outcome = await handleWhatsAppDelivery(status('status-failed'), p);
    expect(outcome.outcomes).toEqual(['failed_recorded']);
    expect(outcome.failure).toBeUndefined();
    const recorded = await p.alerts.get('acme#txn#t1');
    expect(recorded?.deliveryFailedAt).toBe(AT);
    expect(recorded?.deliveryError).toBe(131026);
    expect(recorded?.deliveredAt).toBeUndefined();
  });

  it('a read that arrives without a delivered one also marks the message delivered', async () => {
    const p = await withAlerts(sentAlert());
    await handleWhatsAppDelivery(status('status-read'), p);
    const recorded = await p.alerts.get('acme#txn#t1');
    expect(recorded?.deliveredAt).toBe(AT);
    expect(recorded?.readAt).toBe(AT);
  });

  it('a redelivered status changes nothing: the first time stays', async () => {
    const p = await withAlerts(sentAlert());
    await handleWhatsAppDelivery(status('status-delivered'), p);
    const retry = String(Number(AT_SECONDS) + 3600);
    const again = await handleWhatsAppDelivery(status('status-delivered', { timestamp: retry }), p);
    expect(again.failure).toBeUndefined();
    expect((await p.alerts.get('acme#txn#t1'))?.deliveredAt).toBe(AT);
  });

  it('ignores a status whose ref is unknown, or that carries no ref', async () => {
    const p = await withAlerts(sentAlert());
    const outcome = await handleWhatsAppDelivery(
      statusesDelivery(
        rawStatus({ biz_opaque_callback_data: 'ref-unknown' }),
        rawStatus({ biz_opaque_callback_data: undefined }),
      ),
      p,
    );
    expect(outcome.outcomes).toEqual(['delivered_not_found', 'delivered_not_found']);
    expect((await p.alerts.get('acme#txn#t1'))?.deliveredAt).toBeUndefined();
  });

  it('ignores a status of another message sent with the same ref (a reply or follow-up)', async () => {
    const p = await withAlerts(sentAlert());
    const outcome = await handleWhatsAppDelivery(
      status('status-delivered', { messageId: 'wamid.FOLLOW-UP' }),
      p,
    );
    expect(outcome.outcomes).toEqual(['delivered_not_found']);
    expect((await p.alerts.get('acme#txn#t1'))?.deliveredAt).toBeUndefined();
  });

  it('skips sent statuses and hostile or malformed items, handling the valid ones beside them', async () => {
    const p = await withAlerts(sentAlert());
    const outcome = await handleWhatsAppDelivery(
      statusesDelivery(
        rawStatus({ status: 'sent' }),
        rawStatus({ timestamp: 'not-a-time' }),
        rawStatus({ id: 'x'.repeat(600) }),
        rawStatus({ biz_opaque_callback_data: { $ne: null } }),
        rawStatus({ errors: [{ code: 'DROP TABLE' }], status: 'failed' }),
        null,
        '__proto__',
        rawStatus({ status: 'read' }),
      ),
      p,
    );
    expect(outcome.outcomes).toEqual(['read_recorded']);
    expect(outcome.skipped).toEqual([
      { type: 'sent', reason: 'not_used' },
      { type: 'status', reason: 'invalid', field: 'timestamp' },
      { type: 'status', reason: 'invalid', field: 'id' },
      { type: 'status', reason: 'invalid', field: 'biz_opaque_callback_data' },
      { type: 'status', reason: 'invalid', field: 'errors.0.code' },
      { type: 'status', reason: 'invalid', field: '$' },
      { type: 'status', reason: 'invalid', field: '$' },
    ]);
    const recorded = await p.alerts.get('acme#txn#t1');
    expect(recorded?.readAt).toBe(AT);
    expect(recorded?.deliveryFailedAt).toBeUndefined();
  });

  it('skips a body that is no WhatsApp payload, and entries or changes it cannot read, without throwing', async () => {
    const p = await withAlerts(sentAlert());
    for (const body of [
      undefined,
      null,
      'text',
      { object: 'page', entry: [] },
      { object: 'whatsapp_business_account' },
    ]) {
      const outcome = await handleWhatsAppDelivery(body, p);
      expect(outcome.outcomes).toEqual([]);
      expect(outcome.skipped).toEqual([{ type: 'unknown', reason: 'invalid', field: '$' }]);
    }
    const odd = await handleWhatsAppDelivery(
      {
        object: 'whatsapp_business_account',
        entry: [
          7,
          {
            id: 'x',
            changes: [null, { field: 'account_update', value: {} }, { field: 'messages', value: 'x' }],
          },
          { id: 'y' },
        ],
      },
      p,
    );
    expect(odd.outcomes).toEqual([]);
    expect(odd.skipped).toEqual([
      { type: 'entry', reason: 'invalid' },
      { type: 'change', reason: 'not_used' },
      { type: 'change', reason: 'not_used' },
      { type: 'change', reason: 'not_used' },
    ]);
    expect((await p.alerts.get('acme#txn#t1'))?.deliveredAt).toBeUndefined();
  });

  it('keeps recording the statuses after one whose store call throws, and returns the first failure', async () => {
    const p = await withAlerts(
      sentAlert(),
      sentAlert({ alertId: 'acme#txn#t2', ref: 'ref-2', messageId: 'wamid.2' }),
    );
    const broken = new Error('alerts table unavailable');
    const byRef = p.alerts.byRef.bind(p.alerts);
    let calls = 0;
    p.alerts.byRef = async (customer, ref) => {
      calls++;
      if (calls <= 2) throw calls === 1 ? broken : new Error('second');
      return byRef(customer, ref);
    };
    const outcome = await handleWhatsAppDelivery(
      statusesDelivery(
        rawStatus(),
        rawStatus({ status: 'read' }),
        rawStatus({ id: 'wamid.2', biz_opaque_callback_data: 'ref-2' }),
      ),
      p,
    );
    expect(outcome.outcomes).toEqual(['failed', 'failed', 'delivered_recorded']);
    expect(outcome.failure?.error).toBe(broken);
    expect((await p.alerts.get('acme#txn#t2'))?.deliveredAt).toBe(AT);
    // Meta's retry of the whole delivery records what failed.
    const retry = await handleWhatsAppDelivery(statusesDelivery(rawStatus()), p);
    expect(retry.outcomes).toEqual(['delivered_recorded']);
    expect((await p.alerts.get('acme#txn#t1'))?.deliveredAt).toBe(AT);
  });

  it('handles a customer message in the same delivery as a status, once per message id', async () => {
    const p = await withAlerts(sentAlert());
    const message = whatsappFixture('message-text', { text: 'HELP', messageId: 'wamid.IN-1' });
    const value = ((message.entry as { changes: { value: Record<string, unknown> }[] }[])[0]?.changes[0]
      ?.value ?? {}) as Record<string, unknown>;
    value.statuses = [rawStatus()];
    const first = await handleWhatsAppDelivery(message, p);
    expect(first.outcomes).toHaveLength(2);
    expect(first.outcomes[0]).not.toBe('failed');
    expect(first.outcomes[0]).not.toBe('duplicate');
    expect(first.outcomes[1]).toBe('delivered_recorded');
    expect(p.inbound.claimed.size).toBe(1);
    const again = await handleWhatsAppDelivery(message, p);
    expect(again.outcomes[0]).toBe('duplicate');
    expect(again.failure).toBeUndefined();
  });
});

describe('recordDeliveryStatus', () => {
  const update = (ref: string | undefined, messageId = SENT_ID, recipient: string | undefined = WA_ID) => ({
    messageId,
    ref,
    recipient,
    report: { status: 'delivered' as const, at: new Date(AT) },
  });

  it('does not look up an alert for a status without a ref or a recipient', async () => {
    const p = await withAlerts(sentAlert());
    let lookups = 0;
    const alerts = {
      byRef: async (customer: { bankId: string; customerId: string }, ref: string) => {
        lookups++;
        return p.alerts.byRef(customer, ref);
      },
      recordDelivery: p.alerts.recordDelivery.bind(p.alerts),
    };
    const ports = { alerts, subscribers: p.subscribers };
    expect(await recordDeliveryStatus(update(undefined), ports)).toBe('not_found');
    expect(await recordDeliveryStatus({ ...update('ref-1'), recipient: undefined }, ports)).toBe('not_found');
    expect(lookups).toBe(0);
    expect(await recordDeliveryStatus(update('ref-1'), ports)).toBe('recorded');
    expect(lookups).toBe(1);
  });

  it('records on the alert id found by the ref, with the status message id', async () => {
    const p = await withAlerts();
    const calls: unknown[][] = [];
    const alerts = {
      byRef: async (_customer: unknown, ref: string) => (ref === 'ref-1' ? sentAlert() : undefined),
      recordDelivery: async (...args: unknown[]) => {
        calls.push(args);
        return false;
      },
    };
    const ports = { alerts, subscribers: p.subscribers };
    expect(await recordDeliveryStatus(update('ref-1', 'wamid.X'), ports)).toBe('not_found');
    expect(calls).toEqual([['acme#txn#t1', 'wamid.X', { status: 'delivered', at: new Date(AT) }]]);
    expect(await recordDeliveryStatus(update('ref-9'), ports)).toBe('not_found');
    expect(calls).toHaveLength(1);
  });

  it('looks the ref up among the alerts of each of the recipient’s WhatsApp subscriptions', async () => {
    const p = await withAlerts(
      sentAlert({ alertId: 'beta#txn#t1', bankId: 'beta', customerId: 'c9', customerKey: 'beta#c9' }),
    );
    // The recipient follows two banks on WhatsApp; the alert is the second bank's (customer c9).
    await p.subscribers.save(subscription('beta', 'c9'));
    // The same person's Messenger subscription (another address space) is not asked.
    await p.subscribers.save({ ...subscription('gamma', 'c3'), channel: 'messenger' });
    const asked: string[] = [];
    const alerts = {
      byRef: async (customer: { bankId: string; customerId: string }, ref: string) => {
        asked.push(`${customer.bankId}/${customer.customerId}`);
        return p.alerts.byRef(customer, ref);
      },
      recordDelivery: p.alerts.recordDelivery.bind(p.alerts),
    };
    expect(await recordDeliveryStatus(update('ref-1'), { alerts, subscribers: p.subscribers })).toBe(
      'recorded',
    );
    expect(asked.sort()).toEqual(['acme/c1', 'beta/c9']);
    expect((await p.alerts.get('beta#txn#t1'))?.deliveredAt).toBe(AT);
  });

  it('does not record a status whose recipient is not the alert’s customer', async () => {
    // The alert is c1's; the status names another WhatsApp user, subscribed to the same bank.
    const p = await withAlerts(sentAlert());
    await p.subscribers.save(subscription('acme', 'c2', '16315550000'));
    const outcome = await recordDeliveryStatus(update('ref-1', SENT_ID, '16315550000'), p);
    expect(outcome).toBe('not_found');
    expect(await recordDeliveryStatus(update('ref-1', SENT_ID, '19999999999'), p)).toBe('not_found');
    expect((await p.alerts.get('acme#txn#t1'))?.deliveredAt).toBeUndefined();
  });

  it('lets a store failure through to the caller', async () => {
    const p = await withAlerts();
    const broken = new Error('throttled');
    const alerts = {
      byRef: async () => sentAlert(),
      recordDelivery: async () => {
        throw broken;
      },
    };
    await expect(recordDeliveryStatus(update('ref-1'), { alerts, subscribers: p.subscribers })).rejects.toBe(
      broken,
    );
  });
});

describe('the alert.delivered callback of a recorded status', () => {
  const valid = (callback: ReturnType<typeof deliveredCallback>) =>
    callbackSchemas['alert.delivered'].safeParse({
      type: callback?.type,
      id: callback?.id,
      occurredAt: callback?.occurredAt,
      data: callback?.data,
    }).success;

  it('carries the score and the check the alert belongs to, and no transaction id it does not have', () => {
    const { transactionId: _t, ...withoutTransaction } = sentAlert({ score: 87, checkId: 'acme#check#1' });
    const callback = deliveredCallback(withoutTransaction, { ...withoutTransaction, deliveredAt: AT });
    expect(callback?.occurredAt).toBe(AT);
    expect(callback?.data).toMatchObject({ alertId: 'acme#txn#t1', score: 87, checkId: 'acme#check#1' });
    expect(callback?.data).not.toHaveProperty('transactionId');
    expect(valid(callback)).toBe(true);
  });

  it('is made for an alert first seen delivered, and not for one never delivered', () => {
    const plain = sentAlert();
    const callback = deliveredCallback(undefined, { ...plain, deliveredAt: AT });
    expect(callback?.data).toMatchObject({ transactionId: 't1' });
    expect(callback?.data).not.toHaveProperty('score');
    expect(callback?.data).not.toHaveProperty('checkId');
    expect(valid(callback)).toBe(true);
    expect(deliveredCallback(undefined, plain)).toBeUndefined();
    expect(deliveredCallback(plain, { ...plain, deliveryFailedAt: AT })).toBeUndefined();
  });
});
