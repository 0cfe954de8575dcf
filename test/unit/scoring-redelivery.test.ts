import { describe, expect, it } from 'vitest';
import { inMemoryScoringPorts } from '../../shared/adapters/in-memory-scoring-ports.ts';
import type { BankEvent } from '../../shared/domain/bank-event.ts';
import type { Sighting } from '../../shared/domain/customer-profile.ts';
import { redrive } from '../../shared/domain/redrive.ts';
import { type ScoreBankEventPorts, scoreBankEvent } from '../../shared/domain/score-bank-event.ts';
import { type StoredEvent, toStoredEvent } from '../../shared/domain/stored-event.ts';
import { BUILT_IN_THRESHOLDS, historySettings } from '../../shared/domain/thresholds.ts';
import type { ScoringOutcome } from '../../shared/ports/event-store.ts';
import { accountBalance, cardTransaction, suspiciousTransaction } from '../fixtures/bank-events.ts';
import { FakeEventStore, FakeRedriveStore, FakeThresholdStore, FixedClock } from '../support/fakes/index.ts';

// A card transaction's decision is kept with its ledger entry by the write that records it: a
// redelivery (after a crash at any point) finishes with that decision, without reading the event.

const NOW = '2026-11-29T10:00:30.000Z';
const BUILT_IN_THRESHOLDS_HISTORY = historySettings(BUILT_IN_THRESHOLDS);
const SIGHTING = (at: number, amount: number): Sighting => ({
  at,
  amount,
  currency: 'EUR',
  country: 'US',
  mcc: '5732',
  authorized: true,
  probe: false,
});
type CrashPoint = 'history' | 'alert' | 'mark';

async function world() {
  const clock = new FixedClock(NOW);
  const thresholds = new FakeThresholdStore();
  await thresholds.putBankDefault('acme', { ...BUILT_IN_THRESHOLDS, homeCountries: ['FR'] });
  const p = { ...inMemoryScoringPorts(thresholds, clock), events: new FakeEventStore() };
  let created = 0;
  const marks: ScoringOutcome[] = [];
  let isScoredReads = 0;
  let crashAt: CrashPoint | undefined;
  const crash = (point: CrashPoint) => {
    if (crashAt !== point) return;
    crashAt = undefined;
    throw new Error(`crash after the ${point} write`);
  };
  const ports: ScoreBankEventPorts = {
    ...p,
    history: {
      record: async (...args) => {
        const recorded = await p.history.record(...args);
        crash('history');
        return recorded;
      },
      entryOf: (event) => p.history.entryOf(event),
    },
    alerts: Object.assign(Object.create(p.alerts) as typeof p.alerts, {
      fileFraudCheck: async (...args: Parameters<typeof p.alerts.fileFraudCheck>) => {
        const filed = await p.alerts.fileFraudCheck(...args);
        if (filed.created) created++;
        crash('alert');
        return filed;
      },
    }),
    events: Object.assign(Object.create(p.events) as typeof p.events, {
      isScored: async (bankId: string, eventId: string) => {
        isScoredReads++;
        return p.events.isScored(bankId, eventId);
      },
      markScored: async (bankId: string, eventId: string, outcome: ScoringOutcome) => {
        await p.events.markScored(bankId, eventId, outcome);
        marks.push(outcome);
        crash('mark');
      },
    }),
  };
  const store = async (eventId: string, event: BankEvent) => {
    const stored = toStoredEvent('acme', eventId, event, clock.now());
    await p.events.putIfAbsent(stored);
    return stored;
  };
  return {
    p,
    ports,
    store,
    crashAfter: (point: CrashPoint) => {
      crashAt = point;
    },
    created: () => created,
    marks,
    isScoredReads: () => isScoredReads,
  };
}

/** The decision of an event scored once, without a crash, in a world of its own. */
async function firstDecision(event: BankEvent) {
  const w = await world();
  return scoreBankEvent(await w.store('evt_1', event), w.ports);
}

