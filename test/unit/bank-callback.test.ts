import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/domain/alert.ts';
import { alertCallback, subscriberCallback, subscriberRef } from '../../shared/domain/bank-callback.ts';
import {
  CALLBACK_RETRY_WINDOW_MS,
  newDelivery,
  nextAttemptAfter,
} from '../../shared/domain/callback-delivery.ts';
import { callbackSchemas } from '../../shared/domain/callback-schemas.ts';
import { callbackUrl } from '../../shared/domain/deliver-callbacks.ts';
import type { Subscriber } from '../../shared/domain/subscriber.ts';
import { alert } from '../fixtures/alerts.ts';

const now = new Date('2026-11-29T10:00:00Z');
const ref = (psid: string) => subscriberRef('test-key', 'messenger', psid);
const subscriber = (status: Subscriber['status'], extra: Partial<Subscriber> = {}): Subscriber => ({
  bankId: 'acme',
  customerId: 'cus_1',
  address: 'p',
  status,
  locale: 'en_US',
  enrollmentId: 'enr_1',
  updatedAt: '2026-11-29T10:00:00Z',
  ...extra,
});

describe('bank callbacks (docs/contract.md#callbacks)', () => {
  it.each([
    ['pending', 'sent', 'alert.sent'],
    ['sent', 'confirmed', 'alert.confirmed'],
    ['sent', 'disputed', 'alert.disputed'],
    ['sent', 'expired', 'alert.expired'],
    ['pending', 'undeliverable', 'alert.undeliverable'],
  ] as const)('turns %s → %s into %s, with what the bank needs', (from, to, type) => {
    const callback = alertCallback(alert(from), alert(to), now);
    expect(callback).toMatchObject({
      bankId: 'acme',
      type,
      data: {
        alertId: 'acme#txn#txn_1',
        customerId: 'cus_1',
        transactionId: 'txn_1',
        reasons: [expect.any(Object)],
      },
    });
  });

  it('makes no callback for a new pending alert, or when the status did not change', () => {
    expect(alertCallback(undefined, alert('pending'), now)).toBeUndefined();
    expect(alertCallback(alert('sent'), alert('sent', { address: 'x' }), now)).toBeUndefined();
  });

  it('gives the same id to the same change, another to another', () => {
    const first = alertCallback(alert('pending'), alert('sent'), now);
    const again = alertCallback(alert('pending'), alert('sent'), new Date());
    const other = alertCallback(alert('sent'), alert('disputed'), now);
    expect(first?.id).toBe(again?.id);
    expect(first?.id).not.toBe(other?.id);
    expect(first?.id).toMatch(/^cb_[A-Za-z0-9_-]{32}$/);
  });

  it('tells subscriptions and their end, but not a refused consent', () => {
    const consented = { consentedAt: '2026-11-29T09:00:00Z', consentVersion: 'consent-v1' };
    expect(
      subscriberCallback(subscriber('pending_consent'), subscriber('active', consented), now, ref)?.type,
    ).toBe('customer.subscribed');
    expect(
      subscriberCallback(subscriber('active', consented), subscriber('revoked', consented), now, ref),
    ).toMatchObject({
      type: 'customer.unsubscribed',
      data: { customerId: 'cus_1', reason: 'stopped' },
    });
    expect(subscriberCallback(subscriber('active', consented), undefined, now, ref)?.data).toMatchObject({
      reason: 'erased',
    });
    expect(subscriberCallback(subscriber('pending_consent'), undefined, now, ref)).toBeUndefined();
    expect(subscriberCallback(undefined, subscriber('pending_consent'), now, ref)).toBeUndefined();
    expect(subscriberCallback(subscriber('revoked'), undefined, now, ref)).toBeUndefined();
  });

  it('tells the bank when an active subscription moves to another person, by subscriberRef only', () => {
    const first = { consentedAt: '2026-11-29T09:00:00Z', consentVersion: 'consent-v1' };
    const second = { consentedAt: '2026-11-29T11:00:00Z', consentVersion: 'consent-v1' };
    const moved = subscriberCallback(
      subscriber('active', { ...first, address: 'psid_old' }),
      subscriber('active', { ...second, address: 'psid_new' }),
      now,
      ref,
    );
    expect(moved).toMatchObject({
      type: 'customer.subscribed',
      data: { customerId: 'cus_1', channel: 'messenger', subscriberRef: ref('psid_new') },
    });
    expect(JSON.stringify(moved)).not.toContain('psid_');
    expect(
      subscriberCallback(
        subscriber('active', first),
        subscriber('active', { ...first, locale: 'fr_FR' }),
        now,
        ref,
      ),
    ).toBeUndefined();
  });

  it('makes subscriberRef stable per person and key, different across people and keys', () => {
    expect(subscriberRef('k1', 'messenger', 'psid_1')).toBe(subscriberRef('k1', 'messenger', 'psid_1'));
    expect(subscriberRef('k1', 'messenger', 'psid_1')).not.toBe(subscriberRef('k1', 'messenger', 'psid_2'));
    expect(subscriberRef('k1', 'messenger', 'psid_1')).not.toBe(subscriberRef('k2', 'messenger', 'psid_1'));
    expect(subscriberRef('k1', 'messenger', 'psid_1')).toMatch(/^sr_[A-Za-z0-9_-]{32}$/);
  });

  it('puts type, id, occurredAt and data in the body', () => {
    const callback = alertCallback(
      alert('sent'),
      alert('disputed', { answeredAt: '2026-11-29T10:01:00Z' }),
      now,
    );
    if (callback === undefined) throw new Error('no callback');
    expect(JSON.parse(newDelivery(callback, now).body)).toEqual({
      type: 'alert.disputed',
      id: callback.id,
      occurredAt: '2026-11-29T10:01:00Z',
      data: callback.data,
    });
  });
});

