import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CallbackDelivery } from '../../../shared/domain/callback-delivery.ts';
import type { CallbackOutbox } from '../../../shared/ports/callback-outbox.ts';

const T0 = '2036-03-01T12:00:00.000Z';
const DUE = '2036-03-01T12:00:30.000Z';

/** What every CallbackOutbox does: run against the fake and DynamoDB. */
export function callbackOutboxContract(name: string, make: () => CallbackOutbox | Promise<CallbackOutbox>) {
  describe(`${name} (CallbackOutbox contract)`, () => {
    it('enqueues a delivery once', async () => {
      const outbox = await make();
      const delivery = fresh();
      expect(await outbox.enqueue(delivery)).toBe(true);
      expect(await outbox.enqueue({ ...delivery, body: '{"other":true}' })).toBe(false);
      expect(await outbox.get(delivery.deliveryId)).toMatchObject(delivery);
      expect(await outbox.get(`${delivery.deliveryId}-none`)).toBeUndefined();
    });

    it('claims a delivery only at the next attempt time it was read with, once', async () => {
      const outbox = await make();
      const delivery = fresh();
      await outbox.enqueue(delivery);
      const lease = new Date('2036-03-01T12:01:00.000Z');
      expect(await outbox.claim(delivery.deliveryId, '2036-03-01T11:00:00.000Z', lease)).toBe(false);
      expect(await outbox.claim(delivery.deliveryId, undefined, lease)).toBe(false);
      const claims = await Promise.all([
        outbox.claim(delivery.deliveryId, DUE, lease),
        outbox.claim(delivery.deliveryId, DUE, lease),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await outbox.get(delivery.deliveryId))?.nextAttemptAt).toBe(lease.toISOString());
      expect(await outbox.claim(`${delivery.deliveryId}-none`, DUE, lease)).toBe(false);
    });

    it('lists the due deliveries of one bank, oldest first, up to the limit', async () => {
      const outbox = await make();
      const bankId = `bank-${randomUUID()}`;
      const later = fresh({ bankId, nextAttemptAt: '2036-03-01T12:00:40.000Z' });
      const first = fresh({ bankId, nextAttemptAt: '2036-03-01T12:00:10.000Z' });
      const notYet = fresh({ bankId, nextAttemptAt: '2036-03-01T12:05:00.000Z' });
      const otherBank = fresh({ nextAttemptAt: '2036-03-01T12:00:10.000Z' });
      for (const d of [later, first, notYet, otherBank]) await outbox.enqueue(d);
      const now = new Date('2036-03-01T12:01:00.000Z');
      expect((await outbox.due(bankId, now, 10)).map((d) => d.deliveryId)).toEqual([
        first.deliveryId,
        later.deliveryId,
      ]);
      expect((await outbox.due(bankId, now, 1)).map((d) => d.deliveryId)).toEqual([first.deliveryId]);
    });

    it('reschedules a pending delivery with its attempts and last error', async () => {
      const outbox = await make();
      const delivery = fresh();
      await outbox.enqueue(delivery);
      await outbox.reschedule(delivery.deliveryId, 1, new Date('2036-03-01T12:10:00.000Z'), 'HTTP 503');
      expect(await outbox.get(delivery.deliveryId)).toMatchObject({
        status: 'pending',
        attempts: 1,
        nextAttemptAt: '2036-03-01T12:10:00.000Z',
        lastError: 'HTTP 503',
      });
    });

    it('marks a delivery delivered, drops its body, and takes it off the due list for good', async () => {
      const outbox = await make();
      const delivery = fresh();
      await outbox.enqueue(delivery);
      await outbox.markDelivered(delivery.deliveryId, 2, new Date('2036-03-01T12:00:31.000Z'));
      const done = await outbox.get(delivery.deliveryId);
      expect(done).toMatchObject({
        status: 'delivered',
        attempts: 2,
        deliveredAt: '2036-03-01T12:00:31.000Z',
      });
      expect(done).not.toHaveProperty('body');
      expect(done).not.toHaveProperty('nextAttemptAt');
      expect(await outbox.due(delivery.bankId, new Date('2036-03-02T00:00:00.000Z'), 10)).toEqual([]);
      await outbox.reschedule(delivery.deliveryId, 3, new Date('2036-03-01T12:10:00.000Z'), 'HTTP 503');
      await outbox.markDead(delivery.deliveryId, 3, 'HTTP 503');
      expect((await outbox.get(delivery.deliveryId))?.status).toBe('delivered');
      expect(await outbox.claim(delivery.deliveryId, undefined, new Date())).toBe(false);
    });

    it('moves a delivery to the dead letters, where operators find it', async () => {
      const outbox = await make();
      const delivery = fresh();
      await outbox.enqueue(delivery);
      await outbox.markDead(delivery.deliveryId, 9, 'timeout');
      const dead = await outbox.get(delivery.deliveryId);
      expect(dead).toMatchObject({ status: 'dead', attempts: 9, lastError: 'timeout', body: delivery.body });
      expect(dead).not.toHaveProperty('nextAttemptAt');
      expect(await outbox.due(delivery.bankId, new Date('2036-03-02T00:00:00.000Z'), 10)).toEqual([]);
      expect((await outbox.dead(1000)).map((d) => d.deliveryId)).toContain(delivery.deliveryId);
      await outbox.markDelivered(delivery.deliveryId, 10, new Date());
      expect((await outbox.get(delivery.deliveryId))?.status).toBe('dead');
    });
  });
}

function fresh(changes: Partial<CallbackDelivery> = {}): CallbackDelivery {
  const id = randomUUID();
  return {
    deliveryId: `cb_${id}`,
    bankId: `bank-${id}`,
    type: 'alert.answered',
    body: JSON.stringify({ type: 'alert.answered', id: `cb_${id}` }),
    status: 'pending',
    attempts: 0,
    createdAt: T0,
    nextAttemptAt: DUE,
    expiresAt: 1_800_000_000,
    ...changes,
  };
}
