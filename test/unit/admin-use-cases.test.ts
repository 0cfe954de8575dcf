import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/domain/alert.ts';
import { answerOnce } from '../../shared/domain/answer-once.ts';
import type { CallbackDelivery } from '../../shared/domain/callback-delivery.ts';
import { eraseCustomer } from '../../shared/domain/erase-customer.ts';
import {
  NotFoundError,
  RequestInProgressError,
  UnauthorizedError,
  ValidationError,
} from '../../shared/domain/errors.ts';
import { expireAlerts } from '../../shared/domain/expire-alerts.ts';
import {
  deleteCustomerThresholds,
  getBankThresholds,
  getCustomerThresholds,
  setBankThresholds,
  setCustomerThresholds,
} from '../../shared/domain/manage-thresholds.ts';
import { redrive } from '../../shared/domain/redrive.ts';
import type { StoredEvent } from '../../shared/domain/stored-event.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';
import type { RedriveStore } from '../../shared/ports/redrive-store.ts';
import {
  FakeAlertStore,
  FakeBankDirectory,
  FakeNonceStore,
  FakeThresholdStore,
  FixedClock,
} from '../support/fakes/index.ts';

const NOW = '2026-03-01T12:00:00.000Z';

function alert(id: string, bankId: string, changes: Partial<Alert> = {}): Alert {
  return {
    alertId: id,
    ref: `ref-${id}`,
    bankId,
    customerId: 'c1',
    customerKey: `${bankId}#c1`,
    kind: 'fraud_check',
    status: 'pending',
    eventId: `e-${id}`,
    reasons: [],
    display: {
      cardLast4: '4242',
      amount: 1,
      currency: 'EUR',
      merchantName: 'M',
      merchantCountry: 'FR',
      occurredAt: NOW,
    },
    createdAt: NOW,
    expiresAt: 0,
    ...changes,
  };
}

async function sent(alerts: FakeAlertStore, a: Alert, deadline: string) {
  await alerts.createOnce(a);
  await alerts.claimSend(a.alertId, new Date(NOW));
  await alerts.markSent(a.alertId, { address: 'p1', messageId: 'm', sentAt: NOW, deadline });
}

describe('expireAlerts', () => {
  it('expires the unanswered fraud checks of every bank whose deadline has come, and no others', async () => {
    const alerts = new FakeAlertStore();
    const clock = new FixedClock('2026-03-01T13:00:00.000Z');
    const banks = new FakeBankDirectory([
      { bankId: 'acme', name: 'ACME' },
      { bankId: 'globex', name: 'Globex' },
    ]);
    await sent(alerts, alert('a1', 'acme'), '2026-03-01T12:30:00.000Z');
    await sent(alerts, alert('a2', 'acme'), '2026-03-01T13:00:00.000Z');
    await sent(alerts, alert('a3', 'acme'), '2026-03-01T13:00:00.001Z');
    await sent(alerts, alert('g1', 'globex'), '2026-03-01T12:15:00.000Z');
    await sent(alerts, alert('answered', 'globex'), '2026-03-01T12:15:00.000Z');
    await alerts.answer('answered', 'confirmed', 'p1', new Date('2026-03-01T12:10:00.000Z'));
    await sent(alerts, alert('unregistered', 'initech'), '2026-03-01T12:00:00.000Z');

    expect(await expireAlerts({ alerts, banks, clock })).toEqual({ expired: 3 });
    for (const id of ['a1', 'a2', 'g1']) expect((await alerts.get(id))?.status).toBe('expired');
    expect((await alerts.get('a3'))?.status).toBe('sent');
    expect((await alerts.get('answered'))?.status).toBe('confirmed');
    expect((await alerts.get('unregistered'))?.status).toBe('sent');
    expect(await expireAlerts({ alerts, banks, clock })).toEqual({ expired: 0 });
  });
});

