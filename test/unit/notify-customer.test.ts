import { describe, expect, it } from 'vitest';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import type { BankProfile } from '../../shared/domain/bank-profile.ts';
import {
  backoffMs,
  type NotifyCustomerPorts,
  notifyCustomer,
  SendRetryLaterError,
  sendFollowUp,
} from '../../shared/domain/notify-customer.ts';
import { PAYLOADS } from '../../shared/domain/render-message.ts';
import type { Subscriber } from '../../shared/domain/subscriber.ts';
import { SendApiError } from '../../shared/ports/messenger.ts';
import {
  FakeAlertStore,
  FakeBankDirectory,
  FakeErasureMarkers,
  FakeMessenger,
  FakeSubscriberStore,
  FixedClock,
} from '../support/fakes/index.ts';

const NOW = '2026-03-01T12:00:00.000Z';
const HOUR = 60 * 60 * 1000;
const ACME: BankProfile = {
  bankId: 'acme',
  name: 'ACME Bank',
  alertExpiryMinutes: 15,
  timeZone: 'Europe/Paris',
};
const TEMPLATE = {
  name: 'fraud_check_v2',
  language: 'en_US',
  parameters: ['bankName', 'cardLast4', 'merchant'] as const,
};

const transient = () => new SendApiError('rate limited', 500, 2, undefined, true);
const permanent = (code?: number) => new SendApiError('cannot message', 400, code, undefined, false);

function world(options: { banks?: BankProfile[]; remainingMs?: number; maxAttempts?: number } = {}) {
  const clock = new FixedClock(NOW);
  const waits: number[] = [];
  const erasures = new FakeErasureMarkers();
  const messenger = new FakeMessenger();
  const ports: NotifyCustomerPorts = {
    alerts: new FakeAlertStore(),
    subscribers: new FakeSubscriberStore(() => clock.now()),
    banks: new FakeBankDirectory(options.banks ?? [ACME]),
    channels: { messenger: new MessengerChannel(messenger) },
    clock,
    erasures,
    sleep: async (ms) => {
      waits.push(ms);
      clock.advance(ms);
    },
    remainingMs: () => options.remainingMs ?? 60_000,
    maxAttempts: options.maxAttempts ?? 3,
  };
  return {
    ports,
    clock,
    waits,
    erasures,
    alerts: ports.alerts as FakeAlertStore,
    subscribers: ports.subscribers as FakeSubscriberStore,
    messenger,
  };
}

function anAlert(changes: Partial<Alert> = {}): Alert {
  return {
    alertId: 'acme#txn#t1',
    ref: 'opaque-ref-1',
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
      occurredAt: '2026-03-01T11:58:00.000Z',
    },
    createdAt: NOW,
    expiresAt: 1_800_000_000,
    ...changes,
  };
}

function aSubscriber(changes: Partial<Subscriber> = {}): Subscriber {
  return {
    bankId: 'acme',
    customerId: 'c1',
    address: 'psid-1',
    status: 'active',
    locale: 'en_US',
    enrollmentId: 'enr-1',
    updatedAt: NOW,
    lastInboundAt: new Date(Date.parse(NOW) - HOUR).toISOString(),
    ...changes,
  };
}

/** The alert stored, its subscriber saved: what the stream hands to notifyCustomer. */
async function given(
  w: ReturnType<typeof world>,
  alert = anAlert(),
  subscriber: Subscriber | null = aSubscriber(),
) {
  await w.alerts.createOnce(alert);
  if (subscriber) await w.subscribers.save(subscriber);
  return alert;
}

