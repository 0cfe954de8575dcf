import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/domain/alert.ts';
import type { AlertStore } from '../../../shared/ports/alert-store.ts';

const T0 = new Date('2036-03-01T12:00:00.000Z');
const DEADLINE = '2036-03-01T13:00:00.000Z';

/** What every AlertStore does: run against the in-memory store and DynamoDB. */
export function alertStoreContract(name: string, make: () => AlertStore | Promise<AlertStore>) {
  describe(`${name} (AlertStore contract)`, () => {
    it('creates an alert once, and finds it by id and by its opaque ref', async () => {
      const store = await make();
      const alert = fresh();
      expect(await store.createOnce(alert)).toBe(true);
      expect(await store.createOnce({ ...alert, customerId: 'other' })).toBe(false);
      expect(await store.get(alert.alertId)).toMatchObject(alert);
      expect(await store.byRef(alert, alert.ref)).toMatchObject(alert);
      expect(await store.get(`${alert.alertId}-none`)).toBeUndefined();
      expect(await store.byRef(alert, `${alert.ref}-none`)).toBeUndefined();
    });

    it('finds an alert by its ref for its own customer only', async () => {
      const store = await make();
      const alert = fresh();
      await store.createOnce(alert);
      // Another subscriber of the same bank, and the same customer id at another bank.
      expect(await store.byRef({ bankId: alert.bankId, customerId: 'c2' }, alert.ref)).toBeUndefined();
      expect(
        await store.byRef({ bankId: `${alert.bankId}-other`, customerId: 'c1' }, alert.ref),
      ).toBeUndefined();
      // A customer with alerts at two banks: each found with its own bank.
      const atSecondBank = { ...fresh(), customerId: alert.customerId };
      await store.createOnce(atSecondBank);
      expect(await store.byRef(atSecondBank, atSecondBank.ref)).toMatchObject({
        alertId: atSecondBank.alertId,
      });
      expect(await store.byRef(alert, atSecondBank.ref)).toBeUndefined();
      expect(await store.byRef(alert, alert.ref)).toMatchObject({ alertId: alert.alertId });
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
        address: 'p1',
        messageId: 'm1',
        sentAt: T0.toISOString(),
        deadline: DEADLINE,
      });
      const sent = await store.get(alert.alertId);
      expect(sent).toMatchObject({
        status: 'sent',
        address: 'p1',
        messageId: 'm1',
        sentAt: T0.toISOString(),
        deadline: DEADLINE,
      });
      expect(sent).not.toHaveProperty('sendClaimedAt');
      expect(await store.claimSend(alert.alertId, T0)).toBeUndefined();
      await store.markUndeliverable(alert.alertId, 'late', T0);
      await store.markSent(alert.alertId, { address: 'p2', messageId: 'm2', sentAt: T0.toISOString() });
      expect(await store.get(alert.alertId)).toMatchObject({
        status: 'sent',
        address: 'p1',
        messageId: 'm1',
      });
    });

    it('records a channel’s delivery reports of the alert’s own message, each the first time', async () => {
      const store = await make();
      const alert = fresh();
      await store.createOnce(alert);
      await store.markSent(alert.alertId, {
        address: '33611111111',
        channel: 'whatsapp',
        messageId: 'wamid.1',
        sentAt: T0.toISOString(),
      });
      const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
      expect(
        await store.recordDelivery(alert.alertId, 'wamid.other', { status: 'delivered', at: at(1) }),
      ).toBe(false);
      expect(
        await store.recordDelivery(`${alert.alertId}-none`, 'wamid.1', { status: 'read', at: at(1) }),
      ).toBe(false);
      expect((await store.get(alert.alertId))?.deliveredAt).toBeUndefined();
      // Read before delivered (Meta does not promise the order): read implies delivered.
      expect(await store.recordDelivery(alert.alertId, 'wamid.1', { status: 'read', at: at(3) })).toBe(true);
      expect(await store.recordDelivery(alert.alertId, 'wamid.1', { status: 'delivered', at: at(2) })).toBe(
        true,
      );
      expect(await store.recordDelivery(alert.alertId, 'wamid.1', { status: 'read', at: at(9) })).toBe(true);
      expect(await store.get(alert.alertId)).toMatchObject({
        status: 'sent',
        channel: 'whatsapp',
        deliveredAt: at(3).toISOString(),
        readAt: at(3).toISOString(),
      });
      await store.recordDelivery(alert.alertId, 'wamid.1', {
        status: 'failed',
        at: at(4),
        errorCode: 131026,
      });
      expect(await store.get(alert.alertId)).toMatchObject({
        deliveryFailedAt: at(4).toISOString(),
        deliveryError: 131026,
      });
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
      await store.markSent(alert.alertId, { address: 'p1', messageId: 'm1', sentAt: T0.toISOString() });
      expect((await store.get(alert.alertId))?.status).toBe('undeliverable');
      expect(await store.claimSend(alert.alertId, T0)).toBeUndefined();
    });

    it('takes one answer, from the customer it was sent to, before the deadline', async () => {
      const store = await make();
      const alert = await sentAlert(store);
      const beforeDeadline = new Date('2036-03-01T12:30:00.000Z');
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
      const early = new Date('2036-03-01T12:59:59.999Z');
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

    it('opens one fraud check per customer; later transactions join it, and a redelivery changes nothing', async () => {
      const store = await make();
      const first = fresh();
      const second = fresh(first.bankId);
      expect(await store.fileFraudCheck(first, T0)).toEqual({ checkId: first.alertId, created: true });
      expect(await store.get(first.alertId)).toMatchObject({
        status: 'pending',
        checkId: first.alertId,
        members: {},
      });
      const joinedAt = new Date('2036-03-01T12:01:00.000Z');
      expect(await store.fileFraudCheck(second, joinedAt)).toEqual({ checkId: first.alertId, created: true });
      expect(await store.get(second.alertId)).toMatchObject({
        status: 'grouped',
        checkId: first.alertId,
        ref: second.ref,
      });
      // Asked about through the check's message only: a member is not found by its own ref.
      expect(await store.byRef(second, second.ref)).toBeUndefined();
      expect(await store.byRef(first, first.ref)).toMatchObject({ alertId: first.alertId });
      expect((await store.get(first.alertId))?.members).toEqual({
        [second.alertId]: {
          transactionId: second.transactionId,
          score: 0,
          reasons: [],
          display: second.display,
          joinedAt: joinedAt.toISOString(),
        },
      });
      // Redelivered: the same check, nothing created, the member recorded once.
      expect(await store.fileFraudCheck(second, joinedAt)).toEqual({
        checkId: first.alertId,
        created: false,
      });
      expect(await store.fileFraudCheck(first, joinedAt)).toEqual({ checkId: first.alertId, created: false });
      expect(Object.keys((await store.get(first.alertId))?.members ?? {})).toEqual([second.alertId]);
      // Another customer of the same bank, and the same customer id at another bank, have their own.
      const otherCustomer = { ...fresh(first.bankId), customerId: 'c2', customerKey: `${first.bankId}#c2` };
      expect(await store.fileFraudCheck(otherCustomer, T0)).toEqual({
        checkId: otherCustomer.alertId,
        created: true,
      });
      const otherBank = fresh();
      expect(await store.fileFraudCheck(otherBank, T0)).toEqual({
        checkId: otherBank.alertId,
        created: true,
      });
    });

    it('closes the check with its answer, expiry or undeliverable first alert: the next transaction opens a new one', async () => {
      const store = await make();
      const bankId = `bank-${randomUUID()}`;
      const before = new Date('2036-03-01T12:30:00.000Z');
      // Answered.
      const answered = fresh(bankId);
      await store.fileFraudCheck(answered, T0);
      await sendCheck(store, answered);
      expect(await store.answer(answered.alertId, 'disputed', 'p1', before)).toBe(true);
      const afterAnswer = fresh(bankId);
      expect(await store.fileFraudCheck(afterAnswer, before)).toEqual({
        checkId: afterAnswer.alertId,
        created: true,
      });
      expect((await store.get(answered.alertId))?.members).toEqual({});
      // Undeliverable.
      await store.claimSend(afterAnswer.alertId, T0);
      await store.markUndeliverable(afterAnswer.alertId, 'outside_window', before);
      const afterUndeliverable = fresh(bankId);
      expect((await store.fileFraudCheck(afterUndeliverable, before)).checkId).toBe(
        afterUndeliverable.alertId,
      );
      // Expired.
      await sendCheck(store, afterUndeliverable);
      expect(await store.expire(afterUndeliverable.alertId, new Date(DEADLINE))).toBe(true);
      const afterExpiry = fresh(bankId);
      expect((await store.fileFraudCheck(afterExpiry, new Date(DEADLINE))).checkId).toBe(afterExpiry.alertId);
      // A member's outcome is not the check's: closing the check's member leaves the check open.
      const member = fresh(bankId);
      expect((await store.fileFraudCheck(member, before)).checkId).toBe(afterExpiry.alertId);
      expect((await store.get(member.alertId))?.status).toBe('grouped');
    });

    it('never joins a check past its answer deadline: it expires it and opens a new one', async () => {
      const store = await make();
      const check = fresh();
      await store.fileFraudCheck(check, T0);
      await sendCheck(store, check);
      const late = fresh(check.bankId);
      const atDeadline = new Date(DEADLINE);
      expect(await store.fileFraudCheck(late, atDeadline)).toEqual({ checkId: late.alertId, created: true });
      expect(await store.get(check.alertId)).toMatchObject({
        status: 'expired',
        expiredAt: DEADLINE,
        members: {},
      });
      expect(await store.get(late.alertId)).toMatchObject({ status: 'pending', checkId: late.alertId });
    });

    it('keeps one open check under concurrent filings, with every transaction in it', async () => {
      const store = await make();
      const bankId = `bank-${randomUUID()}`;
      const alerts = Array.from({ length: 12 }, () => fresh(bankId));
      const filed = await Promise.all(alerts.map((a) => store.fileFraudCheck(a, T0)));
      const checkIds = new Set(filed.map((f) => f.checkId));
      expect(checkIds.size).toBe(1);
      expect(filed.every((f) => f.created)).toBe(true);
      const [checkId] = [...checkIds];
      const check = await store.get(String(checkId));
      expect(check?.status).toBe('pending');
      expect(Object.keys(check?.members ?? {}).sort()).toEqual(
        alerts
          .map((a) => a.alertId)
          .filter((id) => id !== checkId)
          .sort(),
      );
    });

    it('claims a follow-up once per gap, only for a sent check, and records what it summarised', async () => {
      const store = await make();
      const check = fresh();
      await store.fileFraudCheck(check, T0);
      const gap = 10 * 60_000;
      expect(await store.claimFollowUp(check.alertId, ['m1'], T0, gap)).toBe(false); // not sent yet
      await sendCheck(store, check);
      expect(await store.claimFollowUp(check.alertId, [], T0, gap)).toBe(false);
      expect(await store.claimFollowUp(`${check.alertId}-none`, ['m1'], T0, gap)).toBe(false);
      const claims = await Promise.all([
        store.claimFollowUp(check.alertId, ['m1', 'm2'], T0, gap),
        store.claimFollowUp(check.alertId, ['m1', 'm2'], T0, gap),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      const tooSoon = new Date(T0.getTime() + gap - 1);
      expect(await store.claimFollowUp(check.alertId, ['m3'], tooSoon, gap)).toBe(false);
      const later = new Date(T0.getTime() + gap);
      expect(await store.claimFollowUp(check.alertId, ['m3'], later, gap)).toBe(true);
      const claimed = await store.get(check.alertId);
      expect(claimed?.lastFollowUpAt).toBe(later.toISOString());
      expect([...(claimed?.summarized ?? [])].sort()).toEqual(['m1', 'm2', 'm3']);
      await store.answer(check.alertId, 'confirmed', 'p1', later);
      const afterAnswer = new Date(later.getTime() + gap);
      expect(await store.claimFollowUp(check.alertId, ['m4'], afterAnswer, gap)).toBe(false);
    });

    it('counts alert messages per customer and clock hour, refusing past the limit', async () => {
      const store = await make();
      const customer = fresh();
      const other = { ...customer, customerId: 'c2', customerKey: `${customer.bankId}#c2` };
      expect(await store.takeMessageSlot(customer, T0, 2)).toBe(true);
      expect(await store.takeMessageSlot(customer, new Date('2036-03-01T12:59:59.999Z'), 2)).toBe(true);
      expect(await store.takeMessageSlot(customer, new Date('2036-03-01T12:30:00.000Z'), 2)).toBe(false);
      expect(await store.takeMessageSlot(customer, T0, 3)).toBe(true);
      expect(await store.takeMessageSlot(other, T0, 2)).toBe(true);
      expect(await store.takeMessageSlot(customer, new Date('2036-03-01T13:00:00.000Z'), 2)).toBe(true);
      const concurrent = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.takeMessageSlot(other, new Date('2036-03-01T14:00:00.000Z'), 3),
        ),
      );
      expect(concurrent.filter(Boolean)).toHaveLength(3);
    });
  });
}

