import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryCompromisedMerchants } from '../../shared/adapters/in-memory-compromised-merchants.ts';
import { InMemoryThresholdStore } from '../../shared/adapters/in-memory-threshold-store.ts';
import { subscriberRef } from '../../shared/domain/bank-callback.ts';
import type { CallbackDelivery } from '../../shared/domain/callback-delivery.ts';
import {
  callbackDeliveryPolicy,
  FIRST_ATTEMPT_TIME_NEEDED_MS,
  firstCallbackAttempts,
} from '../../shared/domain/deliver-callbacks.ts';
import { type NotifyBankPorts, notifyBank } from '../../shared/domain/notify-bank.ts';
import type { Subscriber } from '../../shared/domain/subscriber.ts';
import { alert } from '../fixtures/alerts.ts';
import {
  FakeBankDirectory,
  FakeBankSecrets,
  FakeCallbackOutbox,
  FakeCallbackSender,
  FakeErasureMarkers,
  FixedClock,
} from '../support/fakes/index.ts';

const REF_KEY = 'subscriber-ref-key';
const NOW = '2026-11-29T10:00:00.000Z';
const SECRET = `whsec_${Buffer.from('current-callback-secret-32-bytes!').toString('base64')}`;
const PREVIOUS = `whsec_${Buffer.from('previous-callback-secret-32bytes').toString('base64')}`;

afterEach(() => {
  vi.useRealTimers();
});

