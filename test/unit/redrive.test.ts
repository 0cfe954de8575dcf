import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/domain/alert.ts';
import type { CallbackDelivery } from '../../shared/domain/callback-delivery.ts';
import { redrive } from '../../shared/domain/redrive.ts';
import { type StoredEvent, toStoredEvent } from '../../shared/domain/stored-event.ts';
import type { CustomerHistory, LedgerEntry } from '../../shared/ports/customer-history.ts';
import { accountBalance, cardTransaction } from '../fixtures/bank-events.ts';
import { FakeAlertStore, FakeRedriveStore, FixedClock } from '../support/fakes/index.ts';

const NOW = '2026-03-01T12:30:00.000Z';
const OLD = new Date('2026-03-01T12:00:00.000Z');

const event = (id: string, at = OLD): StoredEvent =>
  toStoredEvent(
    'acme',
    id,
    cardTransaction({ occurredAt: at.toISOString(), transaction: { id: `t-${id}` } }),
    at,
  );

/** A customer history holding the given entries, by event id; it counts its reads. */
function historyOf(entries: Record<string, LedgerEntry> = {}) {
  const reads: string[] = [];
  const history: Pick<CustomerHistory, 'entryOf'> = {
    entryOf: async (e) => {
      reads.push(e.eventId);
      return entries[e.eventId];
    },
  };
  return { history, reads };
}
const none = historyOf().history;

function alert(id: string, changes: Partial<Alert> = {}): Alert {
  return {
    alertId: id,
    ref: `ref-${id}`,
    bankId: 'acme',
    customerId: `c-${id}`,
    customerKey: `acme#c-${id}`,
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
      occurredAt: OLD.toISOString(),
    },
    createdAt: OLD.toISOString(),
    expiresAt: 0,
    ...changes,
  };
}

const dead = (id: string): CallbackDelivery => ({
  deliveryId: id,
  bankId: 'acme',
  type: 'alert.disputed',
  body: '{}',
  status: 'dead',
  attempts: 8,
  createdAt: OLD.toISOString(),
  expiresAt: 0,
});

