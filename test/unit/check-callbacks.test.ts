import { describe, expect, it } from 'vitest';
import type { Alert, CheckMember } from '../../shared/domain/alert.ts';
import { alertCallbacks, preferencesCallback } from '../../shared/domain/bank-callback.ts';
import { newDelivery } from '../../shared/domain/callback-delivery.ts';
import { callbackSchemas } from '../../shared/domain/callback-schemas.ts';
import { NotFoundError, ValidationError } from '../../shared/domain/errors.ts';
import { clearCustomerPreferences, getCustomerPreferences } from '../../shared/domain/manage-thresholds.ts';
import { FakePreferenceStore } from '../support/fakes/index.ts';

const now = new Date('2026-11-29T10:00:00Z');
const member = (transactionId: string, score: number): CheckMember => ({
  transactionId,
  score,
  reasons: [{ rule: 'velocity', observed: 6, limit: 5 }],
  display: {
    cardLast4: '4242',
    amount: 100,
    currency: 'EUR',
    merchantName: 'SHOP',
    merchantCountry: 'FR',
    occurredAt: '2026-11-29T09:59:00Z',
  },
  joinedAt: '2026-11-29T09:59:30Z',
});
const check = (status: Alert['status'], extra: Partial<Alert> = {}): Alert => ({
  alertId: 'acme#txn#t1',
  ref: 'r',
  bankId: 'acme',
  customerId: 'cus_1',
  customerKey: 'acme#cus_1',
  kind: 'fraud_check',
  status,
  eventId: 'evt_1',
  transactionId: 't1',
  score: 80,
  reasons: [{ rule: 'singleTransaction', observed: 60_000, limit: 50_000, currency: 'EUR' }],
  display: member('t1', 80).display,
  createdAt: '2026-11-29T09:59:01Z',
  expiresAt: 0,
  checkId: 'acme#txn#t1',
  members: { 'acme#txn#t3': member('t3', 70), 'acme#txn#t2': member('t2', 60) },
  ...extra,
});

describe('alertCallbacks of a fraud check', () => {
  it('tells the bank the check’s outcome for every transaction that joined it, each with its own id', () => {
    const made = alertCallbacks(
      check('sent'),
      check('disputed', { answeredAt: '2026-11-29T10:01:00Z' }),
      now,
    );
    expect(made.map((c) => [c.type, c.data.alertId, c.data.transactionId, c.data.score])).toEqual([
      ['alert.disputed', 'acme#txn#t1', 't1', 80],
      ['alert.disputed', 'acme#txn#t2', 't2', 60],
      ['alert.disputed', 'acme#txn#t3', 't3', 70],
    ]);
    expect(new Set(made.map((c) => c.id)).size).toBe(3);
    for (const callback of made) {
      expect(callback.occurredAt).toBe('2026-11-29T10:01:00Z');
      expect(callback.data.checkId).toBe('acme#txn#t1');
      const body = JSON.parse(newDelivery(callback, now).body);
      expect(callbackSchemas[callback.type].safeParse(body).error).toBeUndefined();
    }
    // The same change made again gives the same ids: the outbox sends each once.
    const again = alertCallbacks(
      check('sent'),
      check('disputed', { answeredAt: '2026-11-29T10:01:00Z' }),
      now,
    );
    expect(again.map((c) => c.id)).toEqual(made.map((c) => c.id));
  });

  it('passes an undeliverable check’s reason to its members', () => {
    const made = alertCallbacks(
      check('pending'),
      check('undeliverable', { undeliverableReason: 'rate_limited', updatedAt: '2026-11-29T10:00:02Z' }),
      now,
    );
    expect(made).toHaveLength(3);
    for (const callback of made) expect(callback.data.reason).toBe('rate_limited');
  });

  it('tells only the check’s own change while it is open, and nothing for a member’s own item', () => {
    expect(
      alertCallbacks(check('pending'), check('sent', { sentAt: '2026-11-29T10:00:01Z' }), now),
    ).toHaveLength(1);
    const { members: _, ...withoutMembers } = check('grouped', { alertId: 'acme#txn#t2' });
    const grouped = withoutMembers as Alert;
    expect(alertCallbacks(undefined, grouped, now)).toEqual([]);
    expect(alertCallbacks(check('sent'), check('sent'), now)).toEqual([]);
    // A closed check that nothing joined: its own callback only.
    expect(alertCallbacks(check('sent'), check('expired', { members: {} }), now)).toHaveLength(1);
    const { members: __, ...bare } = check('expired');
    expect(alertCallbacks(check('sent'), bare as Alert, now)).toHaveLength(1);
  });
});

describe('customer preferences for the bank', () => {
  it('makes a valid customer.preferences_changed callback, with only what is set', () => {
    const callback = preferencesCallback('acme', 'cus_1', {
      travel: { country: 'ES', until: '2026-12-21T00:00:00.000Z' },
      updatedAt: '2026-11-29T10:00:00.000Z',
    });
    expect(callback).toMatchObject({
      bankId: 'acme',
      type: 'customer.preferences_changed',
      occurredAt: '2026-11-29T10:00:00.000Z',
      data: { customerId: 'cus_1', travel: { country: 'ES' } },
    });
    expect(callback.data).not.toHaveProperty('alertsOver');
    const body = JSON.parse(newDelivery(callback, now).body);
    expect(callbackSchemas['customer.preferences_changed'].safeParse(body).error).toBeUndefined();
  });

  it('shows the bank what the customer set, lets it clear them, and refuses a malformed id', async () => {
    const store = new FakePreferenceStore();
    const preferences = {
      alertsOver: { amount: 5000, currency: 'EUR' },
      updatedAt: '2026-11-29T10:00:00.000Z',
    };
    await store.put('acme', 'cus_1', preferences);
    expect(await getCustomerPreferences('acme', 'cus_1', store)).toEqual(preferences);
    await expect(getCustomerPreferences('other', 'cus_1', store)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getCustomerPreferences('acme', 'jane@example.com', store)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(clearCustomerPreferences('acme', 'a b', store)).rejects.toBeInstanceOf(ValidationError);
    expect(await getCustomerPreferences('acme', 'cus_1', store)).toEqual(preferences);
    await clearCustomerPreferences('acme', 'cus_1', store);
    await clearCustomerPreferences('acme', 'cus_1', store);
    await expect(getCustomerPreferences('acme', 'cus_1', store)).rejects.toBeInstanceOf(NotFoundError);
  });
});
