import { describe, expect, it } from 'vitest';
import type { AlertDisplay } from '../../shared/domain/alert.ts';
import { countryName, withTravelNotice } from '../../shared/domain/preferences.ts';
import { followUpMessage, templateValues } from '../../shared/domain/render-message.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';

const now = new Date('2026-11-29T10:00:00Z');

describe('travel notice', () => {
  it('changes nothing when the customer travels to a country the bank already counts as home', () => {
    const thresholds = { ...BUILT_IN_THRESHOLDS, homeCountries: ['FR', 'ES'] };
    const preferences = {
      travel: { country: 'ES', until: '2026-12-01T00:00:00.000Z' },
      updatedAt: now.toISOString(),
    };
    expect(withTravelNotice(thresholds, preferences, now)).toBe(thresholds);
    expect(withTravelNotice(thresholds, undefined, now)).toBe(thresholds);
  });

  it('names the country in the customer’s language, English for any other', () => {
    expect(countryName('ES', 'fr_FR')).toBe('Espagne');
    expect(countryName('ES', 'FR_ca')).toBe('Espagne');
    expect(countryName('ES', 'en_GB')).toBe('Spain');
    expect(countryName('ES', 'de_DE')).toBe('Spain');
  });
});

describe('follow-up of a fraud check', () => {
  const card = (amount: number, merchantName: string): AlertDisplay => ({
    cardLast4: '4242',
    amount,
    currency: 'EUR',
    merchantName,
    merchantCountry: 'FR',
    occurredAt: now.toISOString(),
  });
  const balance: AlertDisplay = {
    accountLast4: '9876',
    available: 500,
    currency: 'EUR',
    occurredAt: now.toISOString(),
  };

  it('says "one more payment" in French in the singular, and lists no balance notice as a payment', () => {
    const message = followUpMessage([card(1250, 'Café <script>'), balance], {
      bankName: 'Banque Démo',
      locale: 'fr_FR',
      ref: 'r1',
    });
    expect(message.text).toBe(
      'Banque Démo : 1 paiement de plus depuis : 12,50\u00a0€ chez Café <script>. Était-ce vous ? Votre réponse vaut pour tous.',
    );
    expect(message.quickReplies?.map((q) => q.payload)).toEqual(['ALERT_YES:r1', 'ALERT_NO:r1']);
  });

  it('fills a template for a balance notice with the account and no payment fields', () => {
    expect(templateValues(balance, { bankName: 'Demo Bank', locale: 'en_US', ref: 'r' })).toEqual({
      bankName: 'Demo Bank',
      cardLast4: '9876',
      amount: '',
      merchant: '',
      time: '',
    });
  });
});
