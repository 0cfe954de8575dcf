import { describe, expect, it } from 'vitest';
import { displayBankName, MAX_BANK_NAME_LENGTH } from '../../shared/domain/bank-profile.ts';
import {
  alertMessage,
  consentRequest,
  formatAmount,
  formatTime,
  MESSENGER_TEXT_LIMIT,
  type OutgoingMessage,
  QUICK_REPLY_TITLE_LIMIT,
  stoppedText,
  supportedLocale,
  textsFor,
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

describe('Messenger limits, every message in every locale', () => {
  const LOCALES = ['en_US', 'fr_FR'];
  // The longest values each placeholder can take.
  const bank = 'W'.repeat(MAX_BANK_NAME_LENGTH);
  const merchant = 'Ŵ'.repeat(100);
  const longest = {
    cardLast4: '4242',
    amount: Number.MAX_SAFE_INTEGER,
    currency: 'BHD',
    merchantName: merchant,
    merchantCountry: 'FR',
    occurredAt: '2026-12-31T23:59:59Z',
  };

  function expectWithinLimits(message: OutgoingMessage) {
    expect(message.text.length).toBeGreaterThan(0);
    expect(message.text.length).toBeLessThanOrEqual(MESSENGER_TEXT_LIMIT);
    for (const reply of message.quickReplies ?? []) {
      expect(reply.title.length).toBeGreaterThan(0);
      expect(reply.title.length).toBeLessThanOrEqual(QUICK_REPLY_TITLE_LIMIT);
    }
  }

  it.each(LOCALES)('every text of %s fits, with the longest bank name, merchant and amount', (locale) => {
    const texts = textsFor(locale);
    const rendered: OutgoingMessage[] = [
      consentRequest(bank, 'enr_1', locale),
      alertMessage(longest, { bankName: bank, locale, ref: 'r', timeZone: 'Pacific/Kiritimati' }),
      alertMessage(
        { accountLast4: '0042', available: -1, currency: 'EUR', occurredAt: '2026-11-29T10:00:00Z' },
        { bankName: bank, locale, ref: 'r' },
      ),
      stoppedText([bank], locale),
    ].map((message) => (typeof message === 'string' ? { text: message } : message));
    // Every entry of the locale's texts, called with the longest values where it takes some.
    for (const [key, value] of Object.entries(texts)) {
      if (typeof value === 'string') rendered.push({ text: value });
      else if (key === 'fraudCheck') rendered.push({ text: value(bank, '4242', '€1', merchant, 'FR', 'x') });
      else if (key === 'andOthers') rendered.push({ text: value(1_000_000) });
      else rendered.push({ text: (value as (bank: string) => string)(bank) });
    }
    for (const title of [texts.agree, texts.noThanks, texts.yes, texts.no])
      expect(title.length).toBeLessThanOrEqual(QUICK_REPLY_TITLE_LIMIT);
    for (const message of rendered) expectWithinLimits(message);
  });

  it.each(LOCALES)('the STOP answer in %s names as many banks as fit, then counts the others', (locale) => {
    const banks = Array.from({ length: 200 }, (_, i) => `${i} ${'B'.repeat(MAX_BANK_NAME_LENGTH - 4)}`);
    const text = stoppedText(banks, locale);
    expect(text.length).toBeLessThanOrEqual(MESSENGER_TEXT_LIMIT);
    expect(text).toContain(banks[0]);
    expect(text).not.toContain(banks[199]);
    const shown = banks.filter((name) => text.includes(name)).length;
    expect(shown).toBeGreaterThan(10);
    expect(text).toContain(`${200 - shown} ${locale === 'fr_FR' ? 'autres banques' : 'other banks'}`);
    expect(stoppedText(['A', 'B'], locale)).toContain('A, B');
  });

  it('cuts a stored bank name longer than the cap', () => {
    expect(displayBankName('ACME Bank')).toBe('ACME Bank');
    const cut = displayBankName('B'.repeat(500));
    expect([...cut]).toHaveLength(MAX_BANK_NAME_LENGTH);
    expect(cut.endsWith('…')).toBe(true);
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
