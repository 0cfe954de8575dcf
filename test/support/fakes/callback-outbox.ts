import type { CallbackDelivery } from '../../../shared/domain/callback-delivery.ts';
import type { CallbackOutbox } from '../../../shared/ports/callback-outbox.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The callbacks table in memory, with the same conditional changes. */
export class FakeCallbackOutbox implements CallbackOutbox {
  private readonly items = new Map<string, Mutable<CallbackDelivery>>();

  async enqueue(delivery: CallbackDelivery): Promise<boolean> {
    if (this.items.has(delivery.deliveryId)) return false;
    this.items.set(delivery.deliveryId, { ...delivery });
    return true;
  }

  async get(deliveryId: string): Promise<CallbackDelivery | undefined> {
    const item = this.items.get(deliveryId);
    return item && { ...item };
  }

  async claim(deliveryId: string, seen: string | undefined, leaseUntil: Date): Promise<boolean> {
    const item = this.items.get(deliveryId);
    if (item?.status !== 'pending' || item.nextAttemptAt !== (seen ?? '')) return false;
    item.nextAttemptAt = leaseUntil.toISOString();
    return true;
  }

  async markDelivered(deliveryId: string, attempts: number, at: Date): Promise<void> {
    const item = this.pending(deliveryId);
    if (item === undefined) return;
    // Once delivered, the body (the bank's customer and transaction ids) is no longer kept.
    const { nextAttemptAt: _next, body: _body, ...rest } = item;
    this.items.set(deliveryId, {
      ...rest,
      status: 'delivered',
      attempts,
      deliveredAt: at.toISOString(),
    } as Mutable<CallbackDelivery>);
  }

  async reschedule(deliveryId: string, attempts: number, nextAttemptAt: Date, error: string): Promise<void> {
    const item = this.pending(deliveryId);
    if (item === undefined) return;
    Object.assign(item, { attempts, nextAttemptAt: nextAttemptAt.toISOString(), lastError: error });
  }

  async markDead(deliveryId: string, attempts: number, error: string): Promise<void> {
    const item = this.pending(deliveryId);
    if (item === undefined) return;
    const { nextAttemptAt: _next, ...rest } = item;
    this.items.set(deliveryId, { ...rest, status: 'dead', attempts, lastError: error });
  }

  async due(bankId: string, now: Date, limit: number): Promise<CallbackDelivery[]> {
    return [...this.items.values()]
      .filter(
        (d) =>
          d.bankId === bankId &&
          d.status === 'pending' &&
          d.nextAttemptAt !== undefined &&
          d.nextAttemptAt <= now.toISOString(),
      )
      .sort((a, b) => String(a.nextAttemptAt).localeCompare(String(b.nextAttemptAt)))
      .slice(0, limit)
      .map((d) => ({ ...d }));
  }

  async dead(limit: number): Promise<CallbackDelivery[]> {
    return [...this.items.values()]
      .filter((d) => d.status === 'dead')
      .slice(0, limit)
      .map((d) => ({ ...d }));
  }

  private pending(deliveryId: string): Mutable<CallbackDelivery> | undefined {
    const item = this.items.get(deliveryId);
    return item?.status === 'pending' ? item : undefined;
  }
}