describe('answerOnce', () => {
  const request = { nonce: 'n1', created: 1_772_366_400, fingerprint: 'POST /v1/enrollments {..}' };
  const now = new Date(NOW);

  it('runs the first request and replays its answer to the same request signed again', async () => {
    const nonces = new FakeNonceStore();
    let runs = 0;
    const run = async () => ({ status: 201, contentType: 'application/json', body: `{"run":${++runs}}` });
    expect(await answerOnce(nonces, 'acme', request, now, run)).toEqual({
      status: 201,
      contentType: 'application/json',
      body: '{"run":1}',
      replayed: false,
    });
    const retry = { ...request, created: request.created + 10 };
    expect(await answerOnce(nonces, 'acme', retry, now, run)).toMatchObject({
      body: '{"run":1}',
      replayed: true,
    });
    expect(runs).toBe(1);
  });

  it('refuses a captured signature sent again, and another request with a used nonce', async () => {
    const nonces = new FakeNonceStore();
    const run = async () => ({ status: 204 });
    await answerOnce(nonces, 'acme', request, now, run);
    const replay = answerOnce(nonces, 'acme', request, now, run);
    await expect(replay).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(replay).rejects.toMatchObject({ diagnosis: { check: 'replay' } });
    const other = { ...request, created: request.created + 1, fingerprint: 'DELETE /v1/customers/c1' };
    await expect(answerOnce(nonces, 'acme', other, now, run)).rejects.toMatchObject({
      diagnosis: { check: 'nonce-reuse' },
    });
  });

  it('answers 409 to a retry while the first request is still running', async () => {
    const nonces = new FakeNonceStore();
    let finish: (value: { status: number }) => void = () => {};
    const first = answerOnce(
      nonces,
      'acme',
      request,
      now,
      () => new Promise((resolve) => (finish = resolve)),
    );
    await Promise.resolve();
    await expect(
      answerOnce(nonces, 'acme', { ...request, created: request.created + 1 }, now, async () => ({
        status: 500,
      })),
    ).rejects.toBeInstanceOf(RequestInProgressError);
    finish({ status: 204 });
    expect(await first).toEqual({ status: 204, replayed: false });
  });

  it('frees the nonce of a request that failed, so that its retry runs', async () => {
    const nonces = new FakeNonceStore();
    const failure = new Error('table unavailable');
    await expect(answerOnce(nonces, 'acme', request, now, () => Promise.reject(failure))).rejects.toBe(
      failure,
    );
    expect(await answerOnce(nonces, 'acme', request, now, async () => ({ status: 201 }))).toEqual({
      status: 201,
      replayed: false,
    });
  });
});

