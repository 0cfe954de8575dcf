import { describe, expect, it } from 'vitest';
import { toCloudApiRequest } from '../../shared/adapters/cloud-api-whatsapp.ts';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import { alertCallbacks, subscriberCallback, subscriberRef } from '../../shared/domain/bank-callback.ts';
import type { BankProfile } from '../../shared/domain/bank-profile.ts';
import { callbackSchemas } from '../../shared/domain/callback-schemas.ts';
import type { ChannelEvent, CustomerAction } from '../../shared/domain/channel-event.ts';
import { hashToken } from '../../shared/domain/enroll-customer.ts';
import { handleChannelEvent } from '../../shared/domain/handle-channel-event.ts';
import { type NotifyCustomerPorts, notifyCustomer } from '../../shared/domain/notify-customer.ts';
import { PAYLOADS } from '../../shared/domain/render-message.ts';
import type { Subscriber } from '../../shared/domain/subscriber.ts';
import {
  FakeAlertStore,
  FakeBankDirectory,
  FakeChannel,
  FakeEnrollmentStore,
  FakeErasureMarkers,
  FakeInboundLog,
  FakeMessenger,
  FakeSubscriberStore,
  FixedClock,
} from '../support/fakes/index.ts';

// Reach (docs/channels.md, "Reach"): outside the 24 h window, a WhatsApp subscriber still gets
// the fraud check, as the bank's approved utility template; a Messenger subscriber in a market
// without utility templates does not.

const NOW = '2026-03-04T12:00:00.000Z';
const DAY = 24 * 60 * 60 * 1000;
const BANK: BankProfile = {
  bankId: 'acme',
  name: 'ACME Bank',
  channels: ['messenger', 'whatsapp'],
  whatsapp: {
    phoneNumberId: '106540352242922',
    displayNumber: '33612345678',
    template: { name: 'fraud_check_v1', language: 'fr', parameters: ['bankName', 'cardLast4', 'amount'] },
  },
};

function world(bank: BankProfile = BANK) {
  const clock = new FixedClock(NOW);
  const whatsapp = new FakeChannel('whatsapp');
  const messenger = new FakeMessenger();
  const ports: NotifyCustomerPorts = {
    alerts: new FakeAlertStore(),
    subscribers: new FakeSubscriberStore(() => clock.now()),
    banks: new FakeBankDirectory([bank]),
    channels: { messenger: new MessengerChannel(messenger), whatsapp },
    clock,
    erasures: new FakeErasureMarkers(),
    sleep: async () => {},
    remainingMs: () => 60_000,
    maxAttempts: 3,
  };
  return { ports, whatsapp, messenger, alerts: ports.alerts as FakeAlertStore, clock };
}

const alert = (changes: Partial<Alert> = {}): Alert => ({
  alertId: 'acme#txn#t1',
  ref: 'ref-1',
  bankId: 'acme',
  customerId: 'c1',
  customerKey: 'acme#c1',
  kind: 'fraud_check',
  status: 'pending',
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
  ...changes,
});

const subscriber = (changes: Partial<Subscriber>, messenger = false): Subscriber => {
  const made: Subscriber = {
    bankId: 'acme',
    customerId: 'c1',
    address: '33611111111',
    channel: 'whatsapp',
    status: 'active',
    locale: 'fr_FR',
    enrollmentId: 'enr-1',
    updatedAt: NOW,
    lastInboundAt: new Date(Date.parse(NOW) - 3 * DAY).toISOString(),
    ...changes,
  };
  if (!messenger) return made;
  const { channel: _channel, ...rest } = made;
  return rest;
};

async function notify(w: ReturnType<typeof world>, who: Subscriber, a = alert()) {
  await w.alerts.createOnce(a);
  await w.ports.subscribers.save(who);
  return notifyCustomer(a, w.ports);
}

