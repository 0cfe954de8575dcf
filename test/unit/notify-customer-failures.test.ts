import { describe, expect, it } from 'vitest';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import {
  type NotifyCustomerPorts,
  notifyCustomer,
  sendFollowUp,
} from '../../shared/domain/notify-customer.ts';
import { SendApiError } from '../../shared/ports/messenger.ts';
import {
  FakeAlertStore,
  FakeBankDirectory,
  FakeErasureMarkers,
  FakeMessenger,
  FakeSubscriberStore,
  FixedClock,
} from '../support/fakes/index.ts';

// Failures the Send API reports without Meta's error code, a bank missing from the directory,
// and an alert store that fails while the alert is sent.

const NOW = '2026-03-01T12:00:00.000Z';

function world(maxAttempts = 1) {
  const clock = new FixedClock(NOW);
  const messenger = new FakeMessenger();
  const ports: NotifyCustomerPorts = {
    alerts: new FakeAlertStore(),
    subscribers: new FakeSubscriberStore(() => clock.now()),
    banks: new FakeBankDirectory([]),
    channels: { messenger: new MessengerChannel(messenger) },
    clock,
    erasures: new FakeErasureMarkers(),
    sleep: async (ms) => clock.advance(ms),
    remainingMs: () => 0,
    maxAttempts,
  };
  return {
    ports,
    clock,
    alerts: ports.alerts as FakeAlertStore,
    messenger,
    subscribers: ports.subscribers as FakeSubscriberStore,
  };
}

function anAlert(id = 'acme#txn#t1', changes: Partial<Alert> = {}): Alert {
  return {
    alertId: id,
    ref: `ref-${id}`,
    bankId: 'acme',
    customerId: 'c1',
    customerKey: 'acme#c1',
    kind: 'fraud_check',
    status: 'pending',
    eventId: `evt-${id}`,
    transactionId: id,
    reasons: [],
    display: {
      cardLast4: '4242',
      amount: 12500,
      currency: 'EUR',
      merchantName: 'Night Shop',
      merchantCountry: 'FR',
      occurredAt: NOW,
    },
    createdAt: NOW,
    expiresAt: 1_800_000_000,
    ...changes,
  };
}

async function subscribed(w: ReturnType<typeof world>) {
  await w.subscribers.save({
    bankId: 'acme',
    customerId: 'c1',
    address: 'psid-1',
    status: 'active',
    locale: 'en_US',
    enrollmentId: 'enr-1',
    updatedAt: NOW,
    lastInboundAt: '2026-03-01T11:00:00.000Z',
  });
}

describe('notifyCustomer without Meta’s error code', () => {
  it('names the HTTP status in the reason when the last attempt gives up on a transient failure', async () => {
    const w = world(1);
    await subscribed(w);
    const alert = anAlert();
    await w.alerts.fileFraudCheck(alert, new Date(NOW));
    w.messenger.failNext(new SendApiError('Service Unavailable', 503, undefined, undefined, true));
    expect(await notifyCustomer(alert, w.ports)).toEqual({
      status: 'undeliverable',
      reason: 'send_error_503',
    });
    expect(await w.alerts.get(alert.alertId)).toMatchObject({
      status: 'undeliverable',
      undeliverableReason: 'send_error_503',
    });
  });
});

describe('notifyCustomer when the alert store fails', () => {
  it('propagates a failed “sent” write after the send, and never sends twice on the retry', async () => {
    const w = world(3);
    await subscribed(w);
    const alert = anAlert();
    await w.alerts.fileFraudCheck(alert, new Date(NOW));
    const failing = Object.create(w.alerts) as FakeAlertStore;
    failing.markSent = async () => {
      throw new Error('InternalServerError');
    };
    await expect(notifyCustomer(alert, { ...w.ports, alerts: failing })).rejects.toThrow(
      'InternalServerError',
    );
    expect(w.messenger.sent).toHaveLength(1);
    // The message reached the customer: the stream's retry finds the send claimed and sends nothing.
    expect(await notifyCustomer(alert, w.ports)).toEqual({ status: 'skipped', reason: 'claimed' });
    expect(w.messenger.sent).toHaveLength(1);
    expect(await w.alerts.get(alert.alertId)).toMatchObject({ status: 'pending', sendClaimedAt: NOW });
  });
});

describe('sendFollowUp for a bank missing from the directory', () => {
  it('names the bank by its id and applies the default hourly ceiling', async () => {
    const w = world(3);
    await subscribed(w);
    const check = anAlert();
    await w.alerts.fileFraudCheck(check, new Date(NOW));
    expect(await notifyCustomer(check, { ...w.ports, remainingMs: () => 60_000 })).toMatchObject({
      status: 'sent',
    });
    await w.alerts.fileFraudCheck(anAlert('acme#txn#t2'), new Date(NOW));
    const stored = (await w.alerts.get(check.alertId)) as Alert;
    expect(await sendFollowUp(stored, w.ports)).toEqual({ status: 'sent', payments: 1 });
    expect(w.messenger.textsTo('psid-1').at(-1)).toMatch(
      /^acme: 1 more payment since: €125\.00 at Night Shop\./,
    );
  });
});