/** A store whose next opening of a fraud check dies between its two writes, as a crashed function would. */
export interface CrashingAlertStore {
  readonly store: AlertStore;
  /** The next check opened stops after its open-check item, before its alert; the call rejects. */
  crashNextOpening(): void;
  /** The next check closed stops after its status change, before deleting its open-check item. */
  crashNextClosing(): void;
}

/**
 * Opening a check is two writes (the open-check item with a copy of the alert, then the alert):
 * what a crash between them leaves is completed, never replaced by a second check, never asked
 * twice. Run against the in-memory store and DynamoDB.
 */
export function halfOpenedCheckContract(
  name: string,
  make: () => CrashingAlertStore | Promise<CrashingAlertStore>,
) {
  describe(`${name} (a fraud check half-opened by a crash)`, () => {
    /** Alerts that would each send a question: first alerts of a check, pending or sent. */
    async function questions(store: AlertStore, alerts: readonly Alert[]) {
      const stored = await Promise.all(alerts.map((a) => store.get(a.alertId)));
      return stored.filter(
        (a) => a !== undefined && a.checkId === a.alertId && (a.status === 'pending' || a.status === 'sent'),
      );
    }

    async function halfOpen(crashing: CrashingAlertStore, alert: Alert) {
      crashing.crashNextOpening();
      await expect(crashing.store.fileFraudCheck(alert, T0)).rejects.toThrow();
      expect(await crashing.store.get(alert.alertId)).toBeUndefined();
    }

    it('the redelivery completes the check it opened, with the alert as first filed', async () => {
      const crashing = await make();
      const { store } = crashing;
      const first = fresh();
      await halfOpen(crashing, first);
      // Redelivered: built again, with another random ref; the copy kept at opening wins.
      const again = { ...first, ref: `${first.ref}-again` };
      expect(await store.fileFraudCheck(again, T0)).toEqual({ checkId: first.alertId, created: true });
      expect(await store.get(first.alertId)).toMatchObject({
        status: 'pending',
        checkId: first.alertId,
        ref: first.ref,
        members: {},
      });
      expect(await store.byRef(first, first.ref)).toMatchObject({ alertId: first.alertId });
      expect(await store.fileFraudCheck(again, T0)).toEqual({ checkId: first.alertId, created: false });
      // It is the customer's open check: the next transaction joins it.
      const next = fresh(first.bankId);
      expect(await store.fileFraudCheck(next, T0)).toEqual({ checkId: first.alertId, created: true });
      expect(await questions(store, [first, next])).toHaveLength(1);
    });

    it('the customer’s next transaction completes the half-opened check and joins it', async () => {
      const crashing = await make();
      const { store } = crashing;
      const first = fresh();
      await halfOpen(crashing, first);
      const next = fresh(first.bankId);
      expect(await store.fileFraudCheck(next, T0)).toEqual({ checkId: first.alertId, created: true });
      expect(await store.get(next.alertId)).toMatchObject({ status: 'grouped', checkId: first.alertId });
      expect(Object.keys((await store.get(first.alertId))?.members ?? {})).toEqual([next.alertId]);
      // The crashed transaction's redelivery then finds its alert filed: nothing new.
      expect(await store.fileFraudCheck(first, T0)).toEqual({ checkId: first.alertId, created: false });
      expect(await questions(store, [first, next])).toEqual([
        expect.objectContaining({ alertId: first.alertId, status: 'pending' }),
      ]);
    });

    it('the redelivery racing the customer’s other transactions leaves one check with all of them', async () => {
      const crashing = await make();
      const { store } = crashing;
      const first = fresh();
      await halfOpen(crashing, first);
      const others = Array.from({ length: 8 }, () => fresh(first.bankId));
      const filed = await Promise.all([first, ...others].map((a) => store.fileFraudCheck(a, T0)));
      expect(new Set(filed.map((f) => f.checkId))).toEqual(new Set([first.alertId]));
      expect(await questions(store, [first, ...others])).toHaveLength(1);
      expect(Object.keys((await store.get(first.alertId))?.members ?? {}).sort()).toEqual(
        others.map((a) => a.alertId).sort(),
      );
    });

    it('a crash while another transaction opens the check leaves one check', async () => {
      const crashing = await make();
      const { store } = crashing;
      const bankId = `bank-${randomUUID()}`;
      const alerts = Array.from({ length: 6 }, () => fresh(bankId));
      crashing.crashNextOpening();
      const filed = await Promise.allSettled(alerts.map((a) => store.fileFraudCheck(a, T0)));
      const crashed = alerts.filter((_, i) => filed[i]?.status === 'rejected');
      expect(crashed).toHaveLength(1);
      // Every crashed filing is redelivered.
      for (const alert of crashed) await store.fileFraudCheck(alert, T0);
      const checkIds = new Set(
        await Promise.all(alerts.map(async (a) => (await store.get(a.alertId))?.checkId)),
      );
      expect(checkIds.size).toBe(1);
      expect(await questions(store, alerts)).toHaveLength(1);
    });

    it('a check whose closer died before deleting its open-check item is closed: the next transactions open one new check', async () => {
      const crashing = await make();
      const { store } = crashing;
      const check = fresh();
      await store.fileFraudCheck(check, T0);
      const member = fresh(check.bankId);
      await store.fileFraudCheck(member, T0);
      await sendCheck(store, check);
      crashing.crashNextClosing();
      const before = new Date('2036-03-01T12:30:00.000Z');
      await expect(store.answer(check.alertId, 'disputed', 'p1', before)).rejects.toThrow();
      expect(await store.get(check.alertId)).toMatchObject({ status: 'disputed' });
      const later = Array.from({ length: 5 }, () => fresh(check.bankId));
      const filed = await Promise.all(later.map((a) => store.fileFraudCheck(a, before)));
      const checkIds = new Set(filed.map((f) => f.checkId));
      expect(checkIds.size).toBe(1);
      expect(checkIds.has(check.alertId)).toBe(false);
      // The closed check keeps the members it had when it closed.
      expect(Object.keys((await store.get(check.alertId))?.members ?? {})).toEqual([member.alertId]);
      expect(await questions(store, [check, member, ...later])).toHaveLength(1);
    });

    it('an open-check item past its copy’s retention names nothing: the next transaction opens a new check', async () => {
      const crashing = await make();
      const { store } = crashing;
      const first = { ...fresh(), expiresAt: Math.floor(T0.getTime() / 1000) + 60 };
      await halfOpen(crashing, first);
      const later = new Date(T0.getTime() + 61_000);
      const next = fresh(first.bankId);
      expect(await store.fileFraudCheck(next, later)).toEqual({ checkId: next.alertId, created: true });
      expect(await store.get(first.alertId)).toBeUndefined();
      expect(await store.get(next.alertId)).toMatchObject({ status: 'pending', checkId: next.alertId });
    });
  });
}

/** Sends a check's first alert to `p1`, answerable until DEADLINE. */
async function sendCheck(store: AlertStore, alert: Alert): Promise<void> {
  await store.claimSend(alert.alertId, T0);
  await store.markSent(alert.alertId, {
    address: 'p1',
    messageId: 'm1',
    sentAt: T0.toISOString(),
    deadline: DEADLINE,
  });
}

async function sentAlert(store: AlertStore, bankId?: string): Promise<Alert> {
  const alert = fresh(bankId);
  await store.createOnce(alert);
  await store.claimSend(alert.alertId, T0);
  await store.markSent(alert.alertId, {
    address: 'p1',
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
      occurredAt: '2036-03-01T11:59:00.000Z',
    },
    createdAt: T0.toISOString(),
    expiresAt: Math.floor(T0.getTime() / 1000) + 86_400,
  };
}