describe('notifyCustomer inside the 24 h window', () => {
  it('sends the fraud check as an UPDATE with Yes/No on the opaque ref, and records the deadline', async () => {
    const w = world();
    const alert = await given(w);
    expect(await notifyCustomer(alert, w.ports)).toEqual({
      status: 'sent',
      messagingType: 'UPDATE',
      tries: 1,
    });
    expect(w.messenger.sent).toHaveLength(1);
    const [request] = w.messenger.sent;
    expect(request).toMatchObject({ psid: 'psid-1', messagingType: 'UPDATE' });
    const message = request && 'message' in request ? request.message : undefined;
    expect(message?.text).toContain('ACME Bank');
    expect(message?.text).toContain('4242');
    expect(message?.quickReplies?.map((q) => q.payload)).toEqual([
      PAYLOADS.yes('opaque-ref-1'),
      PAYLOADS.no('opaque-ref-1'),
    ]);
    // The alert id holds the bank's transaction id: it never goes to Messenger.
    expect(JSON.stringify(request)).not.toContain('t1');
    expect(await w.alerts.get(alert.alertId)).toMatchObject({
      status: 'sent',
      address: 'psid-1',
      messageId: 'm_1',
      sentAt: NOW,
      deadline: '2026-03-01T12:15:00.000Z',
    });
  });

  it('gives a low-balance notice no deadline and no buttons', async () => {
    const w = world();
    const alert = await given(
      w,
      anAlert({
        alertId: 'acme#balance#evt-2',
        kind: 'low_balance',
        display: { accountLast4: '9876', available: 500, currency: 'EUR', occurredAt: NOW },
      }),
    );
    expect(await notifyCustomer(alert, w.ports)).toMatchObject({ status: 'sent', messagingType: 'UPDATE' });
    const stored = await w.alerts.get(alert.alertId);
    expect(stored?.status).toBe('sent');
    expect(stored).not.toHaveProperty('deadline');
    const [request] = w.messenger.sent;
    expect(request && 'message' in request && request.message.quickReplies).toBeUndefined();
  });

  it('uses the bank id and the default hour for a bank with no profile', async () => {
    const w = world({ banks: [] });
    const alert = await given(w);
    await notifyCustomer(alert, w.ports);
    const [request] = w.messenger.sent;
    expect(request && 'message' in request && request.message.text).toContain('acme');
    expect((await w.alerts.get(alert.alertId))?.deadline).toBe('2026-03-01T13:00:00.000Z');
  });
});

describe('notifyCustomer outside the 24 h window', () => {
  const outside = { lastInboundAt: new Date(Date.parse(NOW) - 24 * HOUR).toISOString() };

  it('treats the window as closed at exactly 24 h and open 1 ms before', async () => {
    const open = world({ banks: [ACME] });
    const justInside = await given(
      open,
      anAlert(),
      aSubscriber({ lastInboundAt: new Date(Date.parse(NOW) - 24 * HOUR + 1).toISOString() }),
    );
    expect(await notifyCustomer(justInside, open.ports)).toMatchObject({
      status: 'sent',
      messagingType: 'UPDATE',
    });

    const closed = world({ banks: [ACME] });
    const atLimit = await given(closed, anAlert(), aSubscriber(outside));
    expect(await notifyCustomer(atLimit, closed.ports)).toEqual({
      status: 'undeliverable',
      reason: 'outside_window',
    });
    expect(closed.messenger.sent).toEqual([]);
    expect(await closed.alerts.get(atLimit.alertId)).toMatchObject({
      status: 'undeliverable',
      undeliverableReason: 'outside_window',
    });
  });

  it('sends the bank utility template, filled in the order of its parameters', async () => {
    const w = world({ banks: [{ ...ACME, utilityTemplate: TEMPLATE }] });
    const alert = await given(w, anAlert(), aSubscriber(outside));
    expect(await notifyCustomer(alert, w.ports)).toEqual({
      status: 'sent',
      messagingType: 'UTILITY',
      tries: 1,
    });
    expect(w.messenger.sent).toEqual([
      {
        psid: 'psid-1',
        messagingType: 'UTILITY',
        template: {
          name: 'fraud_check_v2',
          language: 'en_US',
          parameters: ['ACME Bank', '4242', 'Night Shop (FR)'],
        },
      },
    ]);
  });

  it('never sends a low-balance notice as a template, and a customer who never wrote gets none', async () => {
    const w = world({ banks: [{ ...ACME, utilityTemplate: TEMPLATE }] });
    const notice = await given(
      w,
      anAlert({
        alertId: 'acme#balance#e',
        kind: 'low_balance',
        display: { accountLast4: '1', available: 1, currency: 'EUR', occurredAt: NOW },
      }),
      aSubscriber(outside),
    );
    expect(await notifyCustomer(notice, w.ports)).toEqual({
      status: 'undeliverable',
      reason: 'outside_window',
    });

    const silent = world();
    const { lastInboundAt: _, ...neverWrote } = aSubscriber();
    const alert = await given(silent, anAlert(), neverWrote);
    expect(await notifyCustomer(alert, silent.ports)).toEqual({
      status: 'undeliverable',
      reason: 'outside_window',
    });
    expect([...w.messenger.sent, ...silent.messenger.sent]).toEqual([]);
  });
});

