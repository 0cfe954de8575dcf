import { describe, expect, it } from 'vitest';
import type { BankProfile } from '../../shared/domain/bank-profile.ts';
import { enrollCustomer, enrollmentTokenIn, hashToken } from '../../shared/domain/enroll-customer.ts';
import { FakeBankDirectory, FakeEnrollmentStore, FixedClock } from '../support/fakes/index.ts';

// One enrollment link per channel the bank offers (docs/channels.md): the m.me link carries the
// token as `ref`, the wa.me link in its prefilled text; both the same single-use token.

const WHATSAPP = {
  phoneNumberId: '106540352242922',
  displayNumber: '33612345678',
  template: { name: 'fraud_check_v1', language: 'fr', parameters: ['bankName' as const] },
};

async function enroll(bank: BankProfile, locale = 'fr_FR') {
  const enrollments = new FakeEnrollmentStore();
  const clock = new FixedClock('2026-03-01T12:00:00.000Z');
  const link = await enrollCustomer(
    bank.bankId,
    { customerId: 'cust_1', locale },
    { enrollments, clock, pageId: '1000042', banks: new FakeBankDirectory([bank]) },
  );
  return { link, enrollments, clock };
}

describe('enrollment links per offered channel', () => {
  it('gives a WhatsApp-and-Messenger bank both links with the same token, Messenger first', async () => {
    const { link, enrollments, clock } = await enroll({
      bankId: 'acme',
      name: 'ACME',
      channels: ['messenger', 'whatsapp'],
      whatsapp: WHATSAPP,
    });
    expect(Object.keys(link.links)).toEqual(['messenger', 'whatsapp']);
    expect(link.link).toBe(link.links.messenger);
    const ref = new URL(link.links.messenger ?? '').searchParams.get('ref') ?? '';
    const wa = new URL(link.links.whatsapp ?? '');
    expect(`${wa.origin}${wa.pathname}`).toBe('https://wa.me/33612345678');
    const text = wa.searchParams.get('text') ?? '';
    expect(text.startsWith('Activer mes alertes carte : ')).toBe(true);
    expect(enrollmentTokenIn(text)).toBe(ref);
    expect((await enrollments.claim(hashToken(ref), clock.now())).claimed).toBe(true);
  });

  it('gives a WhatsApp-only bank the wa.me link as its link, in English for other locales', async () => {
    const { link } = await enroll(
      { bankId: 'acme', name: 'ACME', channels: ['whatsapp'], whatsapp: WHATSAPP },
      'de_DE',
    );
    expect(Object.keys(link.links)).toEqual(['whatsapp']);
    expect(link.link).toBe(link.links.whatsapp);
    const text = new URL(link.link).searchParams.get('text') ?? '';
    expect(text).toMatch(/^Turn on my card alerts: [A-Za-z0-9_-]{43}$/);
  });

  it('falls back to the m.me link when the bank offers WhatsApp without a number', async () => {
    const { link } = await enroll({ bankId: 'acme', name: 'ACME', channels: ['whatsapp'] });
    expect(Object.keys(link.links)).toEqual(['messenger']);
    expect(new URL(link.link).origin).toBe('https://m.me');
  });

  it('gives an unknown bank the m.me link only', async () => {
    const enrollments = new FakeEnrollmentStore();
    const link = await enrollCustomer(
      'nobody',
      { customerId: 'cust_1' },
      { enrollments, clock: new FixedClock(), pageId: '1000042', banks: new FakeBankDirectory([]) },
    );
    expect(Object.keys(link.links)).toEqual(['messenger']);
    expect(link.link).toMatch(/^https:\/\/m\.me\/1000042\?ref=/);
  });
});
