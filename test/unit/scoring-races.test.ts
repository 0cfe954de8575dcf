import { describe, expect, it } from 'vitest';
import { inMemoryScoringPorts } from '../../shared/adapters/in-memory-scoring-ports.ts';
import { ReplayClock, replay } from '../../shared/domain/backtest.ts';
import { scoreBankEvent } from '../../shared/domain/score-bank-event.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { suspiciousTransaction } from '../fixtures/bank-events.ts';
import { erasureDuringScoringContract } from '../support/contracts/erasure-during-scoring.ts';
import {
  FakeCustomerHistory,
  FakeErasureMarkers,
  FakeEventStore,
  FakeThresholdStore,
  FixedClock,
} from '../support/fakes/index.ts';

const NOW = '2026-11-29T10:00:30.000Z';

async function ports(clock: Clock = new FixedClock(NOW)) {
  const thresholds = new FakeThresholdStore();
  await thresholds.putBankDefault('acme', { ...BUILT_IN_THRESHOLDS, homeCountries: ['FR'] });
  // The events table's in-memory version (the replay's own keeps no events).
  return { ...inMemoryScoringPorts(thresholds, clock), events: new FakeEventStore() };
}

describe('scoreBankEvent: an erasure that lands while the event is scored', () => {
  it('forgets what scoring wrote, the alert included, when the marker appears after the first check', async () => {
    const p = await ports();
    const event = toStoredEvent('acme', 'evt_1', suspiciousTransaction('c1', 't1'), new Date(NOW), {
      erasureRef: 'er_1',
    });
    await p.events.putIfAbsent(event);
    const forgotten: unknown[][] = [];
    const erasures = Object.create(p.erasures) as typeof p.erasures;
    erasures.forgetScoring = async (...args) => void forgotten.push(args);
    const alerts = Object.create(p.alerts) as typeof p.alerts;
    alerts.fileFraudCheck = async (alert, now) => {
      // The erasure's marker is written between the scorer's first check and its alert.
      await p.erasures.mark('er_1', new Date(Date.parse(NOW) + 500));
      return p.alerts.fileFraudCheck(alert, now);
    };
    const outcome = await scoreBankEvent(event, { ...p, erasures, alerts });
    expect(outcome).toEqual({ type: 'erased', alertCreated: false });
    expect(forgotten).toEqual([['acme', 'c1', 'evt_1', 'acme#txn#t1']]);
  });

  it('propagates a store that fails, leaving the event unscored for the stream to retry', async () => {
    const p = await ports();
    const event = toStoredEvent('acme', 'evt_1', suspiciousTransaction('c1', 't1'), new Date(NOW));
    await p.events.putIfAbsent(event);
    const alerts = Object.create(p.alerts) as typeof p.alerts;
    alerts.fileFraudCheck = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    await expect(scoreBankEvent(event, { ...p, alerts })).rejects.toThrow(/Throughput/);
    // Its decision is kept with its ledger entry, the alert it asks for is not filed: unscored
    // (vigil redrive tells it so too).
    expect(await p.history.entryOf(event)).toMatchObject({ decision: { alert: true } });
    expect(await p.alerts.get('acme#txn#t1')).toBeUndefined();
    // The retry scores it with that decision; the entry is the record, the event is not marked.
    expect(await scoreBankEvent(event, p)).toMatchObject({
      type: 'card.transaction',
      alertCreated: true,
      replayed: true,
    });
    expect(await p.alerts.get('acme#txn#t1')).toMatchObject({ kind: 'fraud_check' });
    expect(await p.events.isScored('acme', 'evt_1')).toBe(false);
  });
});

// The in-memory history keeps the DynamoDB history's erasure condition (the stores it sees: the
// in-memory eraser deletes no alert or event; test/integration/erasure-during-scoring.test.ts
// checks every table on DynamoDB Local).
erasureDuringScoringContract('in memory', async () => {
  const erasures = new FakeErasureMarkers();
  const history = new FakeCustomerHistory(erasures);
  const p = { ...(await ports(systemClock)), erasures, history };
  return {
    ports: p,
    store: async (event) => {
      await p.events.putIfAbsent(event);
    },
    // The eraser's marks: the first, then the second once the subscription is gone.
    erase: async (_bankId, _customerId, erasureRef) => {
      await p.erasures.mark(erasureRef, new Date());
      await p.erasures.mark(erasureRef, new Date(Date.now() + 1));
    },
    leftovers: async (bankId, customerId) => [...history.ledger.entriesOf(bankId, customerId)],
  };
});

describe('replay', () => {
  it('scores an event id that appears twice in a history once, as the scorer skips a redelivery', async () => {
    const clock = new ReplayClock();
    const thresholds = new FakeThresholdStore();
    await thresholds.putBankDefault('acme', { ...BUILT_IN_THRESHOLDS, homeCountries: ['FR'] });
    const p = inMemoryScoringPorts(thresholds, clock);
    const event = suspiciousTransaction('c1', 't1');
    const result = await replay(
      [
        { eventId: 'evt_1', event },
        { eventId: 'evt_1', event },
        { eventId: 'evt_2', event: suspiciousTransaction('c1', 't2') },
      ],
      p,
      { bankId: 'acme', clock },
    );
    expect(result.decisions.map((d) => d.transactionId)).toEqual(['t1', 't2']);
  });
});
