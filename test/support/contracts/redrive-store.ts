import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/domain/alert.ts';
import type { CallbackDelivery } from '../../../shared/domain/callback-delivery.ts';
import { type StoredEvent, toStoredEvent } from '../../../shared/domain/stored-event.ts';
import type { RedriveStore } from '../../../shared/ports/redrive-store.ts';
import { cardTransaction } from '../../fixtures/bank-events.ts';

export interface RedriveSeed {
  readonly events: readonly StoredEvent[];
  readonly alerts: readonly Alert[];
  readonly callbacks: readonly CallbackDelivery[];
}

const NOW = new Date('2036-03-01T12:00:00.000Z');
const OLD = new Date('2036-03-01T11:00:00.000Z');
const CUTOFF = new Date('2036-03-01T11:50:00.000Z');

/**
 * What every RedriveStore does, over the items given to `make` (which holds them, and only them,
 * as its tables would): run against the fake and DynamoDB.
 */
export function redriveStoreContract(
  name: string,
  make: (seed: RedriveSeed) => RedriveStore | Promise<RedriveStore>,
) {
  describe(`${name} (RedriveStore contract)`, () => {
    const run = randomUUID().slice(0, 8);
    const event = (id: string, at: Date, status: StoredEvent['status'] = 'received'): StoredEvent => ({
      ...toStoredEvent('acme', `${run}-${id}`, cardTransaction(), at),
      status,
    });
    const alert = (id: string, at: Date, changes: Partial<Alert> = {}): Alert => ({
      alertId: `${run}-${id}`,
      ref: `ref-${run}-${id}`,
      bankId: 'acme',
      customerId: 'c1',
      customerKey: 'acme#c1',
      kind: 'fraud_check',
      status: 'pending',
      eventId: `e-${id}`,
      reasons: [],
      display: {
        cardLast4: '4242',
        amount: 100,
        currency: 'EUR',
        merchantName: 'Shop',
        merchantCountry: 'FR',
        occurredAt: at.toISOString(),
      },
      createdAt: at.toISOString(),
      expiresAt: 1_900_000_000,
      ...changes,
    });
    const delivery = (id: string, status: CallbackDelivery['status']): CallbackDelivery => ({
      deliveryId: `${run}-${id}`,
      bankId: 'acme',
      type: 'alert.confirmed',
      body: '{}',
      status,
      attempts: 8,
      createdAt: OLD.toISOString(),
      expiresAt: 1_900_000_000,
    });
    const ids = (items: readonly { eventId?: string; alertId?: string; deliveryId?: string }[]) =>
      items
        .map((i) => i.deliveryId ?? i.alertId ?? i.eventId ?? '')
        .filter((id) => id.startsWith(run))
        .sort();

    const seed: RedriveSeed = {
      events: [event('old', OLD), event('new', NOW), event('scored', OLD, 'scored')],
      alerts: [
        alert('old', OLD),
        alert('claimed', OLD, { sendClaimedAt: OLD.toISOString() }),
        alert('new', NOW),
        alert('sent', OLD, { status: 'sent' }),
      ],
      callbacks: [
        delivery('dead', 'dead'),
        { ...delivery('pending', 'pending'), nextAttemptAt: NOW.toISOString() },
      ],
    };

    it('finds only events never scored, alerts still pending, older than the cutoff, and dead callbacks', async () => {
      const store = await make(seed);
      expect(ids(await store.unscoredEvents(CUTOFF))).toEqual([`${run}-old`]);
      expect(ids(await store.pendingAlerts(CUTOFF))).toEqual([`${run}-claimed`, `${run}-old`]);
      expect(ids(await store.deadCallbacks())).toEqual([`${run}-dead`]);
    });

    it('writes an event or alert again as it was, listed once', async () => {
      const store = await make(seed);
      const [stuck] = (await store.unscoredEvents(CUTOFF)).filter((e) => e.eventId.startsWith(run));
      await store.reinsertEvent(stuck as StoredEvent);
      expect((await store.unscoredEvents(CUTOFF)).filter((e) => e.eventId.startsWith(run))).toEqual([stuck]);
      const pending = (await store.pendingAlerts(CUTOFF)).find((a) => a.alertId === `${run}-old`) as Alert;
      await store.reinsertAlert(pending);
      expect((await store.pendingAlerts(CUTOFF)).filter((a) => a.alertId === pending.alertId)).toEqual([
        pending,
      ]);
    });

    it('marks an unclaimed pending alert as re-driven in place, and leaves a claimed one as it is', async () => {
      const store = await make(seed);
      await store.touchAlert(`${run}-old`, NOW);
      await expect(store.touchAlert(`${run}-claimed`, NOW)).resolves.toBeUndefined();
      const found = await store.pendingAlerts(CUTOFF);
      const touched = found.find((a) => a.alertId === `${run}-old`) as Alert & { redrivenAt?: string };
      const claimed = found.find((a) => a.alertId === `${run}-claimed`) as Alert & { redrivenAt?: string };
      expect(touched.redrivenAt).toBe(NOW.toISOString());
      expect(touched).toMatchObject({ status: 'pending', ref: `ref-${run}-old` });
      expect(claimed.redrivenAt).toBeUndefined();
      expect(claimed.sendClaimedAt).toBe(OLD.toISOString());
    });

    it('puts a dead callback back in the outbox: no longer dead', async () => {
      const store = await make(seed);
      const [dead] = (await store.deadCallbacks()).filter((d) => d.deliveryId.startsWith(run));
      await store.requeueCallback(dead as CallbackDelivery, NOW);
      expect(ids(await store.deadCallbacks())).toEqual([]);
    });
  });
}