function world(options: { secrets?: string[]; timeLeftMs?: number } = {}) {
  const outbox = new FakeCallbackOutbox();
  const erasures = new FakeErasureMarkers();
  const sender = new FakeCallbackSender();
  const clock = new FixedClock(NOW);
  const sendPorts = {
    banks: new FakeBankDirectory(
      ['acme', 'zeta'].map((bankId) => ({
        bankId,
        name: bankId,
        callbackUrl: `https://${bankId}.example/cb`,
      })),
    ),
    secrets: new FakeBankSecrets({
      acme: { callback: options.secrets ?? [SECRET] },
      zeta: { callback: [SECRET] },
    }),
    sender,
    clock,
  };
  const attempts = firstCallbackAttempts(sendPorts);
  let keyReads = 0;
  const ports: NotifyBankPorts = {
    firstAttempt: (delivery) => attempts.attempt(delivery, options.timeLeftMs),
    outbox,
    erasures,
    clock,
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
  const retrier = callbackDeliveryPolicy({ ...sendPorts, outbox });
  /** Every callback deliveryId the outbox holds for a bank, pending, whenever due. */
  const queued = async (bankId = 'acme') => outbox.due(bankId, new Date('2030-01-01T00:00:00Z'), 100);
  const told = () =>
    sender.calls.map((call) => ({
      url: call.url,
      webhookId: call.headers['webhook-id'],
      type: (JSON.parse(call.body) as { type: string }).type,
    }));
  return {
    ports,
    sendPorts,
    outbox,
    erasures,
    sender,
    clock,
    retrier,
    queued,
    told,
    keyReads: () => keyReads,
  };
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

const confirmed = { before: alert('sent'), after: alert('confirmed') };
const idsOf = (outcome: Awaited<ReturnType<typeof notifyBank>>) =>
  outcome.type === 'notified' ? outcome.callbacks.map((c) => c.deliveryId) : [];

describe('notifyBank: the first attempt at each callback, the outbox only for failures (decision 16)', () => {
  it('sends alert.confirmed to a healthy bank at once, signed, and stores nothing', async () => {
    const w = world();
    const outcome = await notifyBank(confirmed, w.ports);
    expect(outcome).toMatchObject({
      type: 'notified',
      callbacks: [{ bankId: 'acme', type: 'alert.confirmed', outcome: 'delivered' }],
    });
    const [id] = idsOf(outcome);
    expect(w.told()).toEqual([{ url: 'https://acme.example/cb', webhookId: id, type: 'alert.confirmed' }]);
    expect(await w.outbox.get(id ?? '')).toBeUndefined();
    expect(await w.queued()).toEqual([]);
    // The subscriberRef key is only read for subscription changes.
    expect(w.keyReads()).toBe(0);
  });

  it.each([
    ['answers 500', 500, 'HTTP 500'],
    [
      'times out',
      Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }),
      'timeout',
    ],
    [
      'refuses the connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'ECONNREFUSED',
    ],
  ] as const)(
    'queues a callback the bank %s for with one attempt counted and the backoff, and the retrier delivers it later the same',
    async (_, answer, error) => {
      const w = world();
      w.sender.answerNext(answer);
      const outcome = await notifyBank(confirmed, w.ports);
      expect(outcome).toMatchObject({ callbacks: [{ outcome: 'queued', reason: error }] });
      const [id = ''] = idsOf(outcome);
      const stored = (await w.outbox.get(id)) as CallbackDelivery;
      expect(stored).toMatchObject({
        status: 'pending',
        bankId: 'acme',
        attempts: 1,
        lastError: error,
        createdAt: NOW,
      });
      // 30 s, with up to 20 % jitter (nextAttemptAfter).
      const wait = Date.parse(stored.nextAttemptAt ?? '') - Date.parse(NOW);
      expect(wait).toBeGreaterThanOrEqual(30_000);
      expect(wait).toBeLessThanOrEqual(36_000);
      // Not due before then; due then, and sent with the same webhook-id and body.
      w.clock.advance(wait - 1);
      expect(await w.retrier.retryDue()).toEqual({ attempted: 0 });
      w.clock.advance(1);
      expect(await w.retrier.retryDue()).toEqual({ attempted: 1 });
      expect(w.sender.calls.map((c) => c.headers['webhook-id'])).toEqual([id, id]);
      expect(w.sender.calls[1]?.body).toBe(w.sender.calls[0]?.body);
      expect(await w.outbox.get(id)).toMatchObject({ status: 'delivered', attempts: 2 });
    },
  );

  it('sends nothing more to a bank that just failed: its next callbacks go to the outbox as they are, other banks still called', async () => {
    const w = world();
    w.sender.answerNext(503);
    await notifyBank(confirmed, w.ports);
    const second = alert('sent', { alertId: 'acme#txn#txn_2', transactionId: 'txn_2' });
    const next = await notifyBank({ before: second, after: { ...second, status: 'disputed' } }, w.ports);
    expect(next).toMatchObject({ callbacks: [{ outcome: 'queued', reason: 'cooling-down' }] });
    const zeta = alert('sent', { alertId: 'zeta#txn#txn_3', bankId: 'zeta', transactionId: 'txn_3' });
    const other = await notifyBank({ before: zeta, after: { ...zeta, status: 'confirmed' } }, w.ports);
    expect(other).toMatchObject({ callbacks: [{ bankId: 'zeta', outcome: 'delivered' }] });
    expect(w.told().map((t) => t.url)).toEqual(['https://acme.example/cb', 'https://zeta.example/cb']);
    // Not tried: no attempt counted; due after the failed one's retry (at most 36 s after the
    // failure), so that the retrier sends the bank's callbacks in their order.
    const [id = ''] = idsOf(next);
    const [failedId = ''] = idsOf(await notifyBank(confirmed, w.ports));
    const failed = await w.outbox.get(failedId);
    const skipped = await w.outbox.get(id);
    expect(skipped).toMatchObject({ attempts: 0, status: 'pending' });
    expect(skipped?.nextAttemptAt).toBe(new Date(Date.parse(NOW) + 37_000).toISOString());
    expect(String(skipped?.nextAttemptAt) > String(failed?.nextAttemptAt)).toBe(true);
    expect((await w.queued()).map((d) => d.deliveryId)).toHaveLength(2);
    expect(await w.queued('zeta')).toEqual([]);
  });

  it('sends a redelivered record once more only from another execution environment: at least once', async () => {
    const w = world();
    const first = await notifyBank(confirmed, w.ports);
    // The same environment remembers what it delivered (a batch retried for another record).
    const again = await notifyBank(confirmed, w.ports);
    expect(again).toMatchObject({ callbacks: [{ outcome: 'delivered' }] });
    expect(idsOf(again)).toEqual(idsOf(first));
    expect(w.sender.calls.map((c) => c.headers['webhook-id'])).toEqual(idsOf(first));
    // A fresh one does not: sent again, under the same webhook-id and body.
    const fresh = firstCallbackAttempts({ ...w.sendPorts });
    await notifyBank(confirmed, { ...w.ports, firstAttempt: (delivery) => fresh.attempt(delivery) });
    expect(w.sender.calls.map((c) => c.headers['webhook-id'])).toEqual([...idsOf(first), ...idsOf(first)]);
    expect(w.sender.calls[1]?.body).toBe(w.sender.calls[0]?.body);
    expect(await w.queued()).toEqual([]);
  });

  it('stores no second item for a redelivered record after a queued failure, and leaves the queued one as it was', async () => {
    const w = world();
    w.sender.answerNext(500);
    const first = await notifyBank(confirmed, w.ports);
    const [id = ''] = idsOf(first);
    const queuedItem = await w.outbox.get(id);
    // The redelivery comes while the bank still fails (the cool-down is per container: a fresh one tries).
    w.clock.advance(60_000);
    w.sender.answerNext(500);
    const again = await notifyBank(confirmed, w.ports);
    expect(again).toMatchObject({
      callbacks: [{ deliveryId: id, outcome: 'already-queued', reason: 'HTTP 500' }],
    });
    expect(await w.outbox.get(id)).toEqual(queuedItem);
    expect(await w.queued()).toHaveLength(1);
  });

  it('tries no callback once the invocation has too little time left: it waits in the outbox, due at once', async () => {
    const w = world({ timeLeftMs: FIRST_ATTEMPT_TIME_NEEDED_MS - 1 });
    const outcome = await notifyBank(confirmed, w.ports);
    expect(outcome).toMatchObject({ callbacks: [{ outcome: 'queued', reason: 'no-time-left' }] });
    expect(w.sender.calls).toEqual([]);
    expect(await w.queued()).toMatchObject([{ attempts: 0, nextAttemptAt: NOW }]);
    expect(await w.retrier.retryDue()).toEqual({ attempted: 1 });
    expect(w.told()).toMatchObject([{ type: 'alert.confirmed' }]);
  });

  it('signs with both callback secrets during a rotation, so that either verifies', async () => {
    const w = world({ secrets: [SECRET, PREVIOUS] });
    await notifyBank(confirmed, w.ports);
    const [call] = w.sender.calls;
    const headers = call?.headers ?? {};
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(NOW));
    for (const secret of [SECRET, PREVIOUS]) {
      expect(new Webhook(secret).verify(call?.body ?? '', headers)).toMatchObject({
        type: 'alert.confirmed',
      });
    }
  });

  it('queues a callback for a bank without a callback URL or secret, and calls no one', async () => {
    const w = world();
    const lost = alert('sent', { alertId: 'gone#txn#txn_1', bankId: 'gone' });
    const outcome = await notifyBank({ before: lost, after: { ...lost, status: 'confirmed' } }, w.ports);
    expect(outcome).toMatchObject({
      callbacks: [{ outcome: 'queued', reason: 'no valid callback URL or callback secret' }],
    });
    expect(w.sender.calls).toEqual([]);
    expect(await w.queued('gone')).toMatchObject([{ attempts: 1 }]);
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
    expect(await w.queued()).toEqual([]);
    expect(w.sender.calls).toEqual([]);
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
    // Nothing sent, nothing stored.
    expect(w.sender.calls).toEqual([]);
    expect(await w.queued()).toEqual([]);
    const after = { erasureRef: 'er_1', receivedAt: '2026-11-29T09:45:00Z' };
    const kept = await notifyBank(
      { before: alert('sent', after), after: alert('confirmed', after) },
      w.ports,
    );
    expect(kept).toMatchObject({
      type: 'notified',
      callbacks: [{ type: 'alert.confirmed', outcome: 'delivered' }],
    });
    expect(w.told()).toMatchObject([{ type: 'alert.confirmed' }]);
  });

  it('sends customer.subscribed with the subscriberRef, never the PSID, when a consent makes it active', async () => {
    const w = world();
    const outcome = await notifyBank(
      {
        before: subscriber('pending_consent'),
        after: subscriber('active', { consentedAt: '2026-11-29T10:00:00Z' }),
      },
      w.ports,
    );
    expect(outcome).toMatchObject({
      type: 'notified',
      callbacks: [{ type: 'customer.subscribed', outcome: 'delivered' }],
    });
    const body = w.sender.calls[0]?.body ?? '';
    expect(body).toContain(subscriberRef(REF_KEY, 'messenger', 'psid_1'));
    expect(body).not.toContain('psid_1');
    expect(w.keyReads()).toBe(1);
  });

  it('sends customer.unsubscribed when an active subscription is erased (a removal), and nothing for a refused consent', async () => {
    const w = world();
    const erased = await notifyBank({ before: subscriber('active') }, w.ports);
    expect(erased).toMatchObject({ type: 'notified', callbacks: [{ type: 'customer.unsubscribed' }] });
    expect(await notifyBank({ before: subscriber('pending_consent') }, w.ports)).toEqual({ type: 'nothing' });
  });

  it('sends one callback per member when a fraud check closes, in order, and queues the rest once the bank fails', async () => {
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
      type: 'notified',
      callbacks: [
        { type: 'alert.disputed', outcome: 'delivered' },
        { type: 'alert.disputed', outcome: 'delivered' },
      ],
    });
    const ids = idsOf(outcome);
    expect(new Set(ids).size).toBe(2);
    expect(w.sender.calls.map((c) => c.headers['webhook-id'])).toEqual(ids);
    // The first one failing: the second is not tried, both wait in the outbox.
    const other = world();
    other.sender.answerNext(503);
    const failed = await notifyBank(
      { before: alert('sent', check), after: alert('disputed', check) },
      other.ports,
    );
    expect(failed).toMatchObject({
      callbacks: [
        { outcome: 'queued', reason: 'HTTP 503' },
        { outcome: 'queued', reason: 'cooling-down' },
      ],
    });
    expect(other.sender.calls).toHaveLength(1);
    expect(await other.queued()).toHaveLength(2);
  });
});