describe('an alert to a WhatsApp subscriber who last wrote three days ago', () => {
  it('is sent as the bank’s utility template with Yes / No buttons, not marked undeliverable', async () => {
    const w = world();
    expect(await notify(w, subscriber({}))).toEqual({ status: 'sent', messagingType: 'template', tries: 1 });
    const [sent] = w.whatsapp.sent;
    expect(sent).toMatchObject({
      kind: 'template',
      to: '33611111111',
      from: '106540352242922',
      ref: 'ref-1',
      template: {
        name: 'fraud_check_v1',
        language: 'fr',
        parameters: ['ACME Bank', '4242', expect.stringContaining('125')],
        answers: [PAYLOADS.yes('ref-1'), PAYLOADS.no('ref-1')],
      },
    });
    expect(sent && toCloudApiRequest(sent)).toMatchObject({
      messaging_product: 'whatsapp',
      type: 'template',
    });
    expect(await w.alerts.get('acme#txn#t1')).toMatchObject({
      status: 'sent',
      channel: 'whatsapp',
      address: '33611111111',
      messageId: 'wamid.1',
    });
    expect(w.messenger.sent).toEqual([]);
  });

  it('while the same customer on Messenger, without a Messenger template, is undeliverable', async () => {
    const w = world();
    const onMessenger = subscriber({ address: 'psid-1' }, true);
    expect(await notify(w, onMessenger)).toEqual({ status: 'undeliverable', reason: 'outside_window' });
    expect(w.messenger.sent).toEqual([]);
  });

  it('inside the window goes as an interactive alert from the bank’s number', async () => {
    const w = world();
    const recent = subscriber({ lastInboundAt: new Date(Date.parse(NOW) - DAY / 2).toISOString() });
    expect(await notify(w, recent)).toMatchObject({ status: 'sent', messagingType: 'alert' });
    const [sent] = w.whatsapp.sent;
    expect(sent).toMatchObject({ kind: 'alert', from: '106540352242922', ref: 'ref-1' });
    expect(sent && toCloudApiRequest(sent)).toMatchObject({ type: 'interactive' });
  });

  it('is undeliverable when the bank has no WhatsApp number, or no template outside the window', async () => {
    const { whatsapp: _none, ...withoutNumber } = BANK;
    const noNumber = world(withoutNumber);
    expect(await notify(noNumber, subscriber({}))).toEqual({
      status: 'undeliverable',
      reason: 'channel_unavailable',
    });
    const noTemplate = world({ ...BANK, whatsapp: { phoneNumberId: '1', displayNumber: '2' } });
    expect(await notify(noTemplate, subscriber({}))).toEqual({
      status: 'undeliverable',
      reason: 'outside_window',
    });
    expect([...noNumber.whatsapp.sent, ...noTemplate.whatsapp.sent]).toEqual([]);
  });
});

