import type { Alert } from '../../../shared/domain/alert.ts';
import { type CallbackDelivery, FIRST_RETRY_DELAY_MS } from '../../../shared/domain/callback-delivery.ts';
import type { StoredEvent } from '../../../shared/domain/stored-event.ts';
import type { RedriveStore } from '../../../shared/ports/redrive-store.ts';

/**
 * What `vigil redrive` scans, in memory: the items given, found by status and age as the DynamoDB
 * scans find them. `writes` lists, in order, what a table's stream would see again.
 */
export class FakeRedriveStore implements RedriveStore {
  readonly writes: string[] = [];
  private readonly events = new Map<string, StoredEvent>();
  private readonly alerts = new Map<string, Alert & { redrivenAt?: string }>();
  private readonly callbacks = new Map<string, CallbackDelivery>();

  constructor(
    items: {
      readonly events?: readonly StoredEvent[];
      readonly alerts?: readonly Alert[];
      readonly callbacks?: readonly CallbackDelivery[];
    } = {},
  ) {
    for (const event of items.events ?? []) this.events.set(event.eventKey, { ...event });
    for (const alert of items.alerts ?? []) this.alerts.set(alert.alertId, { ...alert });
    for (const delivery of items.callbacks ?? []) this.callbacks.set(delivery.deliveryId, { ...delivery });
  }

  async unscoredEvents(receivedBefore: Date): Promise<StoredEvent[]> {
    const cutoff = receivedBefore.toISOString();
    return [...this.events.values()]
      .filter((e) => e.status === 'received' && e.receivedAt < cutoff)
      .map((e) => ({ ...e }));
  }

  async pendingAlerts(createdBefore: Date): Promise<Alert[]> {
    const cutoff = createdBefore.toISOString();
    return [...this.alerts.values()]
      .filter((a) => a.status === 'pending' && a.createdAt < cutoff)
      .map((a) => ({ ...a }));
  }

  async deadCallbacks(): Promise<CallbackDelivery[]> {
    return [...this.callbacks.values()].filter((d) => d.status === 'dead').map((d) => ({ ...d }));
  }

  async reinsertEvent(event: StoredEvent): Promise<void> {
    this.events.set(event.eventKey, { ...event });
    this.writes.push(`event:${event.eventId}`);
  }

  async reinsertAlert(alert: Alert): Promise<void> {
    this.alerts.set(alert.alertId, { ...alert });
    this.writes.push(`alert:${alert.alertId}`);
  }

  /** As the DynamoDB condition: only a pending alert whose send nobody has claimed. */
  async touchAlert(alertId: string, now: Date): Promise<void> {
    const alert = this.alerts.get(alertId);
    if (alert?.status !== 'pending' || alert.sendClaimedAt !== undefined) return;
    alert.redrivenAt = now.toISOString();
    this.writes.push(`touch:${alertId}`);
  }

  async requeueCallback(delivery: CallbackDelivery, now: Date): Promise<void> {
    this.callbacks.set(delivery.deliveryId, {
      ...delivery,
      status: 'pending',
      createdAt: now.toISOString(),
      nextAttemptAt: new Date(now.getTime() + FIRST_RETRY_DELAY_MS).toISOString(),
    });
    this.writes.push(`callback:${delivery.deliveryId}`);
  }
}
