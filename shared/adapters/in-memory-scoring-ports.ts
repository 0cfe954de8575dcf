import { type FraudFeedbackPorts, OFFLINE_REPORTER_KEY } from '../domain/compromised-merchant.ts';
import type { ScoreBankEventPorts } from '../domain/score-bank-event.ts';
import type { Clock } from '../ports/clock.ts';
import type { ThresholdStore } from '../ports/threshold-store.ts';
import { InMemoryActivityLedger } from './in-memory-activity-ledger.ts';
import { InMemoryAlertStore } from './in-memory-alert-store.ts';
import { InMemoryBalanceWatch } from './in-memory-balance-watch.ts';
import { InMemoryCompromisedMerchants } from './in-memory-compromised-merchants.ts';
import { InMemoryCustomerProfiles } from './in-memory-customer-profiles.ts';
import { InMemoryErasureMarkers } from './in-memory-erasure-markers.ts';
import { InMemoryEventStore } from './in-memory-event-store.ts';
import { InMemoryPreferenceStore } from './in-memory-preference-store.ts';

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
  return {
    thresholds,
    activity: new InMemoryActivityLedger(),
    profiles: new InMemoryCustomerProfiles(),
    merchants: new InMemoryCompromisedMerchants(),
    reporterKey: offlineReporterKey,
    balances: new InMemoryBalanceWatch(),
    alerts: new InMemoryAlertStore(),
    events: new InMemoryEventStore(),
    erasures: new InMemoryErasureMarkers(),
    preferences: new InMemoryPreferenceStore(),
    clock,
  };
}
