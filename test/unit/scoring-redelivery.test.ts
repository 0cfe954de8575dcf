import { describe, expect, it } from 'vitest';
import { inMemoryScoringPorts } from '../../shared/adapters/in-memory-scoring-ports.ts';
import type { BankEvent } from '../../shared/domain/bank-event.ts';
import type { Sighting } from '../../shared/domain/customer-profile.ts';
import { type ScoreBankEventPorts, scoreBankEvent } from '../../shared/domain/score-bank-event.ts';
import { type StoredEvent, toStoredEvent } from '../../shared/domain/stored-event.ts';
import { BUILT_IN_THRESHOLDS, historySettings } from '../../shared/domain/thresholds.ts';
import type { ScoringOutcome } from '../../shared/ports/event-store.ts';
import { cardTransaction, suspiciousTransaction } from '../fixtures/bank-events.ts';
import { FakeEventStore, FakeThresholdStore, FixedClock } from '../support/fakes/index.ts';

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
  for (const point of ['history', 'alert', 'mark'] as const) {
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
      expect(await w.p.events.isScored('acme', 'evt_1')).toBe(true);
      const decision = 'decision' in expected ? expected.decision : undefined;
      for (const mark of w.marks) expect(mark).toEqual({ score: decision?.score, alertId: 'acme#txn#t1' });
      // Card transactions within the ledger's 48 hours never read the event's status.
      expect(w.isScoredReads()).toBe(0);
    });
  }

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
    expect(w.marks.at(-1)).toEqual({ score: 0 });
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
