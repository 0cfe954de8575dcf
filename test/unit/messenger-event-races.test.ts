import { describe, expect, it } from 'vitest';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import {
  handleMessengerEvent,
  type MessengerEventPorts,
} from '../../shared/domain/handle-messenger-event.ts';
import type { MessagingEvent } from '../../shared/domain/messenger-webhook-schema.ts';
import { PAYLOADS, textsFor } from '../../shared/domain/render-message.ts';
import type { Subscriber } from '../../shared/domain/subscriber.ts';
import {
  FakeAlertStore,
  FakeBankDirectory,
  FakeCallbackOutbox,
  FakeEnrollmentStore,
  FakeInboundLog,
  FakeMessenger,
  FakePreferenceStore,
  FakeSubscriberStore,
  FakeThresholdStore,
  FixedClock,
} from '../support/fakes/index.ts';

// The Messenger conversation when a write is lost to a race, a port has nothing, or the
// customer controls are not wired: what the person is told and what stays as it was.

const NOW = '2026-03-01T12:00:00.000Z';
const NOW_MS = Date.parse(NOW);
const EN = textsFor('en_US');

function world() {
  const clock = new FixedClock(NOW);
  const messenger = new FakeMessenger();
  const ports = {
    subscribers: new FakeSubscriberStore(() => clock.now()),
    enrollments: new FakeEnrollmentStore(),
    alerts: new FakeAlertStore(),
    inbound: new FakeInboundLog(),
    banks: new FakeBankDirectory([{ bankId: 'acme', name: 'ACME Bank' }]),
    channels: { messenger: new MessengerChannel(messenger) },
    clock,
  } satisfies MessengerEventPorts;
  let seq = 0;
  const from = (psid: string, body: Partial<MessagingEvent>): MessagingEvent => ({
    sender: { id: psid },
    recipient: { id: 'page' },
    timestamp: NOW_MS - 1000,
    ...body,
  });
  return {
    ...ports,
    messenger,
    ports,
    text: (psid: string, text: string) => from(psid, { message: { mid: `mid.${++seq}`, text } }),
    tap: (psid: string, payload: string) =>
      from(psid, { message: { mid: `mid.${++seq}`, text: 'x', quick_reply: { payload } } }),
    from,
    handle: (event: MessagingEvent, with_: MessengerEventPorts = ports) => handleMessengerEvent(event, with_),
    subscribe: (changes: Partial<Subscriber> = {}) =>
      ports.subscribers.save({
        bankId: 'acme',
        customerId: 'c1',
        address: 'psid-1',
        status: 'active',
        locale: 'en_US',
        enrollmentId: 'enr-1',
        updatedAt: '2026-02-01T00:00:00.000Z',
        ...changes,
      }),
  };
}

function alert(id: string, changes: Partial<Alert> = {}): Alert {
  return {
    alertId: id,
    ref: `ref-${id}`,
    bankId: 'acme',
    customerId: 'c1',
    customerKey: 'acme#c1',
    kind: 'fraud_check',
    status: 'pending',
    eventId: `e-${id}`,
    reasons: [],
    display: {
      cardLast4: '4242',
      amount: 1000,
      currency: 'EUR',
      merchantName: 'Shop',
      merchantCountry: 'FR',
      occurredAt: NOW,
    },
    createdAt: NOW,
    expiresAt: 0,
    ...changes,
  };
}

describe('handleMessengerEvent without the customer controls wired', () => {
  it('answers a control command or its quick reply as an unknown message and stores nothing', async () => {
    const w = world();
    await w.subscribe();
    expect(await w.handle(w.text('psid-1', 'TRAVEL Spain'))).toBe('unknown');
    expect(await w.handle(w.tap('psid-1', 'TRAVEL_COUNTRY:ES'))).toBe('unknown');
    expect(w.messenger.textsTo('psid-1')).toEqual([EN.unknown, EN.unknown]);
  });

  it('answers a message with no text (a sticker, a photo) as unknown', async () => {
    const w = world();
    await w.subscribe();
    expect(await w.handle(w.from('psid-1', { message: { mid: 'mid.photo' } }))).toBe('unknown');
    expect(w.messenger.textsTo('psid-1')).toEqual([EN.unknown]);
  });
});