describe('a WhatsApp conversation', () => {
  function chat() {
    const clock = new FixedClock(NOW);
    const whatsapp = new FakeChannel('whatsapp');
    const messenger = new FakeMessenger();
    const ports = {
      subscribers: new FakeSubscriberStore(() => clock.now()),
      enrollments: new FakeEnrollmentStore(),
      alerts: new FakeAlertStore(),
      inbound: new FakeInboundLog(),
      banks: new FakeBankDirectory([BANK]),
      channels: { messenger: new MessengerChannel(messenger), whatsapp },
      clock,
    };
    let seq = 0;
    const write = (address: string, action: CustomerAction, channel: ChannelEvent['channel'] = 'whatsapp') =>
      handleChannelEvent(
        { channel, address, via: '106540352242922', key: `wamid.${++seq}`, at: clock.now(), action },
        ports,
      );
    return { ports, whatsapp, messenger, write };
  }

  it('enrolls with the token, asks for consent with buttons from the number written to, and takes answers', async () => {
    const c = chat();
    await c.ports.enrollments.create({
      tokenHash: hashToken('tok'),
      enrollmentId: 'enr-1',
      bankId: 'acme',
      customerId: 'c1',
      customerKey: 'acme#c1',
      locale: 'fr_FR',
      createdAt: NOW,
      expiresAt: Date.parse(NOW) / 1000 + 3600,
      used: false,
    });
    expect(await c.write('33611111111', { type: 'opened_link', token: 'tok' })).toBe('enrolled');
    const [consent] = c.whatsapp.sent;
    expect(consent).toMatchObject({ kind: 'reply', to: '33611111111', from: '106540352242922' });
    // The consent names the app the customer reads it in.
    expect(consent && 'message' in consent && consent.message.text).toContain('WhatsApp');
    expect(consent && 'message' in consent && consent.message.text).not.toContain('Messenger');
    expect(consent && 'message' in consent && consent.message.quickReplies?.map((q) => q.payload)).toEqual([
      PAYLOADS.agree('enr-1'),
      PAYLOADS.decline('enr-1'),
    ]);
    expect(await c.write('33611111111', { type: 'agreed', enrollmentId: 'enr-1' })).toBe('consented');
    expect(await c.ports.subscribers.get('acme', 'c1')).toMatchObject({
      status: 'active',
      channel: 'whatsapp',
      address: '33611111111',
    });

    await c.ports.alerts.createOnce(alert());
    await c.ports.alerts.markSent('acme#txn#t1', {
      address: '33611111111',
      channel: 'whatsapp',
      messageId: 'wamid.x',
      sentAt: NOW,
    });
    // The same digits on Messenger are another person: their No changes nothing.
    expect(
      await c.write('33611111111', { type: 'answered', ref: 'ref-1', answer: 'disputed' }, 'messenger'),
    ).toBe('answer_late');
    expect(await c.write('33611111111', { type: 'answered', ref: 'ref-1', answer: 'disputed' })).toBe(
      'disputed',
    );
    expect((await c.ports.alerts.get('acme#txn#t1'))?.status).toBe('disputed');
    expect(c.messenger.sent).toHaveLength(1);
  });
});

describe('what the bank hears of WhatsApp', () => {
  it('alert.delivered once, when the delivery is first recorded, valid against its schema', () => {
    const sent = alert({ status: 'sent', channel: 'whatsapp', messageId: 'wamid.1', sentAt: NOW });
    const delivered = { ...sent, deliveredAt: '2026-03-04T12:00:05.000Z' };
    const callbacks = alertCallbacks(sent, delivered, new Date(NOW));
    expect(callbacks.map((c) => c.type)).toEqual(['alert.delivered']);
    const [callback] = callbacks;
    expect(callback?.occurredAt).toBe('2026-03-04T12:00:05.000Z');
    expect(
      callbackSchemas['alert.delivered'].safeParse({
        type: callback?.type,
        id: callback?.id,
        occurredAt: callback?.occurredAt,
        data: callback?.data,
      }).success,
    ).toBe(true);
    expect(JSON.stringify(callback)).not.toContain('wamid');
    expect(
      alertCallbacks(delivered, { ...delivered, readAt: '2026-03-04T12:01:00.000Z' }, new Date(NOW)),
    ).toEqual([]);
  });

  it('subscriptions name their channel and a subscriberRef that never carries the WhatsApp id', () => {
    const refOf = (address: string, channel: 'messenger' | 'whatsapp') =>
      subscriberRef('key', channel, address);
    const active = subscriber({ consentedAt: NOW, consentVersion: 'consent-v1' });
    const callback = subscriberCallback(undefined, active, new Date(NOW), refOf);
    expect(callback?.data).toMatchObject({
      channel: 'whatsapp',
      subscriberRef: refOf('33611111111', 'whatsapp'),
    });
    expect(JSON.stringify(callback)).not.toContain('33611111111');
    expect(refOf('33611111111', 'whatsapp')).not.toBe(refOf('33611111111', 'messenger'));
    // The same digits moving from Messenger to WhatsApp is another subscriber: the bank hears it.
    const moved = subscriberCallback(subscriber({ consentedAt: NOW }, true), active, new Date(NOW), refOf);
    expect(moved?.type).toBe('customer.subscribed');
  });
});
