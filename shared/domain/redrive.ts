import type { AlertStore } from '../ports/alert-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { RedriveStore } from '../ports/redrive-store.ts';

export interface RedriveResult {
  readonly eventsRescored: number;
  readonly alertsResent: number;
  readonly alertsUndeliverable: number;
  readonly callbacksRequeued: number;
}

/**
 * Re-drives what is stuck past its deadline (a record that still fails stays in its table with its
 * status: docs/architecture.md#failures): unscored events and never-claimed pending alerts are written again, so
 * that their streams retry them after the stream's own 24 h; an alert whose send was claimed but
 * never confirmed is not sent again (it may have reached the customer) but becomes
 * `undeliverable`, so the bank can fall back; dead callbacks go back to the outbox.
 */
export async function redrive(
  ports: { store: RedriveStore; alerts: AlertStore; clock: Clock },
  olderThanMinutes = 10,
): Promise<RedriveResult> {
  const now = ports.clock.now();
  const cutoff = new Date(now.getTime() - olderThanMinutes * 60_000);
  let eventsRescored = 0;
  for (const event of await ports.store.unscoredEvents(cutoff)) {
    await ports.store.reinsertEvent(event);
    eventsRescored++;
  }
  let alertsResent = 0;
  let alertsUndeliverable = 0;
  for (const alert of await ports.store.pendingAlerts(cutoff)) {
    if (alert.sendClaimedAt !== undefined) {
      await ports.alerts.markUndeliverable(alert.alertId, 'send_unconfirmed', now);
      alertsUndeliverable++;
    } else {
      // A fraud check's first alert is changed in place, not deleted and written again: members
      // joining meanwhile would be lost, and its open-check item would name a missing alert.
      if (alert.checkId === alert.alertId) await ports.store.touchAlert(alert.alertId, now);
      else await ports.store.reinsertAlert(alert);
      alertsResent++;
    }
  }
  let callbacksRequeued = 0;
  for (const delivery of await ports.store.deadCallbacks()) {
    await ports.store.requeueCallback(delivery, now);
    callbacksRequeued++;
  }
  return { eventsRescored, alertsResent, alertsUndeliverable, callbacksRequeued };
}