describe('handleMessengerEvent: writes lost to a race', () => {
  it('tells the person the link is no longer valid when the takeover they agreed to was replaced meanwhile', async () => {
    const w = world();
    await w.subscribe();
    await w.subscribers.offerTakeover('acme', 'c1', {
      address: 'psid-2',
      enrollmentId: 'enr-2',
      locale: 'en_US',
    });
    // Between reading the offer and taking over, another person's offer replaced it.
    const racing = Object.create(w.subscribers) as FakeSubscriberStore;
    racing.takeOver = async (bankId, customerId, pending, consent) => {
      await w.subscribers.offerTakeover(bankId, customerId, {
        address: 'psid-3',
        enrollmentId: 'enr-3',
        locale: 'en_US',
      });
      return w.subscribers.takeOver(bankId, customerId, pending, consent);
    };
    const outcome = await w.handle(w.tap('psid-2', PAYLOADS.agree('enr-2')), {
      ...w.ports,
      subscribers: racing,
    });
    expect(outcome).toBe('link_invalid');
    expect(w.messenger.textsTo('psid-2')).toEqual([EN.linkInvalid]);
    // The subscription stays with the first person, who is told nothing.
    expect(await w.subscribers.get('acme', 'c1')).toMatchObject({ address: 'psid-1', status: 'active' });
    expect(w.messenger.textsTo('psid-1')).toEqual([]);
  });

  it('sends no “alerts moved” notice when the person taking over is the one already subscribed', async () => {
    const w = world();
    await w.subscribe();
    await w.subscribers.offerTakeover('acme', 'c1', {
      address: 'psid-1',
      enrollmentId: 'enr-2',
      locale: 'en_US',
    });
    expect(await w.handle(w.tap('psid-1', PAYLOADS.agree('enr-2')))).toBe('consented');
    expect(w.messenger.textsTo('psid-1')).toEqual([EN.consentConfirmed('ACME Bank')]);
    expect(await w.subscribers.get('acme', 'c1')).toMatchObject({ enrollmentId: 'enr-2', status: 'active' });
  });

  it('sends no consent request on START when another START restored the subscription first', async () => {
    const w = world();
    await w.subscribe({ status: 'revoked' });
    const racing = Object.create(w.subscribers) as FakeSubscriberStore;
    racing.changeStatus = async (...args) => {
      await w.subscribers.changeStatus('acme', 'c1', ['revoked'], 'pending_consent');
      return w.subscribers.changeStatus(...args);
    };
    expect(await w.handle(w.text('psid-1', 'START'), { ...w.ports, subscribers: racing })).toBe('restarted');
    expect(w.messenger.sent).toEqual([]);
    expect((await w.subscribers.get('acme', 'c1'))?.status).toBe('pending_consent');
  });

  it('refuses an answer that lost to the expiry of the check, and tells the person it is closed', async () => {
    const w = world();
    await w.subscribe();
    await w.alerts.createOnce(alert('a1'));
    await w.alerts.claimSend('a1', new Date(NOW));
    await w.alerts.markSent('a1', {
      address: 'psid-1',
      messageId: 'm1',
      sentAt: NOW,
      deadline: '2026-03-01T12:30:00.000Z',
    });
    const racing = Object.create(w.alerts) as FakeAlertStore;
    racing.answer = async (...args) => {
      await w.alerts.expire('a1', new Date('2026-03-01T12:30:00.000Z'));
      return w.alerts.answer(...args);
    };
    expect(await w.handle(w.tap('psid-1', PAYLOADS.no('ref-a1')), { ...w.ports, alerts: racing })).toBe(
      'answer_late',
    );
    expect(w.messenger.textsTo('psid-1')).toEqual([EN.closed]);
    expect((await w.alerts.get('a1'))?.status).toBe('expired');
  });
});

