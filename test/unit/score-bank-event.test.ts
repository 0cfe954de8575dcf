import { describe, expect, it } from 'vitest';
import { InMemoryBalanceWatch } from '../../shared/adapters/in-memory-balance-watch.ts';
import { InMemoryCompromisedMerchants } from '../../shared/adapters/in-memory-compromised-merchants.ts';
import { InMemoryCustomerHistory } from '../../shared/adapters/in-memory-customer-history.ts';
import { InMemoryEventStore } from '../../shared/adapters/in-memory-event-store.ts';
import { StoreCustomerSettings } from '../../shared/adapters/store-customer-settings.ts';
import type { BankEvent } from '../../shared/domain/bank-event.ts';
import { type ScoreBankEventPorts, scoreBankEvent } from '../../shared/domain/score-bank-event.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';
import { accountBalance, cardTransaction, suspiciousTransaction } from '../fixtures/bank-events.ts';
import {
  FakeAlertStore,
  FakeErasureMarkers,
  FakePreferenceStore,
  FakeThresholdStore,
  FixedClock,
} from '../support/fakes/index.ts';

const NOW = '2026-11-29T10:00:30.000Z';
const HOUR = 60 * 60_000;

async function world() {
  const clock = new FixedClock(NOW);
  const thresholds = new FakeThresholdStore();
  await thresholds.putBankDefault('acme', { ...BUILT_IN_THRESHOLDS, homeCountries: ['FR'] });
  // The history keeps the erasure condition of the DynamoDB one: it reads the same markers.
  const erasures = new FakeErasureMarkers();
  const preferences = new FakePreferenceStore();
  const ports = {
    thresholds,
    history: new InMemoryCustomerHistory(erasures),
    merchants: new InMemoryCompromisedMerchants(),
    reporterKey: async () => 'reporter-key-of-the-unit-tests-0123',
    balances: new InMemoryBalanceWatch(),
    alerts: new FakeAlertStore(),
    events: new InMemoryEventStore(),
    erasures,
    customerSettings: new StoreCustomerSettings(thresholds, preferences),
    clock,
  } satisfies ScoreBankEventPorts;
  let seq = 0;
  /** Stores the event as received now, and scores it. */
  const score = async (event: BankEvent, options: { erasureRef?: string; eventId?: string } = {}) => {
    const stored = toStoredEvent('acme', options.eventId ?? `evt_${++seq}`, event, clock.now(), options);
    await ports.events.putIfAbsent(stored);
    return { stored, outcome: await scoreBankEvent(stored, ports) };
  };
  return { ports, preferences, clock, score };
}

describe('scoreBankEvent', () => {
  it('opens one fraud check for a customer and files the next suspicious payments into it', async () => {
    const w = await world();
    const first = await w.score(suspiciousTransaction('c1', 't1'));
    expect(first.outcome).toMatchObject({
      type: 'card.transaction',
      alertId: 'acme#txn#t1',
      checkId: 'acme#txn#t1',
      alertCreated: true,
    });
    const second = await w.score(suspiciousTransaction('c1', 't2'));
    expect(second.outcome).toMatchObject({
      alertId: 'acme#txn#t2',
      checkId: 'acme#txn#t1',
      alertCreated: true,
    });
    expect(await w.ports.alerts.get('acme#txn#t2')).toMatchObject({ status: 'grouped' });
    expect(Object.keys((await w.ports.alerts.get('acme#txn#t1'))?.members ?? {})).toEqual(['acme#txn#t2']);
    // Another customer has their own check.
    expect((await w.score(suspiciousTransaction('c2', 't3'))).outcome).toMatchObject({
      checkId: 'acme#txn#t3',
    });
    // A redelivered event keeps its first decision, and creates nothing.
    expect(await scoreBankEvent(second.stored, w.ports)).toEqual({
      ...second.outcome,
      alertCreated: false,
      replayed: true,
    });
  });

  it('scores nothing and forgets the event of a customer erased after it arrived', async () => {
    const w = await world();
    await w.ports.erasures.mark('er_1', new Date(Date.parse(NOW) + 1000));
    const { outcome } = await w.score(suspiciousTransaction('c1', 't1'), { erasureRef: 'er_1' });
    expect(outcome).toEqual({ type: 'erased', alertCreated: false });
    expect(w.ports.erasures.forgotten).toEqual(['evt_1']);
    expect(await w.ports.alerts.get('acme#txn#t1')).toBeUndefined();
    const alsoBefore = await w.score(suspiciousTransaction('c1', 't2'), { erasureRef: 'er_1' });
    expect(alsoBefore.outcome).toMatchObject({ type: 'erased' });
    // An event received after the erasure is a new subscription's: scored as usual.
    w.clock.advance(HOUR);
    const fresh = await w.score(suspiciousTransaction('c1', 't3'), { erasureRef: 'er_1' });
    expect(fresh.outcome).toMatchObject({ type: 'card.transaction', alertCreated: true });
  });

  it('applies the customer’s preferences: a travel notice and their own alert amount', async () => {
    const w = await world();
    const abroad = (id: string, country: string) =>
      cardTransaction({ customerId: 'c1', transaction: { id, amount: 3000, merchant: { country } } });
    // Without preferences, a small payment in Spain: foreignCountry alone does not alert.
    const before = await w.score(abroad('t0', 'ES'));
    expect(before.outcome).toMatchObject({ decision: { reasons: [{ rule: 'foreignCountry' }] } });
    await w.preferences.put('acme', 'c1', {
      travel: { country: 'ES', until: '2026-12-01T00:00:00.000Z' },
      alertsOver: { amount: 2000, currency: 'EUR' },
      updatedAt: NOW,
    });
    const spain = await w.score(abroad('t1', 'ES'));
    const italy = await w.score(abroad('t2', 'IT'));
    const rules = (o: typeof spain) =>
      'decision' in o.outcome ? o.outcome.decision.reasons.map((r) => r.rule).sort() : [];
    expect(rules(spain)).toEqual(['customerAlertAmount']);
    expect(rules(italy)).toEqual(['customerAlertAmount', 'foreignCountry']);
    expect(spain.outcome).toMatchObject({ decision: { alert: true }, alertCreated: true });
  });

  it('notices a low balance once per crossing and per account once a day; another currency changes nothing', async () => {
    const w = await world();
    const balance = (available: number, currency = 'EUR') =>
      accountBalance({ customerId: 'c1', balance: { available, currency } });
    expect((await w.score(balance(500, 'USD'))).outcome).toEqual({
      type: 'account.balance',
      low: false,
      alertCreated: false,
    });
    const low = await w.score(balance(500));
    expect(low.outcome).toMatchObject({ type: 'account.balance', low: true, alertCreated: true });
    expect((await w.score(balance(400))).outcome).toEqual({
      type: 'account.balance',
      low: true,
      alertCreated: false,
    });
    expect((await w.score(balance(20_000))).outcome).toMatchObject({ low: false });
    // Low again within 24 hours: no second notice for the account; after them, one.
    w.clock.advance(HOUR);
    expect((await w.score(balance(300))).outcome).toEqual({
      type: 'account.balance',
      low: true,
      alertCreated: false,
    });
    await w.score(balance(20_000));
    w.clock.advance(24 * HOUR);
    expect((await w.score(balance(300))).outcome).toMatchObject({ low: true, alertCreated: true });
  });
});
