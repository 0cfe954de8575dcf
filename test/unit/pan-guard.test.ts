import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readJsonBody, refusePanOutsideBody } from '../../shared/domain/authenticate-bank-request.ts';
import { ExponentNumberError, PanDetectedError } from '../../shared/domain/errors.ts';
import {
  CARD_SCHEMES,
  cardSchemeOf,
  isCardNumber,
  jsonContainsPan,
  normaliseDigits,
  panOutsideBody,
  passesLuhn,
  textContainsPan,
} from '../../shared/domain/pan-guard.ts';
import { accountBalance, cardTransaction } from '../fixtures/bank-events.ts';

/** Appends the Luhn check digit to a digit string. */
function withCheckDigit(payload: string): string {
  for (let digit = 0; digit <= 9; digit++) if (passesLuhn(`${payload}${digit}`)) return `${payload}${digit}`;
  throw new Error('unreachable');
}

/** Writes ASCII digits in another script whose zero is `zero`. */
const inScript = (digits: string, zero: number) =>
  [...digits].map((d) => String.fromCodePoint(zero + Number(d))).join('');

const FULLWIDTH = 0xff10;
const ARABIC_INDIC = 0x0660;

describe('Luhn check', () => {
  it.each(['4242424242424242', '378282246310005', '4222222222222', '6011111111111117', '79927398713'])(
    'accepts %s',
    (digits) => expect(passesLuhn(digits)).toBe(true),
  );
  it.each(['4242424242424241', '378282246310004', '79927398710'])('rejects %s', (digits) =>
    expect(passesLuhn(digits)).toBe(false),
  );
});

describe('card schemes', () => {
  it.each([
    ['Visa', '4242424242424242'],
    ['Visa', '4222222222222'],
    ['Mastercard', '5555555555554444'],
    ['Mastercard', '2223003122003222'],
    ['American Express', '378282246310005'],
    ['Discover', '6011111111111117'],
    ['JCB', '3566002020360505'],
    ['Diners Club', '30569309025904'],
    ['Diners Club', '36227206271667'],
    ['UnionPay', '6200000000000005'],
    ['Maestro', '6759649826438453'],
    ['Mir', '2200000000000004'],
  ])('knows a %s test card %s', (scheme, digits) => {
    expect(cardSchemeOf(digits)?.name).toBe(scheme);
    expect(isCardNumber(digits)).toBe(true);
  });

  it.each([
    ['no scheme starts with 1', withCheckDigit('100000123456010')],
    ['no scheme starts with 0', withCheckDigit('012345678901234')],
    ['Mastercard has 16 digits only', withCheckDigit('55555555555544')],
    ['Amex has 15 digits only', withCheckDigit('378282246310005')],
    ['Luhn-invalid', '4242424242424241'],
  ])('refuses a number when %s', (_, digits) => {
    expect(isCardNumber(digits)).toBe(false);
  });
});

describe('PAN guard in text', () => {
  const pan = '4242424242424242';
  it.each([
    ['a bare 16-digit card number', pan],
    ['a 13-digit card number', '4222222222222'],
    ['a 19-digit card number', withCheckDigit('622126000000000000')],
    ['digits inside a string', `paid with card ${pan} today`],
    ['digits glued to letters', `ref${pan}x`],
    ['groups split by spaces', '4242 4242 4242 4242'],
    ['groups split by dashes', '4242-4242-4242-4242'],
    ['an Amex layout', '3782 822463 10005'],
    ['a card number followed by more groups', '4242 4242 4242 4242 12'],
    ['dots', '4242.4242.4242.4242'],
    ['slashes', '4242/4242/4242/4242'],
    ['underscores', '4242_4242_4242_4242'],
    ['colons', '4242:4242:4242:4242'],
    ['double spaces', '4242  4242  4242  4242'],
    ['tabs', '4242\t4242\t4242\t4242'],
    ['no-break spaces', '4242\u00a04242\u00a04242\u00a04242'],
    ['en dashes', '4242\u20134242\u20134242\u20134242'],
    ['zero-width spaces', '4242\u200b4242\u200b4242\u200b4242'],
    ['a combining mark between digits', '4\u0301242424242424242'],
    ['fullwidth digits', inScript(pan, FULLWIDTH)],
    ['Arabic-Indic digits', inScript(pan, ARABIC_INDIC)],
    ['mixed scripts', `${inScript('4242', ARABIC_INDIC)} 4242 ${inScript('42424242', 0x0966)}`],
    ['mathematical bold digits', inScript(pan, 0x1d7ce)],
    ['a card number inside a longer digit run', `9${pan}0`],
    ['a card number inside a 30-digit run', `00000000000000${pan}`],
    ['the merchant text of the report', 'at CARD 4111.1111.1111.1111 today'],
  ])('finds %s', (_, text) => {
    expect(textContainsPan(text)).toBe(true);
  });

  it.each([
    ['last 4 digits', '4242'],
    ['an amount', '12500'],
    ['a timestamp', '2026-11-29T10:00:00Z'],
    ['an evening timestamp with microseconds and an offset', '2026-11-29T23:15:00.123456+01:00'],
    ['a UUID', '4242e4b2-4242-4242-8242-424242424242'],
    ['a UUID in an id', 'evt_42424242-4242-4242-8242-424242424242'],
    ['ids', 'txn_91 cus_8f3a evt_2KWPBgLlAfxdpx2AI54pPJ85f4W'],
    ['a Luhn-invalid 16-digit number', '4242424242424241'],
    ['a 12-digit number', withCheckDigit('42424242424')],
    ['a 15-digit number outside every IIN', withCheckDigit('10000000000000')],
    ['a phone number', '+33 6 12 34 56 78'],
    ['a masked card', '•••• •••• •••• 4242'],
    ['a card number broken by a letter', '42424242 x 42424242'],
  ])('ignores %s', (_, text) => {
    expect(textContainsPan(text)).toBe(false);
  });

  it('reads every decimal digit script as ASCII', () => {
    expect(normaliseDigits(inScript('0123456789', ARABIC_INDIC))).toBe('0123456789');
    expect(normaliseDigits(inScript('0123456789', 0x06f0))).toBe('0123456789');
    expect(normaliseDigits(inScript('0123456789', 0x0e50))).toBe('0123456789');
    expect(normaliseDigits(inScript('9876543210', 0x1d7f6))).toBe('9876543210');
  });
});