describe('handleMessengerEvent: answers', () => {
  it('says the answer covers every payment of the check when others joined it', async () => {
    const w = world();
    await w.subscribe();
    const now = new Date(NOW);
    await w.alerts.fileFraudCheck(alert('a1'), now);
    await w.alerts.fileFraudCheck(alert('a2'), now);
    await w.alerts.fileFraudCheck(alert('a3'), now);
    await w.alerts.claimSend('a1', now);
    await w.alerts.markSent('a1', {
      address: 'psid-1',
      messageId: 'm1',
      sentAt: NOW,
      deadline: '2026-03-01T13:00:00.000Z',
    });
    expect(await w.handle(w.tap('psid-1', PAYLOADS.yes('ref-a1')))).toBe('confirmed');
    expect(w.messenger.textsTo('psid-1')).toEqual([`${EN.confirmed}${EN.covers(3)}`]);
  });

  it('names a bank missing from the directory by its id rather than failing', async () => {
    const w = world();
    await w.subscribe({ bankId: 'initech', status: 'pending_consent' });
    expect(await w.handle(w.tap('psid-1', PAYLOADS.agree('enr-1')))).toBe('consented');
    expect(w.messenger.textsTo('psid-1')).toEqual([EN.consentConfirmed('initech')]);
  });
});

describe('handleMessengerEvent with the customer controls wired', () => {
  async function wired() {
    const w = world();
    await w.subscribe();
    const controls = {
      preferences: new FakePreferenceStore(),
      thresholds: new FakeThresholdStore(),
      outbox: new FakeCallbackOutbox(),
    };
    return { ...w, controls, withControls: { ...w.ports, controls } };
  }

  it('hands a control command to the controls, which ask the person to confirm', async () => {
    const w = await wired();
    expect(await w.handle(w.text('psid-1', 'TRAVEL Spain 2026-03-10'), w.withControls)).toBe('control_asked');
    const asked = w.messenger.sent.at(-1);
    expect(asked && 'message' in asked && asked.message.quickReplies?.[0]?.payload).toBe(
      'TRAVEL_SET:ES/2026-03-10',
    );
    expect(await w.controls.preferences.get('acme', 'c1')).toBeUndefined();
  });

  it('hands a control quick reply to the controls, which store the notice and tell the bank', async () => {
    const w = await wired();
    expect(await w.handle(w.tap('psid-1', 'TRAVEL_SET:ES/2026-03-10'), w.withControls)).toBe('control_set');
    expect(await w.controls.preferences.get('acme', 'c1')).toMatchObject({
      travel: { country: 'ES', until: '2026-03-11T00:00:00.000Z' },
    });
    expect(await w.controls.outbox.due('acme', new Date('2030-01-01'), 10)).toHaveLength(1);
    // A forged payload is not understood and stores nothing more.
    expect(await w.handle(w.tap('psid-1', 'TRAVEL_SET:<b>/2026-03-10'), w.withControls)).toBe(
      'control_cancelled',
    );
  });

  it('still answers STOP and alerts as before, not as controls', async () => {
    const w = await wired();
    expect(await w.handle(w.text('psid-1', 'STOP'), w.withControls)).toBe('stopped');
    expect(await w.handle(w.text('psid-1', 'hello'), w.withControls)).toBe('unknown');
  });
});

describe('handleMessengerEvent when a control’s store fails', () => {
  it('fails the delivery so Meta redelivers it; the redelivery sets the notice and tells the bank once', async () => {
    const w = world();
    await w.subscribe();
    const controls = {
      preferences: new FakePreferenceStore(),
      thresholds: new FakeThresholdStore(),
      outbox: new FakeCallbackOutbox(),
    };
    const failingOutbox = Object.create(controls.outbox) as FakeCallbackOutbox;
    failingOutbox.enqueue = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    const tap = w.tap('psid-1', 'TRAVEL_SET:ES/2026-03-10');
    await expect(
      w.handle(tap, { ...w.ports, controls: { ...controls, outbox: failingOutbox } }),
    ).rejects.toThrow(/Throughput/);
    expect(w.inbound.claimed.size).toBe(0);
    expect(await w.handle(tap, { ...w.ports, controls })).toBe('control_set');
    expect(await controls.outbox.due('acme', new Date('2030-01-01'), 10)).toHaveLength(1);
    expect(await w.handle(tap, { ...w.ports, controls })).toBe('duplicate');
  });
});
