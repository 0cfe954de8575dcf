import { describe, expect, it } from 'vitest';
import { controlOf } from '../../shared/domain/customer-controls.ts';
import {
  parseAmount,
  parseCountry,
  parseUntil,
  withCustomerAlertAmount,
  withTravelNotice,
} from '../../shared/domain/preferences.ts';
import { followUpMessage, MESSENGER_TEXT_LIMIT } from '../../shared/domain/render-message.ts';
import { BUILT_IN_THRESHOLDS } from '../../shared/domain/thresholds.ts';

const now = new Date('2026-11-29T10:00:00Z');

describe('customer preferences', () => {
  it('reads amounts in minor units, and nothing else', () => {
    expect(parseAmount('50')).toBe(5_000);
    expect(parseAmount('€25,5')).toBe(2_550);
    expect(parseAmount('25.05 EUR')).toBe(2_505);
    expect(parseAmount('60 €')).toBe(6_000);
    for (const bad of ['', 'lots', '-5', '5e3', '1.234', '12 34', '50€€'])
      expect(parseAmount(bad)).toBeUndefined();
  });

  it('reads countries by code or name in English and French', () => {
    expect(parseCountry('es')).toBe('ES');
    expect(parseCountry('Spain')).toBe('ES');
    expect(parseCountry('Espagne')).toBe('ES');
    expect(parseCountry('royaume-uni')).toBe('GB');
    expect(parseCountry('ZZ')).toBeUndefined();
    expect(parseCountry('Atlantis')).toBeUndefined();
  });

  it('reads the last day of a trip: the end of that day, in the future and within a year', () => {
    expect(parseUntil('2026-12-20', now)).toBe('2026-12-21T00:00:00.000Z');
    expect(parseUntil('20/12/2026', now)).toBe('2026-12-21T00:00:00.000Z');
    expect(parseUntil('2026-11-29', now)).toBe('2026-11-30T00:00:00.000Z');
    for (const bad of ['2026-11-28', '2026-02-30', '31/04/2027', '2028-01-01', 'tomorrow']) {
      expect(parseUntil(bad, now)).toBeUndefined();
    }
  });

  it('counts the travel country as home only while the notice lasts, and never turns the rule on', () => {
    const french = { ...BUILT_IN_THRESHOLDS, homeCountries: ['FR'] };
    const preferences = {
      travel: { country: 'ES', until: '2026-12-01T00:00:00.000Z' },
      updatedAt: now.toISOString(),
    };
    expect(withTravelNotice(french, preferences, now).homeCountries).toEqual(['FR', 'ES']);
    expect(withTravelNotice(french, preferences, new Date('2026-12-01T00:00:00Z')).homeCountries).toEqual([
      'FR',
    ]);
    expect(withTravelNotice(BUILT_IN_THRESHOLDS, preferences, now).homeCountries).toEqual([]);
  });

  it('adds alerts over the customer’s amount, in its currency only, and never removes one', () => {
    const tx = {
      amount: 6_000,
      currency: 'EUR',
      country: 'FR',
      mcc: '5411',
      channel: 'card_present',
      status: 'authorized',
    };
    const preferences = { alertsOver: { amount: 5_000, currency: 'EUR' }, updatedAt: now.toISOString() };
    const quiet = { score: 0, alert: false, reasons: [] };
    expect(withCustomerAlertAmount(quiet, tx, preferences)).toEqual({
      score: 0,
      alert: true,
      reasons: [{ rule: 'customerAlertAmount', observed: 6_000, limit: 5_000, currency: 'EUR' }],
    });
    expect(withCustomerAlertAmount(quiet, { ...tx, amount: 5_000 }, preferences).alert).toBe(false);
    expect(withCustomerAlertAmount(quiet, { ...tx, currency: 'USD' }, preferences).alert).toBe(false);
    const loud = { score: 80, alert: true, reasons: [] };
    expect(withCustomerAlertAmount(loud, { ...tx, amount: 1 }, preferences)).toBe(loud);
  });

  it('reads the commands in English and French, and nothing that merely contains them', () => {
    expect(controlOf('TRAVEL')).toEqual({ kind: 'travel', rest: '' });
    expect(controlOf('voyage Espagne')).toEqual({ kind: 'travel', rest: 'Espagne' });
    expect(controlOf('Alerts over 50')).toEqual({ kind: 'alertsOver', rest: '50' });
    expect(controlOf('ALERTES AU-DESSUS DE 50')).toEqual({ kind: 'alertsOver', rest: '50' });
    expect(controlOf('Réglages')).toEqual({ kind: 'settings' });
    expect(controlOf('I am travelling')).toBeUndefined();
    expect(controlOf('travelling')).toBeUndefined();
  });
});

describe('follow-up message', () => {
  it('lists at most five payments by name and counts the rest, within 2,000 characters', () => {
    const displays = Array.from({ length: 40 }, (_, i) => ({
      cardLast4: '4242',
      amount: 100 + i,
      currency: 'EUR',
      merchantName: `${'M'.repeat(400)}${i}`,
      merchantCountry: 'US',
      occurredAt: now.toISOString(),
    }));
    for (const locale of ['en_US', 'fr_FR']) {
      const message = followUpMessage(displays, { bankName: 'B'.repeat(80), locale, ref: 'r' });
      expect(message.text.length).toBeLessThanOrEqual(MESSENGER_TEXT_LIMIT);
      expect(message.text).toMatch(/40/);
      expect(message.quickReplies?.map((q) => q.payload)).toEqual(['ALERT_YES:r', 'ALERT_NO:r']);
    }
    const short = followUpMessage(
      displays.slice(0, 7).map((d, i) => ({ ...d, merchantName: `SHOP ${i}` })),
      {
        bankName: 'Demo Bank',
        locale: 'en_US',
        ref: 'r',
      },
    );
    expect(short.text).toBe(
      'Demo Bank: 7 more payments since: €1.00 at SHOP 0, €1.01 at SHOP 1, €1.02 at SHOP 2, €1.03 at SHOP 3, €1.04 at SHOP 4, and 2 more. Was this you? Your answer covers them all.',
    );
  });
});