describe('scoreBankEvent: a redelivered card transaction', () => {
  for (const point of ['history', 'alert'] as const) {
    it(`after a crash following the ${point} write, finishes with the first decision and one alert`, async () => {
      const expected = await firstDecision(suspiciousTransaction('c1', 't1'));
      expect(expected).toMatchObject({
        type: 'card.transaction',
        decision: { alert: true },
        alertCreated: true,
      });
      const w = await world();
      const event = await w.store('evt_1', suspiciousTransaction('c1', 't1'));
      w.crashAfter(point);
      await expect(scoreBankEvent(event, w.ports)).rejects.toThrow(/crash/);
      const again = await scoreBankEvent(event, w.ports);
      expect(again).toEqual({
        ...expected,
        replayed: true,
        // Created by the redelivery only when the crash came before the alert.
        alertCreated: point === 'history',
      });
      // A third delivery creates nothing either.
      expect(await scoreBankEvent(event, w.ports)).toEqual({ ...again, alertCreated: false });
      expect(w.created()).toBe(1);
      // The ledger entry keeping the decision is the record that it was scored: the event is
      // never marked, and card transactions within the ledger's 48 hours never read its status.
      const decision = 'decision' in expected ? expected.decision : undefined;
      expect(await w.p.history.entryOf(event)).toEqual({ decision });
      expect(w.marks).toEqual([]);
      expect(await w.p.events.isScored('acme', 'evt_1')).toBe(false);
      expect(w.isScoredReads()).toBe(0);
    });
  }

  it('dated outside the ledger’s 48 hours, is marked scored, and after a crash following the mark is skipped', async () => {
    const w = await world();
    const old = suspiciousTransaction('c1', 't1');
    const event = await w.store('evt_1', { ...old, occurredAt: '2026-11-27T09:00:00Z' });
    w.crashAfter('mark');
    await expect(scoreBankEvent(event, w.ports)).rejects.toThrow(/crash/);
    expect(w.marks).toEqual([{ score: 100, alertId: 'acme#txn#t1' }]);
    expect(await w.p.history.entryOf(event)).toBeUndefined();
    expect(await scoreBankEvent(event, w.ports)).toEqual({ type: 'already-scored', alertCreated: false });
    expect(w.created()).toBe(1);
  });

  it('reuses the kept decision, never one made on the history recorded after it', async () => {
    const w = await world();
    const at = Date.parse('2026-11-29T10:00:00Z');
    const payment = (id: string, minutesBefore: number) =>
      cardTransaction({
        customerId: 'c1',
        occurredAt: new Date(at - minutesBefore * 60_000).toISOString(),
        transaction: { id, amount: 1000 },
      });
    const first = await w.store('evt_0', payment('t0', 0));
    w.crashAfter('history');
    await expect(scoreBankEvent(first, w.ports)).rejects.toThrow(/crash/);
    // Five payments that occurred just before it arrive meanwhile: on this history the velocity
    // rule would fire for it.
    for (let i = 1; i <= 5; i++)
      await scoreBankEvent(await w.store(`evt_${i}`, payment(`t${i}`, i)), w.ports);
    const fresh = await scoreBankEvent(await w.store('evt_6', payment('t6', 0.5)), w.ports);
    expect(fresh).toMatchObject({ decision: { reasons: [{ rule: 'velocity' }] } });
    const again = await scoreBankEvent(first, w.ports);
    expect(again).toEqual({
      type: 'card.transaction',
      decision: { score: 0, alert: false, reasons: [] },
      alertCreated: false,
      replayed: true,
    });
    expect(w.marks).toEqual([]);
    expect(await w.p.history.entryOf(first)).toEqual({ decision: { score: 0, alert: false, reasons: [] } });
  });

  it('reads the event’s status for a transaction dated outside the ledger’s 48 hours, and skips it once scored', async () => {
    const w = await world();
    const old = suspiciousTransaction('c1', 't1');
    const event: StoredEvent = await w.store('evt_1', { ...old, occurredAt: '2026-11-27T09:00:00Z' });
    expect(await scoreBankEvent(event, w.ports)).toMatchObject({ type: 'card.transaction', replayed: false });
    expect(await scoreBankEvent(event, w.ports)).toEqual({ type: 'already-scored', alertCreated: false });
    expect(w.isScoredReads()).toBe(2);
    expect(w.created()).toBeLessThanOrEqual(1);
  });

  it('reads the event’s status for an entry recorded before decisions were kept with entries', async () => {
    const w = await world();
    const stored = await w.store('evt_1', suspiciousTransaction('c1', 't1'));
    const expected = await firstDecision(suspiciousTransaction('c1', 't1'));
    // The entry and sighting as an earlier version wrote them: no decision with the entry.
    const transaction = stored.transaction;
    if (transaction === undefined) throw new Error('a card transaction');
    const at = Date.parse(stored.occurredAt);
    const settings = { currency: 'EUR', ...BUILT_IN_THRESHOLDS_HISTORY };
    const entry = { eventId: 'evt_1', at, amount: transaction.amount, currency: 'EUR', authorized: true };
    await w.p.history.record('acme', 'c1', entry, SIGHTING(at, transaction.amount), settings, new Date(NOW));
    // Not marked scored yet (a crash before the alert): decided and finished now.
    expect(await scoreBankEvent(stored, w.ports)).toEqual({ ...expected, replayed: false });
    expect(w.isScoredReads()).toBe(1);
    // Marked scored by then: skipped, as before.
    const other = await w.store('evt_2', suspiciousTransaction('c2', 't2'));
    const at2 = Date.parse(other.occurredAt);
    await w.p.history.record(
      'acme',
      'c2',
      { ...entry, eventId: 'evt_2', at: at2 },
      SIGHTING(at2, transaction.amount),
      settings,
      new Date(NOW),
    );
    await w.p.events.markScored('acme', 'evt_2', { score: 100 });
    expect(await scoreBankEvent(other, w.ports)).toEqual({ type: 'already-scored', alertCreated: false });
    expect(w.created()).toBe(1);
  });
});