describe('callback retries', () => {
  const created = { createdAt: now.toISOString() };
  it('backs off from 30 s to at most an hour, with jitter', () => {
    const delay = (attempts: number, random = 0) =>
      (nextAttemptAfter(created, attempts, now, () => random)?.getTime() ?? 0) - now.getTime();
    expect(delay(1)).toBe(30_000);
    expect(delay(2)).toBe(60_000);
    expect(delay(5)).toBe(480_000);
    expect(delay(20)).toBe(3_600_000);
    expect(delay(20, 0.999)).toBeLessThan(3_600_000 * 1.2);
  });

  it('keeps trying for at least 24 hours, then gives up', () => {
    const late = new Date(now.getTime() + 24 * 3600_000);
    expect(nextAttemptAfter(created, 40, late)).toBeDefined();
    expect(nextAttemptAfter(created, 40, new Date(now.getTime() + CALLBACK_RETRY_WINDOW_MS))).toBeUndefined();
  });
});

describe('callback URLs', () => {
  it.each([
    ['https://bank.example/vigil', false, true],
    ['http://bank.example/vigil', false, false],
    ['http://127.0.0.1:3000/cb', false, false],
    ['http://127.0.0.1:3000/cb', true, true],
    ['https://user:pass@bank.example/', false, false],
    ['not a url', false, false],
    ['javascript:alert(1)', true, false],
    ['file:///etc/passwd', true, false],
  ])('%s (local mode %s) is usable: %s', (url, local, usable) => {
    expect(callbackUrl(url, local) !== undefined).toBe(usable);
  });

  it('cannot smuggle headers through the URL', () => {
    const url = callbackUrl('https://bank.example/cb\r\nX-Injected: 1', false);
    expect(url?.toString()).not.toMatch(/\r|\n/);
  });

  describe('bodies match the schemas the OpenAPI webhooks are generated from', () => {
    const lowBalance = (status: Alert['status'], extra: Partial<Alert> = {}): Alert => {
      const {
        transactionId: _,
        score: __,
        ...rest
      } = alert(status, {
        kind: 'low_balance',
        reasons: [{ rule: 'lowBalance', observed: 900, limit: 1000, currency: 'EUR' }],
        ...extra,
      });
      return rest;
    };
    const cases: [string, Alert | undefined, Alert | undefined][] = [
      ['fraud check sent', alert('pending'), alert('sent', { sentAt: '2026-11-29T10:00:01Z' })],
      ['fraud check confirmed', alert('sent'), alert('confirmed', { answeredAt: '2026-11-29T10:01:00Z' })],
      ['fraud check disputed', alert('sent'), alert('disputed', { answeredAt: '2026-11-29T10:01:00Z' })],
      ['fraud check expired', alert('sent'), alert('expired', { expiredAt: '2026-11-29T11:00:00Z' })],
      [
        'fraud check undeliverable',
        alert('pending'),
        alert('undeliverable', { undeliverableReason: 'send_error_551', updatedAt: '2026-11-29T10:00:02Z' }),
      ],
      ['low balance sent', lowBalance('pending'), lowBalance('sent', { sentAt: '2026-11-29T10:00:01Z' })],
    ];
    it.each(cases)('%s', (_, before, after) => {
      const callback = alertCallback(before, after as Alert, now);
      if (callback === undefined) throw new Error('no callback');
      const body = JSON.parse(newDelivery(callback, now).body);
      expect(callbackSchemas[callback.type].safeParse(body).error).toBeUndefined();
    });

    it('subscribed, stopped and erased', () => {
      const made = [
        subscriberCallback(
          subscriber('pending_consent'),
          subscriber('active', { consentedAt: '2026-11-29T10:00:00Z', consentVersion: 'v1' }),
          now,
          ref,
        ),
        subscriberCallback(
          subscriber('active', { consentedAt: '2026-11-29T09:00:00Z' }),
          subscriber('revoked'),
          now,
          ref,
        ),
        subscriberCallback(
          subscriber('active', { consentedAt: '2026-11-29T09:00:00Z' }),
          undefined,
          now,
          ref,
        ),
      ];
      expect(made.map((callback) => callback?.type)).toEqual([
        'customer.subscribed',
        'customer.unsubscribed',
        'customer.unsubscribed',
      ]);
      for (const callback of made) {
        if (callback === undefined) throw new Error('no callback');
        const body = JSON.parse(newDelivery(callback, now).body);
        expect(callbackSchemas[callback.type].safeParse(body).error).toBeUndefined();
      }
    });

    it('a schema refuses a body that is not what its type sends', () => {
      const callback = alertCallback(alert('pending'), alert('sent'), now);
      const body = JSON.parse(newDelivery(callback as never, now).body);
      expect(
        callbackSchemas['alert.sent'].safeParse({ ...body, data: { ...body.data, psid: 'p' } }).success,
      ).toBe(false);
      expect(callbackSchemas['alert.disputed'].safeParse(body).success).toBe(false);
    });
  });
});
