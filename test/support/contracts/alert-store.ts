import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/domain/alert.ts';
import type { AlertStore } from '../../../shared/ports/alert-store.ts';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const DEADLINE = '2026-03-01T13:00:00.000Z';

/** What every AlertStore does: run against the in-memory store and DynamoDB. */
export function alertStoreContract(name: string, make: () => AlertStore | Promise<AlertStore>) {
  describe(`${name} (AlertStore contract)`, () => {
    it('creates an alert once, and finds it by id and by its opaque ref', async () => {
      const store = await make();
      const alert = fresh();
      expect(await store.createOnce(alert)).toBe(true);
      expect(await store.createOnce({ ...alert, customerId: 'other' })).toBe(false);
      expect(await store.get(alert.alertId)).toMatchObject(alert);
      expect(await store.byRef(alert.ref)).toMatchObject(alert);
      expect(await store.get(`${alert.alertId}-none`)).toBeUndefined();
      expect(await store.byRef(`${alert.ref}-none`)).toBeUndefined();
    });

    it('claims a pending alert for one send at a time, counting the attempts', async () => {
      const store = await make();
      const alert = fresh();
      await store.createOnce(alert);
      expect(await store.claimSend(alert.alertId, T0)).toBe(1);
      expect(await store.claimSend(alert.alertId, T0)).toBeUndefined();
      await store.releaseSend(alert.alertId);
      expect(await store.claimSend(alert.alertId, T0)).toBe(2);
      expect(await store.claimSend(`${alert.alertId}-none`, T0)).toBeUndefined();
    });

    it('lets only one of two concurrent claims win', async () => {
      const store = await make();
      const alert = fresh();
      await store.createOnce(alert);
      const claims = await Promise.all([
        store.claimSend(alert.alertId, T0),
        store.claimSend(alert.alertId, T0),
      ]);
      expect(claims.filter((c) => c !== undefined)).toEqual([1]);
    });

    it('marks a pending alert sent, once, and never claims it again', async () => {
      const store = await make();
      const alert = fresh();
      await store.createOnce(alert);
      await store.claimSend(alert.alertId, T0);
      await store.markSent(alert.alertId, {
        psid: 'p1',
        messageId: 'm1',
        sentAt: T0.toISOString(),
        deadline: DEADLINE,
      });
      const sent = await store.get(alert.alertId);
      expect(sent).toMatchObject({
        status: 'sent',
        psid: 'p1',
        messageId: 'm1',
        sentAt: T0.toISOString(),
        deadline: DEADLINE,
      });
      expect(sent).not.toHaveProperty('sendClaimedAt');
      expect(await store.claimSend(alert.alertId, T0)).toBeUndefined();
      await store.markUndeliverable(alert.alertId, 'late', T0);
      await store.markSent(alert.alertId, { psid: 'p2', messageId: 'm2', sentAt: T0.toISOString() });
      expect(await store.get(alert.alertId)).toMatchObject({ status: 'sent', psid: 'p1', messageId: 'm1' });
    });

    it('marks a pending alert undeliverable with its reason, and it stays so', async () => {
      const store = await make();
      const alert = fresh();
      await store.createOnce(alert);
      await store.claimSend(alert.alertId, T0);
      await store.markUndeliverable(alert.alertId, 'outside_window', T0);
      const gone = await store.get(alert.alertId);
      expect(gone).toMatchObject({
        status: 'undeliverable',
        undeliverableReason: 'outside_window',
        updatedAt: T0.toISOString(),
      });
      expect(gone).not.toHaveProperty('sendClaimedAt');
      await store.markSent(alert.alertId, { psid: 'p1', messageId: 'm1', sentAt: T0.toISOString() });
      expect((await store.get(alert.alertId))?.status).toBe('undeliverable');
      expect(await store.claimSend(alert.alertId, T0)).toBeUndefined();
    });

    it('takes one answer, from the customer it was sent to, before the deadline', async () => {
      const store = await make();
      const alert = await sentAlert(store);
      const beforeDeadline = new Date('2026-03-01T12:30:00.000Z');
      expect(await store.answer(alert.alertId, 'disputed', 'someone-else', beforeDeadline)).toBe(false);
      expect(await store.answer(alert.alertId, 'confirmed', 'p1', new Date(DEADLINE))).toBe(false);
      expect((await store.get(alert.alertId))?.status).toBe('sent');
      expect(await store.answer(alert.alertId, 'disputed', 'p1', beforeDeadline)).toBe(true);
      expect(await store.get(alert.alertId)).toMatchObject({
        status: 'disputed',
        answeredAt: beforeDeadline.toISOString(),
      });
      expect(await store.answer(alert.alertId, 'confirmed', 'p1', beforeDeadline)).toBe(false);
      expect(await store.answer(fresh().alertId, 'confirmed', 'p1', beforeDeadline)).toBe(false);
    });

    it('lists and expires sent alerts only once their deadline has come', async () => {
      const store = await make();
      const alert = await sentAlert(store);
      const answered = await sentAlert(store, alert.bankId);
      await store.answer(answered.alertId, 'confirmed', 'p1', T0);
      const early = new Date('2026-03-01T12:59:59.999Z');
      expect(await store.openPastDeadline(alert.bankId, early, 10)).toEqual([]);
      expect(await store.expire(alert.alertId, early)).toBe(false);
      expect(await store.openPastDeadline(alert.bankId, new Date(DEADLINE), 10)).toEqual([alert.alertId]);
      expect(await store.openPastDeadline(`${alert.bankId}-other`, new Date(DEADLINE), 10)).toEqual([]);
      expect(await store.expire(alert.alertId, new Date(DEADLINE))).toBe(true);
      expect(await store.get(alert.alertId)).toMatchObject({ status: 'expired', expiredAt: DEADLINE });
      expect(await store.expire(alert.alertId, new Date(DEADLINE))).toBe(false);
      expect(await store.expire(answered.alertId, new Date(DEADLINE))).toBe(false);
      expect(await store.openPastDeadline(alert.bankId, new Date(DEADLINE), 10)).toEqual([]);
    });
  });
}

async function sentAlert(store: AlertStore, bankId?: string): Promise<Alert> {
  const alert = fresh(bankId);
  await store.createOnce(alert);
  await store.claimSend(alert.alertId, T0);
  await store.markSent(alert.alertId, {
    psid: 'p1',
    messageId: 'm1',
    sentAt: T0.toISOString(),
    deadline: DEADLINE,
  });
  return alert;
}

function fresh(bankId = `bank-${randomUUID()}`): Alert {
  const id = randomUUID();
  return {
    alertId: `${bankId}#txn#${id}`,
    ref: `ref-${id}`,
    bankId,
    customerId: 'c1',
    customerKey: `${bankId}#c1`,
    kind: 'fraud_check',
    status: 'pending',
    eventId: `evt-${id}`,
    transactionId: id,
    reasons: [],
    display: {
      cardLast4: '4242',
      amount: 12.5,
      currency: 'EUR',
      merchantName: 'Shop',
      merchantCountry: 'FR',
      occurredAt: '2026-03-01T11:59:00.000Z',
    },
    createdAt: T0.toISOString(),
    expiresAt: Math.floor(T0.getTime() / 1000) + 86_400,
  };
}
