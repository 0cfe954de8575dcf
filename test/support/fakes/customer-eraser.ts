import type { Clock } from '../../../shared/ports/clock.ts';
import type { CustomerEraser } from '../../../shared/ports/customer-eraser.ts';
import type { ErasureMarkers } from '../../../shared/ports/erasure.ts';
import type { PreferenceStore } from '../../../shared/ports/preference-store.ts';
import type { SubscriberStore } from '../../../shared/ports/subscriber-store.ts';
import type { ThresholdStore } from '../../../shared/ports/threshold-store.ts';

/**
 * Erasure over the given in-memory stores, in the DynamoDB eraser's order: the marker first, the
 * subscription, the marker moved to now, then the override and preferences. The alerts, events
 * and activity stores have no delete in their ports: what was asked is in `erased`.
 */
export class FakeCustomerEraser implements CustomerEraser {
  readonly erased: { readonly bankId: string; readonly customerId: string; readonly erasureRef: string }[] =
    [];

  constructor(
    private readonly stores: {
      readonly subscribers: SubscriberStore;
      readonly thresholds: ThresholdStore;
      readonly preferences: PreferenceStore;
      readonly markers: ErasureMarkers;
    },
    private readonly clock: Clock,
  ) {}

  async erase(bankId: string, customerId: string, erasureRef: string): Promise<void> {
    await this.stores.markers.mark(erasureRef, this.clock.now());
    await this.stores.subscribers.delete(bankId, customerId);
    await this.stores.markers.mark(erasureRef, this.clock.now());
    await this.stores.thresholds.deleteCustomerOverride(bankId, customerId);
    await this.stores.preferences.delete(bankId, customerId);
    this.erased.push({ bankId, customerId, erasureRef });
  }
}
