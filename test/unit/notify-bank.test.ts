import { describe, expect, it } from 'vitest';
import { InMemoryCompromisedMerchants } from '../../shared/adapters/in-memory-compromised-merchants.ts';
import { InMemoryThresholdStore } from '../../shared/adapters/in-memory-threshold-store.ts';
import { subscriberRef } from '../../shared/domain/bank-callback.ts';
import { type NotifyBankPorts, notifyBank } from '../../shared/domain/notify-bank.ts';
import type { Subscriber } from '../../shared/domain/subscriber.ts';
import { alert } from '../fixtures/alerts.ts';
import { FakeCallbackOutbox, FakeErasureMarkers, FixedClock } from '../support/fakes/index.ts';

const REF_KEY = 'subscriber-ref-key';

function world() {
  const outbox = new FakeCallbackOutbox();
  const erasures = new FakeErasureMarkers();
  let keyReads = 0;
  const ports: NotifyBankPorts = {
    outbox,
    erasures,
    clock: new FixedClock('2026-11-29T10:00:00.000Z'),
    subscriberRefKey: async () => {
      keyReads++;
      return REF_KEY;
    },
    fraudFeedback: {
      merchants: new InMemoryCompromisedMerchants(),
      thresholds: new InMemoryThresholdStore(),
      reporterKey: async () => 'reporter-key-of-the-unit-tests-0123',
    },
  };
  return { ports, outbox, erasures, keyReads: () => keyReads };
}

const subscriber = (status: Subscriber['status'], extra: Partial<Subscriber> = {}): Subscriber => ({
  bankId: 'acme',
  customerId: 'cus_1',
  address: 'psid_1',
  status,
  locale: 'en_US',
  enrollmentId: 'enr_1',
  updatedAt: '2026-11-29T10:00:00Z',
  ...extra,
});

describe('notifyBank: status changes become queued callbacks (docs/contract.md#callbacks)', () => {
  it('queues alert.confirmed when the customer confirms, once however often the record comes', async () => {
    const w = world();
    const change = { before: alert('sent'), after: alert('confirmed') };
    const first = await notifyBank(change, w.ports);
    expect(first).toMatchObject({
      type: 'queued',
      callbacks: [{ bankId: 'acme', type: 'alert.confirmed', stored: true }],
    });
    const again = await notifyBank(change, w.ports);
    expect(again).toMatchObject({ type: 'queued', callbacks: [{ stored: false }] });
    const deliveryId = first.type === 'queued' ? (first.callbacks[0]?.deliveryId ?? '') : '';
    const stored = await w.outbox.get(deliveryId);
    expect(stored).toMatchObject({ status: 'pending', bankId: 'acme', type: 'alert.confirmed', attempts: 0 });
    expect(stored?.createdAt).toBe('2026-11-29T10:00:00.000Z');
    // The subscriberRef key is only read for subscription changes.
    expect(w.keyReads()).toBe(0);
  });

  it('queues nothing for the alerts table bookkeeping items, removals, or changes the bank is not told', async () => {
    const w = world();
    const openCheck = { alertId: 'acme#open-check#cus_1' };
    expect(await notifyBank({ after: openCheck }, w.ports)).toEqual({ type: 'nothing' });
    expect(await notifyBank({ before: openCheck }, w.ports)).toEqual({ type: 'nothing' });
    expect(await notifyBank({ before: alert('sent') }, w.ports)).toEqual({ type: 'nothing' });
    expect(await notifyBank({ before: alert('sent'), after: alert('sent') }, w.ports)).toEqual({
      type: 'nothing',
    });
    expect(await notifyBank({}, w.ports)).toEqual({ type: 'nothing' });
    expect(await w.outbox.due('acme', new Date('2030-01-01T00:00:00Z'), 10)).toEqual([]);
  });

  it('drops the callbacks of an alert whose customer was erased after its event arrived, and keeps later ones', async () => {
    const w = world();
    await w.erasures.mark('er_1', new Date('2026-11-29T09:30:00Z'));
    const before = { erasureRef: 'er_1', receivedAt: '2026-11-29T09:00:00Z' };
    const dropped = await notifyBank(
      { before: alert('sent', before), after: alert('confirmed', before) },
      w.ports,
    );
    expect(dropped).toEqual({ type: 'erased', bankId: 'acme', callbackType: 'alert.confirmed' });
    const after = { erasureRef: 'er_1', receivedAt: '2026-11-29T09:45:00Z' };
    const kept = await notifyBank(
      { before: alert('sent', after), after: alert('confirmed', after) },
      w.ports,
    );
    expect(kept).toMatchObject({ type: 'queued', callbacks: [{ type: 'alert.confirmed', stored: true }] });
  });

  it('queues customer.subscribed with the subscriberRef, never the PSID, when a consent makes it active', async () => {
    const w = world();
    const outcome = await notifyBank(
      {
        before: subscriber('pending_consent'),
        after: subscriber('active', { consentedAt: '2026-11-29T10:00:00Z' }),
      },
      w.ports,
    );
    expect(outcome).toMatchObject({
      type: 'queued',
      callbacks: [{ type: 'customer.subscribed', stored: true }],
    });
    const id = outcome.type === 'queued' ? (outcome.callbacks[0]?.deliveryId ?? '') : '';
    const body = (await w.outbox.get(id))?.body ?? '';
    expect(body).toContain(subscriberRef(REF_KEY, 'messenger', 'psid_1'));
    expect(body).not.toContain('psid_1');
    expect(w.keyReads()).toBe(1);
  });

  it('queues customer.unsubscribed when an active subscription is erased (a removal), and nothing for a refused consent', async () => {
    const w = world();
    const erased = await notifyBank({ before: subscriber('active') }, w.ports);
    expect(erased).toMatchObject({ type: 'queued', callbacks: [{ type: 'customer.unsubscribed' }] });
    expect(await notifyBank({ before: subscriber('pending_consent') }, w.ports)).toEqual({ type: 'nothing' });
  });

  it('queues one callback per member when a fraud check closes', async () => {
    const w = world();
    const member = {
      transactionId: 'txn_2',
      score: 70,
      reasons: [],
      display: alert('grouped').display,
      joinedAt: '2026-11-29T09:59:30Z',
    };
    const check = { checkId: 'acme#txn#txn_1', members: { 'acme#txn#txn_2': member } };
    const outcome = await notifyBank(
      { before: alert('sent', check), after: alert('disputed', check) },
      w.ports,
    );
    expect(outcome).toMatchObject({
      type: 'queued',
      callbacks: [{ type: 'alert.disputed' }, { type: 'alert.disputed' }],
    });
    const ids = outcome.type === 'queued' ? outcome.callbacks.map((c) => c.deliveryId) : [];
    expect(new Set(ids).size).toBe(2);
  });
});
