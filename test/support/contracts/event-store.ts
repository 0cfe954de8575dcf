import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toStoredEvent } from '../../../shared/domain/stored-event.ts';
import type { EventStore } from '../../../shared/ports/event-store.ts';
import { cardTransaction } from '../../fixtures/bank-events.ts';

const NOW = new Date('2036-03-01T12:00:00.000Z');

/** What every EventStore does: run against the in-memory store and DynamoDB. */
export function eventStoreContract(name: string, make: () => EventStore | Promise<EventStore>) {
  describe(`${name} (EventStore contract)`, () => {
    it('stores an event once; a second put with its id returns the first, unchanged', async () => {
      const store = await make();
      const eventId = `evt_${randomUUID()}`;
      const first = toStoredEvent('acme', eventId, cardTransaction({ customerId: 'c1' }), NOW);
      expect(await store.putIfAbsent(first)).toEqual({ stored: true });
      const other = toStoredEvent('acme', eventId, cardTransaction({ customerId: 'c2' }), NOW);
      expect(await store.putIfAbsent(other)).toEqual({ stored: false, existing: first });
      // The same event id at another bank is another event.
      const elsewhere = toStoredEvent('other', eventId, cardTransaction({ customerId: 'c1' }), NOW);
      expect(await store.putIfAbsent(elsewhere)).toEqual({ stored: true });
    });

    it('tells a scored event from one only received, by bank and event id', async () => {
      const store = await make();
      const eventId = `evt_${randomUUID()}`;
      await store.putIfAbsent(toStoredEvent('acme', eventId, cardTransaction(), NOW));
      await store.putIfAbsent(toStoredEvent('other', eventId, cardTransaction(), NOW));
      expect(await store.isScored('acme', eventId)).toBe(false);
      await store.markScored('acme', eventId, { score: 0.8, alertId: 'acme#txn#t1' });
      expect(await store.isScored('acme', eventId)).toBe(true);
      expect(await store.isScored('other', eventId)).toBe(false);
      // Marking it again (a redelivery) changes nothing and does not fail.
      await store.markScored('acme', eventId, {});
      expect(await store.isScored('acme', eventId)).toBe(true);
    });

    it('leaves an event that is not stored (expired or erased) absent when it is marked scored', async () => {
      const store = await make();
      const eventId = `evt_${randomUUID()}`;
      await expect(store.markScored('acme', eventId, { score: 0.1 })).resolves.toBeUndefined();
      expect(await store.isScored('acme', eventId)).toBe(false);
      // Nothing was written: the event can still be stored as new.
      const event = toStoredEvent('acme', eventId, cardTransaction(), NOW);
      expect(await store.putIfAbsent(event)).toEqual({ stored: true });
      expect(await store.isScored('acme', eventId)).toBe(false);
    });
  });
}
