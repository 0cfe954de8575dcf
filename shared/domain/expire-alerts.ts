import type { AlertStore } from '../ports/alert-store.ts';
import type { BankDirectory } from '../ports/bank-directory.ts';
import type { Clock } from '../ports/clock.ts';

/** Alerts expired per bank per run; more wait for the next run. */
const PER_BANK_LIMIT = 100;

export interface ExpireAlertsPorts {
  readonly alerts: AlertStore;
  readonly banks: BankDirectory;
  readonly clock: Clock;
}

/**
 * Expires the fraud checks nobody answered in time (docs/contract.md#alert-lifecycle): each bank's sent alerts past their
 * deadline (set when sent, from the bank's expiry setting), read from the sparse index of open
 * alerts. The change is conditional, so an alert answered meanwhile keeps its answer.
 */
export async function expireAlerts(ports: ExpireAlertsPorts) {
  const now = ports.clock.now();
  let expired = 0;
  for (const bankId of await ports.banks.list()) {
    for (const alertId of await ports.alerts.openPastDeadline(bankId, now, PER_BANK_LIMIT)) {
      if (await ports.alerts.expire(alertId, now)) expired++;
    }
  }
  return { expired };
}
