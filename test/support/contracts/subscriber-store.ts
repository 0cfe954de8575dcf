import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Subscriber } from '../../../shared/domain/subscriber.ts';
import type { SubscriberStore } from '../../../shared/ports/subscriber-store.ts';

/** What every SubscriberStore does, whatever keeps it: run against the fake and DynamoDB. */
export function subscriberStoreContract(
  name: string,
  make: () => SubscriberStore | Promise<SubscriberStore>,
) {
  describe(`${name} (SubscriberStore contract)`, () => {
    it('gets a saved subscription by bank and customer, and every subscription of a PSID', async () => {
      const store = await make();
      const s = fresh();
      const other = { ...s, bankId: `${s.bankId}-2` };
      await store.save(s);
      await store.save(other);
      expect(await store.get(s.bankId, s.customerId)).toEqual(s);
      expect(await store.get(s.bankId, `${s.customerId}-none`)).toBeUndefined();
      const byAddress = await store.byAddress(s.address);
      expect(byAddress.map((x) => x.bankId).sort()).toEqual([s.bankId, other.bankId].sort());
      expect(await store.byAddress(`${s.address}-none`)).toEqual([]);
    });

    it('changes the status only from one of the given statuses, with the given changes', async () => {
      const store = await make();
      const s = fresh({ status: 'pending_consent' });
      await store.save(s);
      expect(await store.changeStatus(s.bankId, s.customerId, ['revoked'], 'active')).toBe(false);
      expect((await store.get(s.bankId, s.customerId))?.status).toBe('pending_consent');
      const changed = await store.changeStatus(
        s.bankId,
        s.customerId,
        ['pending_consent', 'revoked'],
        'active',
        {
          consentedAt: '2036-03-01T12:00:00.000Z',
          consentVersion: 'consent-v1',
        },
      );
      expect(changed).toBe(true);
      expect(await store.get(s.bankId, s.customerId)).toMatchObject({
        status: 'active',
        consentedAt: '2036-03-01T12:00:00.000Z',
        consentVersion: 'consent-v1',
        address: s.address,
      });
      expect(await store.changeStatus(s.bankId, 'nobody', ['active'], 'revoked')).toBe(false);
      expect(await store.get(s.bankId, 'nobody')).toBeUndefined();
    });

    it('records the last inbound message of an existing subscription and creates none', async () => {
      const store = await make();
      const s = fresh();
      await store.save(s);
      await store.touch(s.bankId, s.customerId, new Date('2036-03-01T13:00:00.000Z'));
      expect((await store.get(s.bankId, s.customerId))?.lastInboundAt).toBe('2036-03-01T13:00:00.000Z');
      await store.touch(s.bankId, 'nobody', new Date('2036-03-01T13:00:00.000Z'));
      expect(await store.get(s.bankId, 'nobody')).toBeUndefined();
    });

    it('offers a takeover that moves the subscription only for the pending user and enrollment', async () => {
      const store = await make();
      const s = fresh({ lastInboundAt: '2036-03-01T10:00:00.000Z' });
      const newcomer = `psid-${randomUUID()}`;
      await store.save(s);
      expect(
        await store.offerTakeover(s.bankId, 'nobody', {
          address: newcomer,
          enrollmentId: 'e2',
          locale: 'fr_FR',
        }),
      ).toBe(false);
      expect(
        await store.offerTakeover(s.bankId, s.customerId, {
          address: newcomer,
          enrollmentId: 'e2',
          locale: 'fr_FR',
        }),
      ).toBe(true);
      // Until the newcomer agrees, the subscription stays the first user's.
      expect(await store.get(s.bankId, s.customerId)).toMatchObject({ address: s.address, status: 'active' });
      expect((await store.pendingTakeovers(newcomer)).map((x) => x.customerId)).toEqual([s.customerId]);
      expect(await store.pendingTakeovers(s.address)).toEqual([]);

      const consent = {
        consentedAt: '2036-03-01T12:00:00.000Z',
        consentVersion: 'consent-v1',
        lastInboundAt: '2036-03-01T12:00:00.000Z',
      };
      expect(
        await store.takeOver(s.bankId, s.customerId, { address: newcomer, enrollmentId: 'other' }, consent),
      ).toBeUndefined();
      expect(
        await store.takeOver(s.bankId, s.customerId, { address: s.address, enrollmentId: 'e2' }, consent),
      ).toBeUndefined();
      const before = await store.takeOver(
        s.bankId,
        s.customerId,
        { address: newcomer, enrollmentId: 'e2' },
        consent,
      );
      expect(before).toMatchObject({ address: s.address, enrollmentId: s.enrollmentId });
      const after = await store.get(s.bankId, s.customerId);
      expect(after).toMatchObject({
        address: newcomer,
        enrollmentId: 'e2',
        locale: 'fr_FR',
        status: 'active',
        ...consent,
      });
      expect(after).not.toHaveProperty('pendingAddress');
      expect(after).not.toHaveProperty('pendingEnrollmentId');
      expect(after).not.toHaveProperty('pendingLocale');
      expect(await store.pendingTakeovers(newcomer)).toEqual([]);
      // Taken once: the same agreement again finds no pending takeover.
      expect(
        await store.takeOver(s.bankId, s.customerId, { address: newcomer, enrollmentId: 'e2' }, consent),
      ).toBeUndefined();
    });

    it('drops a pending takeover only for the user it was offered to', async () => {
      const store = await make();
      const s = fresh();
      const newcomer = `psid-${randomUUID()}`;
      await store.save(s);
      await store.offerTakeover(s.bankId, s.customerId, {
        address: newcomer,
        enrollmentId: 'e2',
        locale: 'en_US',
      });
      expect(await store.dropTakeover(s.bankId, s.customerId, s.address)).toBe(false);
      expect(await store.dropTakeover(s.bankId, s.customerId, newcomer)).toBe(true);
      expect(await store.get(s.bankId, s.customerId)).toEqual(s);
      expect(await store.dropTakeover(s.bankId, s.customerId, newcomer)).toBe(false);
    });

    it('deletes, and says whether there was a subscription', async () => {
      const store = await make();
      const s = fresh();
      await store.save(s);
      expect(await store.delete(s.bankId, s.customerId)).toBe(true);
      expect(await store.get(s.bankId, s.customerId)).toBeUndefined();
      expect(await store.byAddress(s.address)).toEqual([]);
      expect(await store.delete(s.bankId, s.customerId)).toBe(false);
    });

    it('replaces a subscription on save', async () => {
      const store = await make();
      const s = fresh({ lastInboundAt: '2036-03-01T10:00:00.000Z' });
      await store.save(s);
      const { lastInboundAt: _, ...replacement } = {
        ...s,
        status: 'pending_consent' as const,
        enrollmentId: 'e9',
      };
      await store.save(replacement);
      expect(await store.get(s.bankId, s.customerId)).toEqual(replacement);
    });
  });
}

function fresh(changes: Partial<Subscriber> = {}): Subscriber {
  const id = randomUUID();
  return {
    bankId: `bank-${id}`,
    customerId: `cust-${id}`,
    address: `psid-${id}`,
    status: 'active',
    locale: 'en_US',
    enrollmentId: `enr-${id}`,
    updatedAt: '2036-03-01T11:00:00.000Z',
    ...changes,
  };
}