describe('PAN guard in JSON', () => {
  it('finds a card number in a string value', () => {
    const body = cardTransaction({ transaction: { merchant: { name: 'ACME 4242424242424242' } } });
    expect(jsonContainsPan(JSON.stringify(body))).toBe(true);
  });

  it('finds a card number written with unicode escapes', () => {
    expect(jsonContainsPan('{"note":"\\u0034242424242424242"}')).toBe(true);
    expect(jsonContainsPan('{"note":"\\u0664\\u0662\\u0664\\u0662424242424242"}')).toBe(true);
  });

  it('finds a card number in a key', () => {
    expect(jsonContainsPan('{"4242424242424242":true}')).toBe(true);
  });

  it('finds a card number sent as a JSON number, whole or with a fraction', () => {
    expect(jsonContainsPan('{"pan":4242424242424242}')).toBe(true);
    expect(jsonContainsPan('{"pan":4242424242424242.5}')).toBe(true);
    expect(jsonContainsPan('{"pan":0.4242424242424242}')).toBe(true);
  });

  it('refuses numbers in exponent form, which can hide a card number', () => {
    expect(() => readJsonBody(Buffer.from('{"amount":4.242424242424242e15}'))).toThrow(ExponentNumberError);
    expect(() => readJsonBody(Buffer.from('{"amount":1E3}'))).toThrow(ExponentNumberError);
    expect(() => readJsonBody(Buffer.from('{"amount":12500}'))).not.toThrow();
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

describe('PAN guard on headers and path parameters', () => {
  it('finds a card number in webhook-id and in a customer id of the path', () => {
    expect(panOutsideBody({ 'webhook-id': '4242424242424242' })).toBe('header:webhook-id');
    expect(panOutsideBody({}, { customerId: '4242.4242.4242.4242' })).toBe('path:customerId');
    expect(panOutsideBody({}, { customerId: '4242%204242%204242%204242' })).toBe('path:customerId');
    expect(() =>
      refusePanOutsideBody({ bankId: 'acme', headers: { 'webhook-id': '4242_4242_4242_4242' } }),
    ).toThrow(PanDetectedError);
  });

  it('leaves the network’s own headers alone', () => {
    expect(
      panOutsideBody({ 'x-forwarded-for': '62.210.33.15, 10.0.0.1', host: 'api.example' }),
    ).toBeUndefined();
  });
});

// Property tests: a generated card number of every scheme, written with generated separators and
// digit scripts, at a generated position in every string field, header and path parameter, is
// always refused; realistic legitimate requests are never refused.

interface Request {
  readonly bankId: string;
  readonly path: Record<string, string>;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What the bank API does with a request before storing anything: the PAN guard's answer. */
function refused(request: Request): boolean {
  try {
    refusePanOutsideBody({ bankId: request.bankId, headers: request.headers, pathParameters: request.path });
    readJsonBody(Buffer.from(request.body));
    return false;
  } catch (error) {
    if (error instanceof PanDetectedError || error instanceof ExponentNumberError) return true;
    throw error;
  }
}

const cardNumber = fc
  .constantFrom(...CARD_SCHEMES)
  .chain((scheme) =>
    fc.record({
      range: fc.constantFrom(...scheme.ranges),
      length: fc.constantFrom(...scheme.lengths),
    }),
  )
  .chain(({ range: [from, to], length }) =>
    fc
      .tuple(
        fc.integer({ min: Number(from), max: Number(to) }),
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: 18 }),
      )
      .map(([prefix, rest]) => {
        const start = String(prefix).padStart(from.length, '0');
        return withCheckDigit(`${start}${rest}`.padEnd(length - 1, '7').slice(0, length - 1));
      }),
  );

const SEPARATORS = [
  '.',
  '/',
  '_',
  ':',
  ' ',
  '  ',
  '\t',
  '\u00a0',
  '\u2013',
  '\u200b',
  '-',
  ', ',
  '*',
  '\u2060',
];
const DIGIT_ZEROS = [0x30, 0x30, 0x30, FULLWIDTH, ARABIC_INDIC, 0x06f0, 0x0966, 0x09e6, 0x0e50, 0x1d7ce];

/** A card number written the way a careless or hostile sender might. */
const writtenCard = fc
  .tuple(
    cardNumber,
    fc.constantFrom(...DIGIT_ZEROS),
    fc.boolean(),
    fc.array(fc.option(fc.constantFrom(...SEPARATORS), { freq: 3 }), { minLength: 19, maxLength: 19 }),
  )
  .map(([digits, zero, mixScripts, gaps]) =>
    [...digits]
      .map(
        (digit, i) =>
          `${i > 0 ? (gaps[i] ?? '') : ''}${inScript(digit, mixScripts && i % 2 === 0 ? 0x30 : zero)}`,
      )
      .join(''),
  );

const BODY_STRING_FIELDS = [
  'customerId',
  'occurredAt',
  'transaction.id',
  'transaction.cardLast4',
  'transaction.currency',
  'transaction.merchant.name',
  'transaction.merchant.mcc',
  'transaction.merchant.country',
  'transaction.channel',
  'transaction.status',
  'key:note',
] as const;
const HEADERS = [
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'content-type',
  'user-agent',
  'x-note',
];
const PATHS = ['bankId', 'customerId'];
const PLACES = [
  ...BODY_STRING_FIELDS.map((field) => `body:${field}`),
  'body:amount',
  ...HEADERS.map((h) => `header:${h}`),
  ...PATHS.map((p) => `path:${p}`),
];

function baseRequest(): { event: Record<string, unknown>; request: Request } {
  const event = cardTransaction() as unknown as Record<string, unknown>;
  return {
    event,
    request: {
      bankId: 'acme',
      path: { bankId: 'acme', customerId: 'cus_8f3a' },
      headers: {
        'webhook-id': 'evt_2KWPBgLlAfxdpx2AI54pPJ85f4W',
        'webhook-timestamp': '1764410400',
        'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
        'content-type': 'application/json',
        'user-agent': 'acme-bank/2.3.1',
        'x-note': 'hello',
      },
      body: '',
    },
  };
}

function insert(into: string, at: number, text: string): string {
  const i = at % (into.length + 1);
  return `${into.slice(0, i)}${text}${into.slice(i)}`;
}

function setPath(object: Record<string, unknown>, path: string, update: (value: string) => string): void {
  const keys = path.split('.');
  let target = object;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys.at(-1) ?? '';
  target[last] = update(String(target[last]));
}

describe('PAN guard properties', () => {
  it('refuses a card number of any scheme, however written, wherever placed (0 slips)', () => {
    let cases = 0;
    fc.assert(
      fc.property(
        writtenCard,
        fc.constantFrom(...PLACES),
        fc.nat(),
        fc.constantFrom('plain', 'negative', 'fraction', 'exponent'),
        (written, place, at, numberForm) => {
          cases++;
          const { event, request } = baseRequest();
          const [kind, name = ''] = place.split(/:(.*)/s);
          let body: string;
          let { headers, path, bankId } = request;
          if (kind === 'body' && name === 'amount') {
            // A number has ASCII digits only: the card number as the amount, in any number form.
            const digits = normaliseDigits(written).replace(/\D/g, '');
            const literal = {
              plain: digits,
              negative: `-${digits}`,
              fraction: `${digits}.25`,
              exponent: `${digits[0]}.${digits.slice(1)}e${digits.length - 1}`,
            }[numberForm];
            body = JSON.stringify(event).replace('"amount":12500', `"amount":${literal}`);
          } else if (kind === 'body' && name.startsWith('key:')) {
            body = JSON.stringify({ ...event, [insert('note', at, written)]: 'x' });
          } else {
            if (kind === 'body') setPath(event, name, (value) => insert(value, at, written));
            if (kind === 'header') headers = { ...headers, [name]: insert(headers[name] ?? '', at, written) };
            if (kind === 'path') {
              path = { ...path, [name]: insert(path[name] ?? '', at, written) };
              if (name === 'bankId') bankId = path.bankId ?? '';
            }
            body = JSON.stringify(event);
          }
          expect(refused({ bankId, path, headers, body })).toBe(true);
        },
      ),
      { numRuns: 12_000, seed: 13 },
    );
    expect(cases).toBeGreaterThanOrEqual(10_000);
  });

  const word = fc.constantFrom(
    'ACME',
    'STORE',
    'CAFE',
    'DU',
    'MARCHE',
    'AMAZON',
    'MKTP',
    'SQ',
    '*BLUE',
    'BOTTLE',
    'PAYPAL',
    'UBER',
    'TRIP',
    'CARREFOUR',
    'CITY',
    'SNCF',
    'BOULANGERIE',
    'Café',
    'Crème',
    'Müller',
    'Ñandú',
    'GmbH',
    '&',
    'CO.',
    'LTD',
  );
  const city = fc.constantFrom('PARIS', 'LYON', 'BERLIN', 'LONDON', 'NEW YORK', 'MADRID', 'Zürich');
  const merchantName = fc
    .tuple(
      fc.array(word, { minLength: 1, maxLength: 3 }),
      // A store number or a phone number, not both side by side: together they can make 15 or 16
      // digits that start like a card (a documented limit of the guard).
      fc.option(
        fc.oneof(
          fc.integer({ min: 1, max: 99_999 }).map((n) => `#${n}`),
          fc.constantFrom('TEL +33 1 23 45 67 89', '0800 123 456', '866-579-7172', 'www.shop.example'),
        ),
      ),
      fc.option(city),
    )
    .map(([words, extra, where]) => [...words, extra, where].filter(Boolean).join(' '));
  const alnum = fc.string({
    unit: fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789'),
    minLength: 4,
    maxLength: 24,
  });
  const opaqueId = fc.oneof(
    fc.tuple(fc.constantFrom('cus_', 'txn_', 'evt_', 'ord-', ''), alnum).map(([p, id]) => `${p}${id}`),
    fc.uuid(),
    fc.tuple(fc.constantFrom('evt_', 'txn_', 'msg_'), fc.uuid()).map(([p, id]) => `${p}${id}`),
    fc.integer({ min: 1, max: 999_999_999_999 }).map((n) => `${n}`),
    fc
      .tuple(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999_999 }),
      )
      .map(
        ([d, n]) => `txn_${d.toISOString().slice(0, 10).replaceAll('-', '')}_${String(n).padStart(6, '0')}`,
      ),
  );
  const timestamp = fc
    .tuple(
      fc.date({ min: new Date('2020-01-01'), max: new Date('2035-12-31'), noInvalidDate: true }),
      fc.constantFrom(0, 3, 6, 9),
      fc.constantFrom('Z', '+01:00', '-05:00', '+05:30', '+00:00'),
    )
    .map(([date, fraction, offset]) => {
      const base = date.toISOString().slice(0, 19);
      const digits = `${date.getTime() % 1000}`.padStart(3, '0').padEnd(9, '7').slice(0, fraction);
      return `${base}${fraction > 0 ? `.${digits}` : ''}${offset}`;
    });
  const amount = fc.integer({ min: 0, max: 1_000_000_000_000 });

  it('refuses no realistic merchant name, id, amount or timestamp (0 false positives)', () => {
    let cases = 0;
    fc.assert(
      fc.property(
        fc.record({
          customerId: opaqueId,
          transactionId: opaqueId,
          eventId: opaqueId,
          name: merchantName,
          occurredAt: timestamp,
          amount,
          last4: fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
          epoch: fc.integer({ min: 1_600_000_000, max: 2_100_000_000 }),
        }),
        (v) => {
          cases++;
          const event = cardTransaction({
            customerId: v.customerId,
            occurredAt: v.occurredAt,
            transaction: {
              id: v.transactionId,
              amount: v.amount,
              cardLast4: v.last4,
              merchant: { name: v.name },
            },
          });
          const request: Request = {
            bankId: 'acme-bank-2',
            path: { bankId: 'acme-bank-2', customerId: v.customerId },
            headers: {
              'webhook-id': v.eventId,
              'webhook-timestamp': String(v.epoch),
              'webhook-signature': `v1,${Buffer.from(v.eventId + v.name).toString('base64')}`,
              'content-type': 'application/json; charset=utf-8',
              'x-forwarded-for': '62.210.33.15, 10.0.0.1',
            },
            body: JSON.stringify(event),
          };
          expect(refused(request)).toBe(false);
        },
      ),
      { numRuns: 12_000, seed: 13 },
    );
    expect(cases).toBeGreaterThanOrEqual(10_000);
  });
});
