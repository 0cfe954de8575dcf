import type { CallbackDelivery } from '../domain/callback-delivery.ts';

/** The outbox of bank callbacks. */
export interface CallbackOutbox {
  /** Stores the delivery unless one with its id exists (a redelivered change); true when stored. */
  enqueue(delivery: CallbackDelivery): Promise<boolean>;
  get(deliveryId: string): Promise<CallbackDelivery | undefined>;
  /**
   * Takes a pending delivery for one attempt: moves its next attempt time from `seen` to
   * `leaseUntil`. False when another attempt took it first.
   */
  claim(deliveryId: string, seen: string | undefined, leaseUntil: Date): Promise<boolean>;
  markDelivered(deliveryId: string, attempts: number, at: Date): Promise<void>;
  reschedule(deliveryId: string, attempts: number, nextAttemptAt: Date, error: string): Promise<void>;
  markDead(deliveryId: string, attempts: number, error: string): Promise<void>;
  /** Pending deliveries of a bank whose next attempt time has come, oldest first. */
  due(bankId: string, now: Date, limit: number): Promise<CallbackDelivery[]>;
  /** Deliveries that gave up, for operators. */
  dead(limit: number): Promise<CallbackDelivery[]>;
}
