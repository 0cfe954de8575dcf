import type { Alert } from '../domain/alert.ts';
import type { CallbackDelivery } from '../domain/callback-delivery.ts';
import type { StoredEvent } from '../domain/stored-event.ts';

/** What `vigil redrive` needs: finding stuck items, and writing them again so their stream retries them. */
export interface RedriveStore {
  /** Events still `received` (never scored) that arrived before the cutoff. */
  unscoredEvents(receivedBefore: Date): Promise<StoredEvent[]>;
  /** Alerts still `pending` created before the cutoff. */
  pendingAlerts(createdBefore: Date): Promise<Alert[]>;
  /** Callbacks that gave up. */
  deadCallbacks(): Promise<CallbackDelivery[]>;
  /** Deletes and writes the item again: its table's stream sees a new insert. */
  reinsertEvent(event: StoredEvent): Promise<void>;
  reinsertAlert(alert: Alert): Promise<void>;
  /**
   * Marks a pending, unclaimed alert as re-driven in place: its table's stream sees a change, and
   * nothing of it is lost meanwhile (for a fraud check's first alert, whose members keep joining).
   */
  touchAlert(alertId: string, now: Date): Promise<void>;
  /** Puts a dead callback back in the outbox, with a fresh retry window. */
  requeueCallback(delivery: CallbackDelivery, now: Date): Promise<void>;
}