describe('vigil redrive after scoring', () => {
  it('re-drives exactly the events not fully scored, and the redelivery files each missing alert once', async () => {
    const w = await world();
    // Crashed after the history write: the decision (to alert) is kept, the alert not filed.
    const noAlert = await w.store('evt_1', suspiciousTransaction('c1', 't1'));
    w.crashAfter('history');
    await expect(scoreBankEvent(noAlert, w.ports)).rejects.toThrow(/crash/);
    // Crashed after filing the alert: nothing left to do.
    const filed = await w.store('evt_2', suspiciousTransaction('c2', 't2'));
    w.crashAfter('alert');
    await expect(scoreBankEvent(filed, w.ports)).rejects.toThrow(/crash/);
    // Scored, no alert; and never scored at all.
    const quiet = await w.store('evt_3', cardTransaction({ customerId: 'c3', transaction: { id: 't3' } }));
    await scoreBankEvent(quiet, w.ports);
    const never = await w.store('evt_4', cardTransaction({ customerId: 'c4', transaction: { id: 't4' } }));
    // Balance events and transactions dated outside the 48 hours keep their mark.
    const balance = await w.store('evt_5', accountBalance({ customerId: 'c5', balance: { available: 1 } }));
    await scoreBankEvent(balance, w.ports);
    const stuckBalance = await w.store(
      'evt_6',
      accountBalance({ customerId: 'c6', balance: { available: 1 } }),
    );
    const late = { ...suspiciousTransaction('c7', 't7'), occurredAt: '2026-11-27T09:00:00Z' };
    const scoredLate = await w.store('evt_7', late);
    await scoreBankEvent(scoredLate, w.ports);
    const stuckLate = await w.store('evt_8', {
      ...late,
      customerId: 'c8',
      transaction: { ...late.transaction, id: 't8' },
    });
    // Fraud checks filed: evt_2's and evt_7's.
    expect(w.created()).toBe(2);

    const all = [noAlert, filed, quiet, never, balance, stuckBalance, scoredLate, stuckLate];
    const withStatus = async () =>
      Promise.all(
        all.map(async (event) => ({
          ...event,
          status: (await w.p.events.isScored('acme', event.eventId))
            ? ('scored' as const)
            : ('received' as const),
        })),
      );
    const store = new FakeRedriveStore({ events: await withStatus() });
    const later = new FixedClock('2026-11-29T10:30:30.000Z');
    const ports = { store, alerts: w.p.alerts, clock: later, history: w.p.history };
    expect(await redrive(ports)).toMatchObject({ eventsRescored: 4, eventsPastLedgerWindow: 0 });
    expect(store.writes).toEqual(['event:evt_1', 'event:evt_4', 'event:evt_6', 'event:evt_8']);

    // The re-driven events are scored (the stream sees them again): evt_1 files its alert with
    // its kept decision, evt_8 its own; evt_6 gets its low-balance notice.
    expect(await w.p.alerts.get('acme#balance#evt_6')).toBeUndefined();
    for (const event of [noAlert, never, stuckBalance, stuckLate]) await scoreBankEvent(event, w.ports);
    expect(await w.p.alerts.get('acme#txn#t1')).toMatchObject({ score: 100 });
    expect(w.created()).toBe(4);
    expect(await w.p.alerts.get('acme#balance#evt_6')).toMatchObject({ kind: 'low_balance' });
    // Nothing is left to re-drive.
    const again = new FakeRedriveStore({ events: await withStatus() });
    expect(await redrive({ ...ports, store: again })).toMatchObject({ eventsRescored: 0 });
    expect(again.writes).toEqual([]);
  });
});
