import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonContainsPan, passesLuhn, textContainsPan } from '../../shared/domain/pan-guard.ts';
import { accountBalance, cardTransaction } from '../fixtures/bank-events.ts';

/** Appends the Luhn check digit to a digit string. */
function withCheckDigit(payload: string): string {
  for (let digit = 0; digit <= 9; digit++) if (passesLuhn(`${payload}${digit}`)) return `${payload}${digit}`;
  throw new Error('unreachable');
}

describe('Luhn check', () => {
  it.each(['4242424242424242', '378282246310005', '4222222222222', '6011111111111117', '79927398713'])(
    'accepts %s',
    (digits) => expect(passesLuhn(digits)).toBe(true),
  );
  it.each(['4242424242424241', '378282246310004', '79927398710'])('rejects %s', (digits) =>
    expect(passesLuhn(digits)).toBe(false),
  );
});

describe('PAN guard in text', () => {
  it.each([
    ['a bare 16-digit card number', '4242424242424242'],
    ['a 13-digit card number', '4222222222222'],
    ['a 19-digit card number', withCheckDigit('622126000000000000')],
    ['digits inside a string', 'paid with card 4242424242424242 today'],
    ['digits glued to letters', 'ref4242424242424242x'],
    ['groups split by spaces', '4242 4242 4242 4242'],
    ['groups split by dashes', '4242-4242-4242-4242'],
    ['an Amex layout', '3782 822463 10005'],
    ['a card number followed by more groups', '4242 4242 4242 4242 12'],
  ])('finds %s', (_, text) => {
    expect(textContainsPan(text)).toBe(true);
  });

  it.each([
    ['last 4 digits', '4242'],
    ['an amount', '12500'],
    ['a timestamp', '2026-11-29T10:00:00Z'],
    ['ids', 'txn_91 cus_8f3a evt_2KWPBgLlAfxdpx2AI54pPJ85f4W'],
    ['a Luhn-invalid 16-digit number', '4242424242424241'],
    ['a 12-digit number', withCheckDigit('42424242424')],
    ['a 20-digit number', withCheckDigit('4242424242424242424')],
    ['a long numeric id', '12345678901234567890123456789'],
    ['a phone number', '+33 6 12 34 56 78'],
    ['groups separated by two spaces', '4242  4242  4242  4242'],
    ['a masked card', '•••• •••• •••• 4242'],
  ])('ignores %s', (_, text) => {
    expect(textContainsPan(text)).toBe(false);
  });

  it('finds any Luhn-valid 13–19 digit number between non-digits, in any layout', () => {
    const noDigits = fc.string({ maxLength: 20 }).map((text) => text.replace(/[0-9]/g, 'x'));
    const pan = fc
      .integer({ min: 12, max: 18 })
      .chain((length) =>
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length }),
      )
      .map(withCheckDigit);
    const layout = fc.constantFrom('plain', 'spaces', 'dashes');
    fc.assert(
      fc.property(noDigits, pan, layout, noDigits, (before, digits, how, after) => {
        const grouped = digits.match(/.{1,4}/g)?.join(how === 'spaces' ? ' ' : '-') ?? digits;
        const written = how === 'plain' ? digits : grouped;
        const text = `${before.replace(/[ -]$/, 'x')}${written}${after.replace(/^[ -]/, 'x')}`;
        expect(textContainsPan(text)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('PAN guard in JSON', () => {
  it('finds a card number in a string value', () => {
    const body = cardTransaction({ transaction: { merchant: { name: 'ACME 4242424242424242' } } });
    expect(jsonContainsPan(JSON.stringify(body))).toBe(true);
  });

  it('finds a card number written with unicode escapes', () => {
    expect(jsonContainsPan('{"note":"\\u0034242424242424242"}')).toBe(true);
  });

  it('finds a card number in a key', () => {
    expect(jsonContainsPan('{"4242424242424242":true}')).toBe(true);
  });

  it('finds a card number sent as a JSON number', () => {
    expect(jsonContainsPan('{"pan":4242424242424242}')).toBe(true);
  });

  it('reads numbers from the source text, past the precision of JSON.parse', () => {
    const nineteen = withCheckDigit('622126000000000000');
    expect(String(JSON.parse(nineteen))).not.toBe(nineteen);
    expect(jsonContainsPan(`{"pan":${nineteen}}`)).toBe(true);
    expect(jsonContainsPan(`[-${nineteen}]`)).toBe(true);
  });

  it('does not join separate numbers of an array into one card number', () => {
    expect(jsonContainsPan('[4242, 4242, 4242, 4242]')).toBe(false);
    expect(jsonContainsPan('["4242","4242","4242","4242"]')).toBe(false);
  });

  it('raises no false alarm on valid events', () => {
    expect(jsonContainsPan(JSON.stringify(cardTransaction()))).toBe(false);
    expect(jsonContainsPan(JSON.stringify(accountBalance({ balance: { available: 123456789012 } })))).toBe(
      false,
    );
  });
});
