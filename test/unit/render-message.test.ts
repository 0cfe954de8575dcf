import { describe, expect, it } from 'vitest';
import {
  alertMessage,
  formatAmount,
  formatTime,
  supportedLocale,
} from '../../shared/domain/render-message.ts';
import { metaSignature, verifyMetaSignature } from '../../shared/domain/verify-meta-signature.ts';

describe('message rendering', () => {
  it.each([
    [12500, 'EUR', 'en_US', '€125.00'],
    [12500, 'EUR', 'fr_FR', '125,00\u00a0€'],
    [12500, 'USD', 'en_US', '$125.00'],
    [12500, 'JPY', 'en_US', '¥12,500'],
    [1234, 'BHD', 'en_US', 'BHD\u00a01.234'],
  ] as const)('formats %i %s for %s as %s', (minor, currency, locale, expected) => {
    expect(formatAmount(minor, currency, locale)).toBe(expected);
  });

  it('shows times in the bank’s time zone', () => {
    expect(formatTime('2026-11-29T10:00:00Z', 'en_US')).toBe('Nov 29, 10:00');
    expect(formatTime('2026-11-29T10:00:00Z', 'fr_FR', 'Europe/Paris')).toBe('29 nov., 11:00');
  });

  it('falls back to English for unsupported locales', () => {
    expect(supportedLocale('de_DE')).toBe('en_US');
    expect(supportedLocale('fr_CA')).toBe('fr_FR');
    expect(supportedLocale(undefined)).toBe('en_US');
  });

  it('keeps quick reply titles within Messenger’s 20 characters', () => {
    for (const locale of ['en_US', 'fr_FR']) {
      const message = alertMessage(
        {
          cardLast4: '4242',
          amount: 1,
          currency: 'EUR',
          merchantName: 'X',
          merchantCountry: 'FR',
          occurredAt: '2026-11-29T10:00:00Z',
        },
        { bankName: 'B', locale, ref: 'r' },
      );
      for (const reply of message.quickReplies ?? []) expect(reply.title.length).toBeLessThanOrEqual(20);
    }
  });

  it('shows no amount in a low-balance notice', () => {
    const message = alertMessage(
      { accountLast4: '0042', available: 4217, currency: 'EUR', occurredAt: '2026-11-29T10:00:00Z' },
      { bankName: 'ACME Bank', locale: 'en_US', ref: 'r' },
    );
    expect(message.text).toBe(
      'ACME Bank: the balance of account ••0042 is below the level you chose. Check your banking app.',
    );
  });
});

describe('Meta webhook signature', () => {
  const body = Buffer.from('{"object":"page"}');
  it('accepts the app’s signature and refuses anything else', () => {
    expect(verifyMetaSignature('secret', body, metaSignature('secret', body))).toBe(true);
    expect(verifyMetaSignature('secret', body, metaSignature('other', body))).toBe(false);
    expect(
      verifyMetaSignature('secret', Buffer.from('{"object":"page" }'), metaSignature('secret', body)),
    ).toBe(false);
    expect(verifyMetaSignature('secret', body, undefined)).toBe(false);
    expect(verifyMetaSignature('secret', body, 'sha256=')).toBe(false);
    expect(verifyMetaSignature('secret', body, metaSignature('secret', body).replace('sha256', 'sha1'))).toBe(
      false,
    );
  });
});