describe('threshold management', () => {
  it('gives the built-in defaults until the bank sets its own, then those', async () => {
    const store = new FakeThresholdStore();
    expect(await getBankThresholds('acme', store)).toEqual(BUILT_IN_THRESHOLDS);
    const mine = { ...BUILT_IN_THRESHOLDS, alertScore: 70 };
    expect(await setBankThresholds('acme', mine, store)).toEqual(mine);
    expect(await getBankThresholds('acme', store)).toEqual(mine);
    expect(await getBankThresholds('globex', store)).toEqual(BUILT_IN_THRESHOLDS);
  });

  it('refuses an incomplete or unknown bank default and keeps the previous one', async () => {
    const store = new FakeThresholdStore();
    const { alertScore: _, ...incomplete } = BUILT_IN_THRESHOLDS;
    await expect(setBankThresholds('acme', incomplete, store)).rejects.toBeInstanceOf(ValidationError);
    await expect(
      setBankThresholds('acme', { ...BUILT_IN_THRESHOLDS, extra: 1 }, store),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await store.bankDefault('acme')).toBeUndefined();
  });

  it('sets, reads and deletes a customer override; deleting twice succeeds', async () => {
    const store = new FakeThresholdStore();
    await expect(getCustomerThresholds('acme', 'c1', store)).rejects.toBeInstanceOf(NotFoundError);
    expect(await setCustomerThresholds('acme', 'c1', { alertScore: 90 }, store)).toEqual({ alertScore: 90 });
    expect(await getCustomerThresholds('acme', 'c1', store)).toEqual({ alertScore: 90 });
    await expect(getCustomerThresholds('globex', 'c1', store)).rejects.toBeInstanceOf(NotFoundError);
    await deleteCustomerThresholds('acme', 'c1', store);
    await deleteCustomerThresholds('acme', 'c1', store);
    await expect(getCustomerThresholds('acme', 'c1', store)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a customer id that is not an opaque reference, and stores nothing', async () => {
    const store = new FakeThresholdStore();
    await expect(
      setCustomerThresholds('acme', 'jane@example.com', { alertScore: 90 }, store),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(setCustomerThresholds('acme', 'c1', { alertScore: 'high' }, store)).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await store.customerOverride('acme', 'c1')).toBeUndefined();
  });
});

describe('eraseCustomer', () => {
  it('erases with the customer’s erasure ref, and refuses a malformed id before erasing anything', async () => {
    const erased: string[][] = [];
    const ports = {
      eraser: {
        erase: async (bankId: string, customerId: string, ref: string) =>
          void erased.push([bankId, customerId, ref]),
      },
      erasure: { refOf: async (bankId: string, customerId: string) => `er_${bankId}_${customerId}` },
    };
    await eraseCustomer('acme', 'c1', ports);
    expect(erased).toEqual([['acme', 'c1', 'er_acme_c1']]);
    await expect(eraseCustomer('acme', 'jane@example.com', ports)).rejects.toBeInstanceOf(ValidationError);
    expect(erased).toHaveLength(1);
  });
});

describe('redrive', () => {
  /** Events that are no card transactions: their status tells, the history is not read. */
  const unread = {
    entryOf: async (): Promise<undefined> => {
      throw new Error('the history was read');
    },
  };
  /** Records what redrive writes again; its items are those given. */
  function store(items: { events?: StoredEvent[]; alerts?: Alert[]; dead?: CallbackDelivery[] }) {
    const cutoffs: Date[] = [];
    const written: string[] = [];
    const redriveStore: RedriveStore = {
      unscoredEvents: async (before) => {
        cutoffs.push(before);
        return items.events ?? [];
      },
      pendingAlerts: async (before) => {
        cutoffs.push(before);
        return items.alerts ?? [];
      },
      deadCallbacks: async () => items.dead ?? [],
      reinsertEvent: async (event) => void written.push(`event:${event.eventId}`),
      reinsertAlert: async (a) => void written.push(`alert:${a.alertId}`),
      touchAlert: async (alertId, now) => void written.push(`touch:${alertId}@${now.toISOString()}`),
      requeueCallback: async (delivery, now) =>
        void written.push(`callback:${delivery.deliveryId}@${now.toISOString()}`),
    };
    return { redriveStore, cutoffs, written };
  }

  it('writes stuck events and unclaimed alerts again, gives up on claimed ones, and requeues dead callbacks', async () => {
    const alerts = new FakeAlertStore();
    const claimed = alert('claimed', 'acme');
    await alerts.createOnce(claimed);
    await alerts.claimSend('claimed', new Date(NOW));
    const unclaimed = alert('unclaimed', 'acme');
    const s = store({
      events: [{ eventId: 'e1' } as StoredEvent],
      alerts: [unclaimed, { ...claimed, sendClaimedAt: NOW }],
      dead: [{ deliveryId: 'cb_1' } as CallbackDelivery],
    });
    const clock = new FixedClock('2026-03-01T12:30:00.000Z');
    expect(await redrive({ store: s.redriveStore, alerts, clock, history: unread }, 15)).toEqual({
      eventsRescored: 1,
      eventsPastLedgerWindow: 0,
      alertsResent: 1,
      alertsUndeliverable: 1,
      callbacksRequeued: 1,
    });
    expect(s.cutoffs.map((d) => d.toISOString())).toEqual([
      '2026-03-01T12:15:00.000Z',
      '2026-03-01T12:15:00.000Z',
    ]);
    expect(s.written).toEqual(['event:e1', 'alert:unclaimed', 'callback:cb_1@2026-03-01T12:30:00.000Z']);
    // A claimed send may have reached the customer: never sent again, the bank falls back.
    expect(await alerts.get('claimed')).toMatchObject({
      status: 'undeliverable',
      undeliverableReason: 'send_unconfirmed',
    });
  });

  it('changes a fraud check’s first alert in place instead of writing it again, and rewrites a member', async () => {
    const alerts = new FakeAlertStore();
    const first = alert('first', 'acme', { checkId: 'first' });
    const member = alert('member', 'acme', { checkId: 'other' });
    const s = store({ alerts: [first, member] });
    const clock = new FixedClock('2026-03-01T12:30:00.000Z');
    expect(await redrive({ store: s.redriveStore, alerts, clock, history: unread }, 15)).toMatchObject({
      alertsResent: 2,
    });
    expect(s.written).toEqual(['touch:first@2026-03-01T12:30:00.000Z', 'alert:member']);
  });
});