describe('notifyCustomer consent and state', () => {
  it.each(['pending_consent', 'revoked'] as const)('sends nothing to a %s subscription', async (status) => {
    const w = world();
    const alert = await given(w, anAlert(), aSubscriber({ status }));
    expect(await notifyCustomer(alert, w.ports)).toEqual({
      status: 'undeliverable',
      reason: 'not_subscribed',
    });
    expect(w.messenger.sent).toEqual([]);
    expect((await w.alerts.get(alert.alertId))?.status).toBe('undeliverable');
  });

  it('sends nothing to a customer with no subscription', async () => {
    const w = world();
    const alert = await given(w, anAlert(), null);
    expect(await notifyCustomer(alert, w.ports)).toEqual({
      status: 'undeliverable',
      reason: 'not_subscribed',
    });
    expect(w.messenger.sent).toEqual([]);
  });

  it('skips a record that is no longer pending', async () => {
    const w = world();
    const alert = await given(w);
    expect(await notifyCustomer({ ...alert, status: 'sent' }, w.ports)).toEqual({
      status: 'skipped',
      reason: 'not_pending',
    });
    expect(w.messenger.sent).toEqual([]);
  });

  it('sends once when the same record is delivered twice, one after the other or at once', async () => {
    const w = world();
    const alert = await given(w);
    const outcomes = await Promise.all([notifyCustomer(alert, w.ports), notifyCustomer(alert, w.ports)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['sent', 'skipped']);
    expect(await notifyCustomer(alert, w.ports)).toEqual({ status: 'skipped', reason: 'claimed' });
    expect(w.messenger.sent).toHaveLength(1);
  });

  it('forgets the alert and sends nothing when the customer was erased after the event arrived', async () => {
    const w = world();
    const alert = await given(w, anAlert({ erasureRef: 'er_1', receivedAt: '2026-03-01T11:59:00.000Z' }));
    await w.erasures.mark('er_1', new Date('2026-03-01T11:59:30.000Z'));
    expect(await notifyCustomer(alert, w.ports)).toEqual({ status: 'skipped', reason: 'erased' });
    expect(w.erasures.forgotten).toEqual([alert.alertId]);
    expect(w.messenger.sent).toEqual([]);
  });

  it('notifies a customer whose erasure came before the event (a fresh subscription)', async () => {
    const w = world();
    const alert = await given(w, anAlert({ erasureRef: 'er_1', receivedAt: '2026-03-01T11:59:00.000Z' }));
    await w.erasures.mark('er_1', new Date('2026-03-01T11:00:00.000Z'));
    expect(await notifyCustomer(alert, w.ports)).toMatchObject({ status: 'sent' });
    expect(w.erasures.forgotten).toEqual([]);
  });
});

describe('notifyCustomer on Send API errors', () => {
  it('retries a transient error after a backoff within the invocation', async () => {
    const w = world();
    w.messenger.failNext(transient(), transient());
    const alert = await given(w);
    expect(await notifyCustomer(alert, w.ports)).toEqual({
      status: 'sent',
      messagingType: 'UPDATE',
      tries: 3,
    });
    expect(w.messenger.sent).toHaveLength(3);
    expect(w.waits).toHaveLength(2);
    expect(w.waits[0]).toBeLessThan(400);
    expect(w.waits[1]).toBeLessThan(800);
    // The deadline counts from the send that worked, not from the first try.
    const stored = await w.alerts.get(alert.alertId);
    expect(stored?.sentAt).toBe(w.clock.now().toISOString());
    expect(Date.parse(stored?.deadline ?? '') - Date.parse(stored?.sentAt ?? '')).toBe(15 * 60_000);
  });

  it.each([
    [551, 'send_error_551'],
    [undefined, 'send_error_400'],
  ])('gives up at once on a permanent error (code %s)', async (code, reason) => {
    const w = world();
    w.messenger.failNext(permanent(code));
    const alert = await given(w);
    expect(await notifyCustomer(alert, w.ports)).toEqual({ status: 'undeliverable', reason });
    expect(w.messenger.sent).toHaveLength(1);
    expect(w.waits).toEqual([]);
    expect(await w.alerts.get(alert.alertId)).toMatchObject({
      status: 'undeliverable',
      undeliverableReason: reason,
    });
  });

  it('hands a transient failure back to the stream when the invocation runs out, releasing the claim', async () => {
    const w = world({ remainingMs: 3000, maxAttempts: 3 });
    w.messenger.failNext(transient());
    const alert = await given(w);
    await expect(notifyCustomer(alert, w.ports)).rejects.toBeInstanceOf(SendRetryLaterError);
    expect(w.waits).toEqual([]);
    const stored = await w.alerts.get(alert.alertId);
    expect(stored?.status).toBe('pending');
    expect(stored).not.toHaveProperty('sendClaimedAt');
    // The stream's next try claims it again (attempt 2) and sends.
    expect(await notifyCustomer(alert, w.ports)).toMatchObject({ status: 'sent', tries: 1 });
  });

  it('gives up on the last attempt the stream allows', async () => {
    const w = world({ remainingMs: 3000, maxAttempts: 2 });
    w.messenger.failNext(transient(), transient());
    const alert = await given(w);
    await expect(notifyCustomer(alert, w.ports)).rejects.toBeInstanceOf(SendRetryLaterError);
    expect(await notifyCustomer(alert, w.ports)).toEqual({ status: 'undeliverable', reason: 'send_error_2' });
    expect(w.messenger.sent).toHaveLength(2);
  });

  it('releases the claim and rethrows an error that is not the Send API’s', async () => {
    const w = world();
    const failure = new TypeError('fetch failed');
    w.messenger.failNext(failure);
    const alert = await given(w);
    await expect(notifyCustomer(alert, w.ports)).rejects.toBe(failure);
    const stored = await w.alerts.get(alert.alertId);
    expect(stored?.status).toBe('pending');
    expect(stored).not.toHaveProperty('sendClaimedAt');
  });
});

describe('backoffMs', () => {
  it('is full jitter under 200 ms doubling per retry, capped at 5 s', () => {
    expect(backoffMs(0, () => 0)).toBe(0);
    expect(backoffMs(0, () => 0.999_999)).toBe(199);
    expect(backoffMs(1, () => 0.5)).toBe(200);
    expect(backoffMs(3, () => 0.999_999)).toBe(1599);
    expect(backoffMs(10, () => 0.999_999)).toBe(4999);
    expect(backoffMs(50, () => 0.5)).toBe(2500);
  });
});

/** A fraud check filed and sent, then `count` more transactions of the customer joined it. */
async function sentCheckWithMembers(w: ReturnType<typeof world>, count: number, subscriber = aSubscriber()) {
  await w.subscribers.save(subscriber);
  const check = anAlert();
  await w.alerts.fileFraudCheck(check, w.clock.now());
  expect(await notifyCustomer(check, w.ports)).toMatchObject({ status: 'sent' });
  await join(w, count);
  return check;
}

let joined = 0;
async function join(w: ReturnType<typeof world>, count: number) {
  for (let i = 0; i < count; i++) {
    joined++;
    const member = anAlert({
      alertId: `acme#txn#m${joined}`,
      ref: `ref-m${joined}`,
      transactionId: `m${joined}`,
      display: {
        cardLast4: '4242',
        amount: 100 + joined,
        currency: 'EUR',
        merchantName: `SHOP ${joined}`,
        merchantCountry: 'FR',
        occurredAt: NOW,
      },
    });
    expect((await w.alerts.fileFraudCheck(member, w.clock.now())).checkId).toBe('acme#txn#t1');
  }
}

const stored = async (w: ReturnType<typeof world>) => (await w.alerts.get('acme#txn#t1')) as Alert;

describe('sendFollowUp', () => {
  it('lists what joined the check since its message, once per 10 minutes, with the check’s Yes / No', async () => {
    const w = world();
    await sentCheckWithMembers(w, 3);
    const first = joined - 2;
    expect(await sendFollowUp(await stored(w), w.ports)).toEqual({ status: 'sent', payments: 3 });
    const request = w.messenger.sent.at(-1);
    expect(request).toMatchObject({ psid: 'psid-1', messagingType: 'UPDATE' });
    const message = request && 'message' in request ? request.message : undefined;
    const listed = [first, first + 1, first + 2].map((n) => `€${((100 + n) / 100).toFixed(2)} at SHOP ${n}`);
    expect(message?.text).toBe(
      `ACME Bank: 3 more payments since: ${listed.join(', ')}. Was this you? Your answer covers them all.`,
    );
    expect(message?.quickReplies?.map((q) => q.payload)).toEqual([
      PAYLOADS.yes('opaque-ref-1'),
      PAYLOADS.no('opaque-ref-1'),
    ]);
    // Already summarised: nothing new to say.
    expect(await sendFollowUp(await stored(w), w.ports)).toEqual({
      status: 'skipped',
      reason: 'nothing_new',
    });
    // One more joins: too soon for another follow-up, then sent once the gap has passed.
    await join(w, 1);
    expect(await sendFollowUp(await stored(w), w.ports)).toEqual({ status: 'skipped', reason: 'too_soon' });
    w.clock.advance(10 * 60_000);
    expect(await sendFollowUp(await stored(w), w.ports)).toEqual({ status: 'sent', payments: 1 });
    expect(w.messenger.sent).toHaveLength(3);
  });

  it('sends nothing for what is not an open check’s first alert', async () => {
    const w = world();
    await sentCheckWithMembers(w, 1);
    const check = await stored(w);
    const member = (await w.alerts.get(`acme#txn#m${joined}`)) as Alert;
    for (const alert of [
      member,
      { ...check, status: 'pending' as const },
      { ...check, status: 'disputed' as const },
      { ...check, kind: 'low_balance' as const },
    ]) {
      expect(await sendFollowUp(alert, w.ports)).toEqual({ status: 'skipped', reason: 'not_open' });
    }
    expect(w.messenger.sent).toHaveLength(1);
  });

  it('sends nothing to a stopped, moved, erased or silent customer, and keeps the members for later', async () => {
    const stopped = world();
    await sentCheckWithMembers(stopped, 1);
    await stopped.subscribers.save(aSubscriber({ status: 'revoked' }));
    expect(await sendFollowUp(await stored(stopped), stopped.ports)).toEqual({
      status: 'skipped',
      reason: 'not_subscribed',
    });
    const moved = world();
    await sentCheckWithMembers(moved, 1);
    await moved.subscribers.save(aSubscriber({ address: 'psid-2' }));
    expect(await sendFollowUp(await stored(moved), moved.ports)).toMatchObject({ reason: 'not_subscribed' });
    const silent = world();
    await sentCheckWithMembers(silent, 1);
    silent.clock.advance(24 * HOUR);
    expect(await sendFollowUp(await stored(silent), silent.ports)).toEqual({
      status: 'skipped',
      reason: 'outside_window',
    });
    const erased = world();
    await erased.subscribers.save(aSubscriber());
    const check = anAlert({ erasureRef: 'er_1', receivedAt: '2026-03-01T11:59:00.000Z' });
    await erased.alerts.fileFraudCheck(check, erased.clock.now());
    await notifyCustomer(check, erased.ports);
    await join(erased, 1);
    await erased.erasures.mark('er_1', new Date('2026-03-01T11:59:30.000Z'));
    expect(await sendFollowUp(await stored(erased), erased.ports)).toEqual({
      status: 'skipped',
      reason: 'erased',
    });
    for (const w of [stopped, moved, silent, erased]) {
      expect(w.messenger.sent).toHaveLength(1);
      expect((await stored(w)).summarized).toBeUndefined();
    }
  });

  it('counts against the hourly ceiling, and a failed send is not retried', async () => {
    const limited = world({ banks: [{ ...ACME, maxMessagesPerHour: 1 }] });
    await sentCheckWithMembers(limited, 2);
    expect(await sendFollowUp(await stored(limited), limited.ports)).toEqual({
      status: 'skipped',
      reason: 'rate_limited',
    });
    expect(limited.messenger.sent).toHaveLength(1);
    const failing = world();
    await sentCheckWithMembers(failing, 2);
    failing.messenger.failNext(permanent(551));
    expect(await sendFollowUp(await stored(failing), failing.ports)).toEqual({
      status: 'skipped',
      reason: 'send_failed',
    });
    await join(failing, 1);
    failing.clock.advance(10 * 60_000);
    failing.messenger.failNext(new Error('socket hang up'));
    await expect(sendFollowUp(await stored(failing), failing.ports)).rejects.toThrow('socket hang up');
  });
});

describe('notifyCustomer under the hourly ceiling', () => {
  it('gives up on a new check past the bank’s messages per hour: the bank still gets its outcome', async () => {
    const w = world({ banks: [{ ...ACME, maxMessagesPerHour: 1 }] });
    await w.subscribers.save(aSubscriber());
    const first = anAlert();
    await w.alerts.fileFraudCheck(first, w.clock.now());
    expect(await notifyCustomer(first, w.ports)).toMatchObject({ status: 'sent' });
    expect(await w.alerts.answer(first.alertId, 'confirmed', 'psid-1', w.clock.now())).toBe(true);
    const second = anAlert({ alertId: 'acme#txn#t2', ref: 'opaque-ref-2', transactionId: 't2' });
    expect(await w.alerts.fileFraudCheck(second, w.clock.now())).toEqual({
      checkId: second.alertId,
      created: true,
    });
    expect(await notifyCustomer(second, w.ports)).toEqual({
      status: 'undeliverable',
      reason: 'rate_limited',
    });
    expect(await w.alerts.get(second.alertId)).toMatchObject({
      status: 'undeliverable',
      undeliverableReason: 'rate_limited',
    });
    expect(w.messenger.sent).toHaveLength(1);
    // The next hour has room again.
    w.clock.advance(HOUR);
    const third = anAlert({ alertId: 'acme#txn#t3', ref: 'opaque-ref-3', transactionId: 't3' });
    await w.alerts.fileFraudCheck(third, w.clock.now());
    await w.subscribers.save(aSubscriber({ lastInboundAt: w.clock.now().toISOString() }));
    expect(await notifyCustomer(third, w.ports)).toMatchObject({ status: 'sent' });
  });
});
