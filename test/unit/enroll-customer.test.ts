import { describe, expect, it } from 'vitest';
import { MessengerChannel } from '../../shared/adapters/messenger-channel.ts';
import {
  ENROLLMENT_VALIDITY_SECONDS,
  enrollCustomer,
  hashToken,
} from '../../shared/domain/enroll-customer.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { handleMessengerEvent } from '../../shared/domain/handle-messenger-event.ts';
import {
  FakeAlertStore,
  FakeBankDirectory,
  FakeEnrollmentStore,
  FakeInboundLog,
  FakeMessenger,
  FakeSubscriberStore,
  FixedClock,
} from '../support/fakes/index.ts';

const NOW = '2026-03-01T12:00:00.000Z';

describe('enrollCustomer', () => {
  it('makes a single-use m.me link valid 24 hours, storing only the token’s hash', async () => {
    const clock = new FixedClock(NOW);
    const enrollments = new FakeEnrollmentStore();
    const link = await enrollCustomer(
      'acme',
      { customerId: 'cust_1', locale: 'fr_FR' },
      { enrollments, clock, pageId: '1000042' },
    );
    expect(link.enrollmentId).toMatch(/^enr_/);
    expect(link.expiresAt).toBe(new Date(Date.parse(NOW) + ENROLLMENT_VALIDITY_SECONDS * 1000).toISOString());
    const url = new URL(link.link);
    expect(`${url.origin}${url.pathname}`).toBe('https://m.me/1000042');
    const token = url.searchParams.get('ref') ?? '';
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    // Stored under the hash: the token itself claims nothing.
    expect(await enrollments.claim(token, clock.now())).toEqual({ claimed: false, reason: 'unknown' });
    const claim = await enrollments.claim(hashToken(token), clock.now());
    expect(claim).toMatchObject({
      claimed: true,
      enrollment: { bankId: 'acme', customerId: 'cust_1', locale: 'fr_FR', enrollmentId: link.enrollmentId },
    });
  });

  it('defaults the locale to English and gives each link its own token', async () => {
    const clock = new FixedClock(NOW);
    const enrollments = new FakeEnrollmentStore();
    const ports = { enrollments, clock, pageId: '1' };
    const a = await enrollCustomer('acme', { customerId: 'cust_1' }, ports);
    const b = await enrollCustomer('acme', { customerId: 'cust_1' }, ports);
    expect(a.link).not.toBe(b.link);
    expect(a.enrollmentId).not.toBe(b.enrollmentId);
    const claim = await enrollments.claim(
      hashToken(new URL(a.link).searchParams.get('ref') ?? ''),
      clock.now(),
    );
    expect(claim.claimed && claim.enrollment.locale).toBe('en_US');
  });

  it.each([
    ['no customer id', {}],
    ['an e-mail as customer id', { customerId: 'jane@example.com' }],
    ['a locale that is not xx_XX', { customerId: 'cust_1', locale: 'french' }],
    ['an unknown field', { customerId: 'cust_1', phone: '+33600000000' }],
  ])('refuses %s and stores nothing', async (_, body) => {
    const enrollments = new FakeEnrollmentStore();
    let created = 0;
    enrollments.create = async () => void created++;
    await expect(
      enrollCustomer('acme', body, { enrollments, clock: new FixedClock(NOW), pageId: '1' }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(created).toBe(0);
  });

  it('gives a link the customer can open once, until it expires', async () => {
    const clock = new FixedClock(NOW);
    const ports = {
      subscribers: new FakeSubscriberStore(() => clock.now()),
      enrollments: new FakeEnrollmentStore(),
      alerts: new FakeAlertStore(),
      inbound: new FakeInboundLog(),
      banks: new FakeBankDirectory([{ bankId: 'acme', name: 'ACME Bank' }]),
      channels: { messenger: new MessengerChannel(new FakeMessenger()) },
      clock,
    };
    const open = async (psid: string, link: string) =>
      handleMessengerEvent(
        {
          sender: { id: psid },
          recipient: { id: 'page' },
          timestamp: clock.now().getTime(),
          referral: { ref: new URL(link).searchParams.get('ref') ?? '' },
        },
        ports,
      );
    const fresh = await enrollCustomer('acme', { customerId: 'cust_1' }, { ...ports, pageId: '1' });
    const late = await enrollCustomer('acme', { customerId: 'cust_2' }, { ...ports, pageId: '1' });
    expect(await open('psid-1', fresh.link)).toBe('enrolled');
    clock.advance(ENROLLMENT_VALIDITY_SECONDS * 1000);
    expect(await open('psid-2', late.link)).toBe('link_invalid');
    expect(await ports.subscribers.get('acme', 'cust_2')).toBeUndefined();
  });
});
