import { describe, expect, it } from 'vitest';
import {
  checkMember,
  fraudCheckAlert,
  lowBalanceAlert,
  unsummarizedMembers,
} from '../../shared/domain/alert.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { expireAlerts } from '../../shared/domain/expire-alerts.ts';
import type { Decision } from '../../shared/domain/fraud-rules.ts';
import { toStoredEvent } from '../../shared/domain/stored-event.ts';
import { parseOrThrow } from '../../shared/domain/validate.ts';
import * as z from '../../shared/domain/zod.ts';
import { accountBalance, cardTransaction } from '../fixtures/bank-events.ts';
import { FakeAlertStore, FakeBankDirectory, FixedClock } from '../support/fakes/index.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');

describe('alerts built from stored events', () => {
  const card = toStoredEvent('acme', 'evt_1', cardTransaction({ customerId: 'cust_1' }), NOW, {
    erasureRef: 'er_1',
  });
  const balance = toStoredEvent('acme', 'evt_2', accountBalance({ customerId: 'cust_1' }), NOW);
  const decision: Decision = { score: 80, reasons: [], alert: true };

  it('carries the erasure ref and reception time only when the event has them', () => {
    expect(fraudCheckAlert(card, decision, NOW)).toMatchObject({
      erasureRef: 'er_1',
      receivedAt: NOW.toISOString(),
    });
    const notice = lowBalanceAlert(balance, 10_000, NOW);
    expect(notice).not.toHaveProperty('erasureRef');
    expect(notice).not.toHaveProperty('receivedAt');
  });

  it('gives each alert a fresh opaque ref that holds no id of the bank', () => {
    const a = fraudCheckAlert(card, decision, NOW);
    const b = fraudCheckAlert(card, decision, NOW);
    expect(a.alertId).toBe(b.alertId);
    expect(a.ref).not.toBe(b.ref);
    expect(a.ref).not.toContain(card.transaction?.id ?? '-');
    expect(a.ref).not.toContain('cust_1');
  });

  it('refuses to build an alert from an event of the other kind', () => {
    expect(() => fraudCheckAlert(balance, decision, NOW)).toThrow(TypeError);
    expect(() => lowBalanceAlert(card, 10_000, NOW)).toThrow(TypeError);
  });

  it('keeps what a member of a check needs, with its erasure ref only when it has one', () => {
    const joinedAt = new Date('2026-03-01T12:05:00.000Z');
    const member = checkMember(fraudCheckAlert(card, decision, NOW), joinedAt);
    expect(member).toMatchObject({
      transactionId: card.transaction?.id,
      score: 80,
      joinedAt: joinedAt.toISOString(),
      erasureRef: 'er_1',
      receivedAt: NOW.toISOString(),
    });
    const bare = checkMember(lowBalanceAlert(balance, 10_000, NOW), joinedAt);
    expect(bare).toMatchObject({ transactionId: '', score: 0 });
    expect(bare).not.toHaveProperty('erasureRef');
  });

  it('lists a check’s members not yet summarised, oldest first', () => {
    const check = fraudCheckAlert(card, decision, NOW);
    expect(unsummarizedMembers(check)).toEqual([]);
    const at = (minute: number) => checkMember(check, new Date(Date.UTC(2026, 2, 1, 12, minute)));
    const members = { b: at(2), a: at(2), c: at(1), d: at(3) };
    expect(unsummarizedMembers({ ...check, members }).map(([id]) => id)).toEqual(['c', 'a', 'b', 'd']);
    expect(
      unsummarizedMembers({ ...check, members, summarized: new Set(['c', 'b']) }).map(([id]) => id),
    ).toEqual(['a', 'd']);
  });
});

describe('validation messages for limits', () => {
  const message = (schema: z.ZodMiniType, value: unknown) => {
    try {
      parseOrThrow(schema, value);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).errors?.[0]?.message;
    }
    throw new Error('accepted');
  };

  it('says how many items or characters are allowed, and the bounds of a number', () => {
    expect(message(z.array(z.string()).check(z.minLength(2)), ['a'])).toBe('Must have at least 2 items.');
    expect(message(z.array(z.string()).check(z.minLength(1)), [])).toBe('Must have at least 1 item.');
    expect(message(z.array(z.string()).check(z.maxLength(2)), ['a', 'b', 'c'])).toBe(
      'Must have at most 2 items.',
    );
    expect(message(z.string().check(z.maxLength(3)), 'abcd')).toBe('Must be at most 3 characters long.');
    expect(message(z.number().check(z.maximum(10)), 11)).toBe('Must be 10 or less.');
    expect(message(z.number().check(z.minimum(1)), 0)).toBe('Must be 1 or more.');
  });
});

describe('expireAlerts racing an answer', () => {
  it('does not count an alert answered between the listing and its expiry', async () => {
    const alerts = new FakeAlertStore();
    const banks = new FakeBankDirectory([{ bankId: 'acme', name: 'ACME' }]);
    const clock = new FixedClock('2026-03-01T13:00:00.000Z');
    const open = {
      alertId: 'acme#txn#t1',
      ref: 'r1',
      bankId: 'acme',
      customerId: 'c1',
      customerKey: 'acme#c1',
      kind: 'fraud_check' as const,
      status: 'pending' as const,
      eventId: 'e1',
      reasons: [],
      display: {
        cardLast4: '1',
        amount: 1,
        currency: 'EUR',
        merchantName: 'M',
        merchantCountry: 'FR',
        occurredAt: NOW.toISOString(),
      },
      createdAt: NOW.toISOString(),
      expiresAt: 0,
    };
    await alerts.createOnce(open);
    await alerts.claimSend(open.alertId, NOW);
    await alerts.markSent(open.alertId, {
      address: 'p1',
      messageId: 'm1',
      sentAt: NOW.toISOString(),
      deadline: '2026-03-01T12:30:00.000Z',
    });
    const racing = Object.create(alerts) as FakeAlertStore;
    racing.openPastDeadline = async (...args) => {
      const ids = await alerts.openPastDeadline(...args);
      // The customer's answer lands after the listing (a late one is refused by the store, so
      // the race is with an answer accepted just in time: the alert is no longer open).
      await alerts.answer(open.alertId, 'confirmed', 'p1', new Date('2026-03-01T12:29:59.000Z'));
      return ids;
    };
    expect(await expireAlerts({ alerts: racing, banks, clock })).toEqual({ expired: 0 });
    expect((await alerts.get(open.alertId))?.status).toBe('confirmed');
  });
});