describe('redrive', () => {
  it('takes only what is older than the cutoff: a recent event or alert is still in flight', async () => {
    const store = new FakeRedriveStore({
      events: [event('old'), event('recent', new Date('2026-03-01T12:25:00.000Z'))],
      alerts: [alert('recent', { createdAt: '2026-03-01T12:25:00.000Z' })],
    });
    const result = await redrive(
      { store, alerts: new FakeAlertStore(), clock: new FixedClock(NOW), history: none },
      10,
    );
    expect(result).toEqual({
      eventsRescored: 1,
      eventsPastLedgerWindow: 0,
      alertsResent: 0,
      alertsUndeliverable: 0,
      callbacksRequeued: 0,
    });
    expect(store.writes).toEqual(['event:old']);
  });

  it('does not send again an alert whose send was claimed (it may have reached the customer): undeliverable', async () => {
    const alerts = new FakeAlertStore();
    const claimed = alert('claimed');
    await alerts.createOnce(claimed);
    await alerts.claimSend('claimed', OLD);
    const store = new FakeRedriveStore({ alerts: [{ ...claimed, sendClaimedAt: OLD.toISOString() }] });
    expect(await redrive({ store, alerts, clock: new FixedClock(NOW), history: none })).toMatchObject({
      alertsResent: 0,
      alertsUndeliverable: 1,
    });
    expect(store.writes).toEqual([]);
    expect(await alerts.get('claimed')).toMatchObject({
      status: 'undeliverable',
      undeliverableReason: 'send_unconfirmed',
    });
  });

  it('touches a fraud check’s first alert in place; a send claimed meanwhile is left alone', async () => {
    const first = alert('first', { checkId: 'first' });
    const store = new FakeRedriveStore({ alerts: [first] });
    const racing = Object.create(store) as FakeRedriveStore;
    racing.pendingAlerts = async (before) => {
      const found = await store.pendingAlerts(before);
      // notify-customer claims the send between the scan and the touch.
      await store.reinsertAlert({ ...first, sendClaimedAt: NOW });
      store.writes.length = 0;
      return found;
    };
    expect(
      await redrive({
        store: racing,
        alerts: new FakeAlertStore(),
        clock: new FixedClock(NOW),
        history: none,
      }),
    ).toMatchObject({
      alertsResent: 1,
    });
    expect(store.writes).toEqual([]);
  });

  it('requeues every dead callback with a fresh retry window, and stops at the first write that fails', async () => {
    const store = new FakeRedriveStore({ events: [event('e1'), event('e2')], callbacks: [dead('cb_1')] });
    const failing = Object.create(store) as FakeRedriveStore;
    failing.reinsertEvent = async (e) => {
      if (e.eventId === 'e2') throw new Error('ProvisionedThroughputExceededException');
      return store.reinsertEvent(e);
    };
    const ports = { store: failing, alerts: new FakeAlertStore(), clock: new FixedClock(NOW), history: none };
    await expect(redrive(ports)).rejects.toThrow(/Throughput/);
    // The callbacks come after the events: a rerun requeues them.
    expect(store.writes).toEqual(['event:e1']);
    expect(await store.deadCallbacks()).toHaveLength(1);
    expect(await redrive({ ...ports, store })).toMatchObject({ eventsRescored: 2, callbacksRequeued: 1 });
    expect(await store.deadCallbacks()).toEqual([]);
  });

  describe('a card transaction still received (scoring leaves it so: its ledger entry keeps the decision)', () => {
    const decision = (alert: boolean) => ({ decision: { score: alert ? 100 : 0, alert, reasons: [] } });

    it('is scored when its entry keeps a decision, and for an alert, the alert was filed', async () => {
      const alerts = new FakeAlertStore();
      await alerts.createOnce(alert('acme#txn#t-alerted'));
      const { history, reads } = historyOf({
        quiet: decision(false),
        alerted: decision(true),
        // Crashed between the history write and the alert: the alert is still to file.
        unfiled: decision(true),
        // Recorded before decisions were kept in entries: its scoring would have marked it.
        legacy: {},
      });
      const store = new FakeRedriveStore({
        events: ['quiet', 'alerted', 'unfiled', 'legacy', 'unrecorded'].map((id) => event(id)),
      });
      const result = await redrive({ store, alerts, clock: new FixedClock(NOW), history });
      expect(result).toMatchObject({ eventsRescored: 3, eventsPastLedgerWindow: 0 });
      expect(store.writes).toEqual(['event:unfiled', 'event:legacy', 'event:unrecorded']);
      expect(reads).toEqual(['quiet', 'alerted', 'unfiled', 'legacy', 'unrecorded']);
    });

    it('past the ledger’s 48 hours now, is counted and left alone, unless forced; the history is not read', async () => {
      // Arrived within the 48 hours; 2 days later its entry may be gone, scored or not.
      const arrived = event('aged', new Date('2026-02-27T12:00:00.000Z'));
      // Dated outside the 48 hours already when it arrived: its scoring would have marked it.
      const late = toStoredEvent(
        'acme',
        'late',
        cardTransaction({ occurredAt: '2026-02-25T12:00:00.000Z', transaction: { id: 't-late' } }),
        new Date('2026-02-28T12:00:00.000Z'),
      );
      // A balance event is marked when scored: still received, it is unscored.
      const balance = toStoredEvent(
        'acme',
        'balance',
        accountBalance({ occurredAt: OLD.toISOString() }),
        OLD,
      );
      // Exactly 48 hours old: still within the ledger's window.
      const edge = event('edge', new Date(Date.parse(NOW) - 48 * 3_600_000));
      const make = () => new FakeRedriveStore({ events: [arrived, late, balance, edge] });
      const { history, reads } = historyOf({ edge: decision(false) });
      const ports = { alerts: new FakeAlertStore(), clock: new FixedClock(NOW), history };
      const store = make();
      expect(await redrive({ ...ports, store })).toMatchObject({
        eventsRescored: 2,
        eventsPastLedgerWindow: 1,
      });
      expect(store.writes).toEqual(['event:late', 'event:balance']);
      expect(reads).toEqual(['edge']);
      const forced = make();
      expect(await redrive({ ...ports, store: forced }, 10, { pastLedgerWindow: true })).toMatchObject({
        eventsRescored: 3,
        eventsPastLedgerWindow: 1,
      });
      expect(forced.writes).toEqual(['event:aged', 'event:late', 'event:balance']);
    });
  });
});
