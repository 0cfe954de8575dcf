import { type FraudFeedbackPorts, OFFLINE_REPORTER_KEY } from '../domain/compromised-merchant.ts';
import type { ScoreBankEventPorts } from '../domain/score-bank-event.ts';
import { eventKeyOf } from '../domain/stored-event.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventStore, PutEventResult } from '../ports/event-store.ts';
import type { ThresholdStore } from '../ports/threshold-store.ts';
import { InMemoryAlertStore } from './in-memory-alert-store.ts';
import { InMemoryBalanceWatch } from './in-memory-balance-watch.ts';
import { InMemoryCompromisedMerchants } from './in-memory-compromised-merchants.ts';
import { InMemoryCustomerHistory } from './in-memory-customer-history.ts';
import { InMemoryErasureMarkers } from './in-memory-erasure-markers.ts';
import { InMemoryPreferenceStore } from './in-memory-preference-store.ts';
import { StoreCustomerSettings } from './store-customer-settings.ts';

const offlineKey = Promise.resolve(OFFLINE_REPORTER_KEY);
const offlineReporterKey = () => offlineKey;

/**
 * Every port scoring and confirmed-fraud feedback need, in memory and empty but for the given
 * thresholds: what `vigil backtest`, the tuning bench and the parity test replay a history with.
 */
export function inMemoryScoringPorts(
  thresholds: ThresholdStore,
  clock: Clock,
): ScoreBankEventPorts & FraudFeedbackPorts {
  const erasures = new InMemoryErasureMarkers();
  return {
    thresholds,
    history: new InMemoryCustomerHistory(erasures),
    merchants: new InMemoryCompromisedMerchants(),
    reporterKey: offlineReporterKey,
    balances: new InMemoryBalanceWatch(),
    alerts: new InMemoryAlertStore(),
    events: new ReplayEventLog(),
    erasures,
    customerSettings: new StoreCustomerSettings(thresholds, new InMemoryPreferenceStore()),
    clock,
  };
}

/**
 * The events as a replay needs them: which were scored, so that an event id repeated in a history
 * is scored once, as the scorer skips a redelivery. A replay receives no events, so it keeps no
 * event (the events table's in-memory version, InMemoryEventStore, would hold about 275 MB for a
 * 240,000-event history).
 */
class ReplayEventLog implements EventStore {
  private readonly scored = new Set<string>();

  async putIfAbsent(): Promise<PutEventResult> {
    throw new Error('A replay stores no events: it scores them as they come.');
  }

  async isScored(bankId: string, eventId: string): Promise<boolean> {
    return this.scored.has(eventKeyOf(bankId, eventId));
  }

  async markScored(bankId: string, eventId: string): Promise<void> {
    this.scored.add(eventKeyOf(bankId, eventId));
  }
}
