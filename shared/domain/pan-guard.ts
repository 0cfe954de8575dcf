// The PAN guard keeps full card numbers (PANs) out of Vigil. Banks must send only the last four
// digits; a request that carries something that looks like a whole card number is refused unread
// (docs/security.md, "PAN guard").
//
// How a text is read:
// 1. It is normalised (NFKC), and every Unicode decimal digit (\p{Nd}: Arabic-Indic, Devanagari,
//    fullwidth...) is read as its ASCII digit.
// 2. A digit run is broken only by a letter (\p{L}): spaces, tabs, NBSP, dots, slashes, dashes of
//    any kind, underscores, colons, zero-width and other invisible characters all join digits.
// 3. Every 13 to 19 digit window of a run is a candidate. A candidate is a card number when it
//    starts with an issuer prefix (IIN) of a card scheme, has one of that scheme's lengths and
//    passes the Luhn check. The IIN ranges keep ids, amounts and timestamps from being mistaken
//    for cards while every real card of these schemes is found.
// 4. Two structured values whose digits are joined by non-letters would otherwise be refused now
//    and then: a whole value that is an ISO 8601 date-time, and a canonical UUID anywhere in a
//    text (`evt_<uuid>`). Such a value is read component by component (none can hold 13 digits).

const MIN_PAN_DIGITS = 13;
const MAX_PAN_DIGITS = 19;

interface CardScheme {
  readonly name: string;
  /** Inclusive ranges of leading digits, as strings of equal length. */
  readonly ranges: readonly (readonly [string, string])[];
  readonly lengths: readonly number[];
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * The schemes and IIN ranges the guard knows (public scheme tables, 2026). UATP (airline cards
 * starting with 1) is left out on purpose: with it, a time such as `10:00:00.123456+01:00` would
 * be refused one time in ten.
 */
export const CARD_SCHEMES: readonly CardScheme[] = [
  { name: 'Visa', ranges: [['4', '4']], lengths: [13, 16, 19] },
  {
    name: 'Mastercard',
    ranges: [
      ['51', '55'],
      ['2221', '2720'],
    ],
    lengths: [16],
  },
  {
    name: 'American Express',
    ranges: [
      ['34', '34'],
      ['37', '37'],
    ],
    lengths: [15],
  },
  {
    name: 'Discover',
    ranges: [
      ['6011', '6011'],
      ['644', '649'],
      ['65', '65'],
    ],
    lengths: range(16, 19),
  },
  { name: 'JCB', ranges: [['3528', '3589']], lengths: range(16, 19) },
  {
    name: 'Diners Club',
    ranges: [
      ['300', '305'],
      ['36', '36'],
    ],
    lengths: range(14, 19),
  },
  // The 38 and 39 ranges run on the Discover network, with its lengths.
  { name: 'Diners Club', ranges: [['38', '39']], lengths: range(16, 19) },
  { name: 'UnionPay', ranges: [['62', '62']], lengths: range(16, 19) },
  {
    name: 'Maestro',
    ranges: [
      ['50', '50'],
      ['56', '69'],
    ],
    // The scheme allows 12 to 19 digits; issued Maestro cards have 16 to 19. Shorter lengths
    // over this wide range would refuse a store number followed by a phone number.
    lengths: range(16, 19),
  },
  { name: 'Mir', ranges: [['2200', '2204']], lengths: range(16, 19) },
  {
    name: 'RuPay',
    ranges: [
      ['60', '60'],
      ['81', '82'],
      ['508', '508'],
    ],
    lengths: [16],
  },
  { name: 'Troy', ranges: [['9792', '9792']], lengths: [16] },
];

/** True when the digits pass the Luhn (mod 10) check. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The scheme whose IIN range and length this digit string has, if any (Luhn not checked). */
export function cardSchemeOf(digits: string): CardScheme | undefined {
  return CARD_SCHEMES.find(
    (scheme) =>
      scheme.lengths.includes(digits.length) &&
      scheme.ranges.some(([from, to]) => {
        const prefix = digits.slice(0, from.length);
        return prefix >= from && prefix <= to;
      }),
  );
}

/** True when the digits are a whole card number: a scheme's IIN and length, and a valid Luhn digit. */
export function isCardNumber(digits: string): boolean {
  return cardSchemeOf(digits) !== undefined && passesLuhn(digits);
}

const ANY_DIGIT = /\p{Nd}/u;
const LETTER = /\p{L}/u;
const digitValues = new Map<string, string>();

/**
 * The ASCII digit of a Unicode decimal digit. Unicode keeps each script's digits 0 to 9 in
 * consecutive code points starting at a zero, so the value is the position in that block.
 */
function asciiDigit(char: string): string {
  const known = digitValues.get(char);
  if (known !== undefined) return known;
  const codePoint = char.codePointAt(0) ?? 0;
  let before = 0;
  while (before < 100 && ANY_DIGIT.test(String.fromCodePoint(codePoint - before - 1))) before++;
  const value = String(before % 10);
  digitValues.set(char, value);
  return value;
}

/** NFKC, and every decimal digit in ASCII. */
export function normaliseDigits(text: string): string {
  let out = '';
  for (const char of text.normalize('NFKC')) {
    out += char >= '0' && char <= '9' ? char : ANY_DIGIT.test(char) ? asciiDigit(char) : char;
  }
  return out;
}

/** The digit runs of a normalised text: digits joined by anything but letters. */
function digitRuns(text: string): string[] {
  const runs: string[] = [];
  let run = '';
  for (const char of text) {
    if (char >= '0' && char <= '9') run += char;
    else if (LETTER.test(char)) {
      if (run.length >= MIN_PAN_DIGITS) runs.push(run);
      run = '';
    }
  }
  if (run.length >= MIN_PAN_DIGITS) runs.push(run);
  return runs;
}

function runHoldsCard(run: string): boolean {
  for (let start = 0; start + MIN_PAN_DIGITS <= run.length; start++) {
    for (let length = MIN_PAN_DIGITS; length <= MAX_PAN_DIGITS && start + length <= run.length; length++) {
      if (isCardNumber(run.slice(start, start + length))) return true;
    }
  }
  return false;
}

// A whole ISO 8601 date-time (2026-11-29T23:15:00.123456+01:00) or date, fields in range.
const DATE_TIME =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?:[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d|60)(?:[.,](\d{1,9}))?)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?$/i;
const UUID = /(?<![0-9a-z])[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}(?![0-9a-z])/gi;

/** True when the text holds a 13–19 digit card number, however its digits are written or spaced. */
export function textContainsPan(text: string): boolean {
  const normalised = normaliseDigits(text);
  // Structured values: each component is a run of its own (see 4. above).
  if (DATE_TIME.test(normalised)) return false;
  const uuidsSplit = normalised.replace(UUID, (uuid) => uuid.replaceAll('-', 'x'));
  return digitRuns(uuidsSplit).some(runHoldsCard);
}

/** A number written with an exponent (`4.242424242424242e15`): refused, since it can hide a card number. */
export class ExponentNumberFound extends Error {
  override readonly name = 'ExponentNumberFound';
}

/**
 * True when any string (keys included, escapes decoded) or number literal of a JSON text holds a
 * card number. Numbers are read from the source text, since JSON.parse rounds integers past 2^53;
 * a number with an exponent throws ExponentNumberFound. The text must already be valid JSON.
 */
export function jsonContainsPan(json: string): boolean {
  let i = 0;
  while (i < json.length) {
    const char = json[i];
    if (char === '"') {
      const end = endOfString(json, i);
      if (textContainsPan(JSON.parse(json.slice(i, end + 1)) as string)) return true;
      i = end + 1;
    } else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
      let end = i + 1;
      while (end < json.length && /[-+.eE0-9]/.test(json.charAt(end))) end++;
      const literal = json.slice(i, end);
      if (/[eE]/.test(literal)) throw new ExponentNumberFound();
      if (textContainsPan(literal)) return true;
      i = end;
    } else {
      i++;
    }
  }
  return false;
}

/**
 * Headers added on the way by the network (proxies, API Gateway, CloudFront), not by the bank;
 * Vigil neither stores nor logs them, and an address list such as `62.210.33.15, 10.0.0.1` would
 * read as one long digit run.
 */
const NETWORK_HEADERS = /^(?:host|content-length|forwarded|via|x-forwarded-.*|x-amzn?-.*|cloudfront-.*)$/i;

/**
 * The first place outside the body where a card number shows: `header:<name>` or
 * `path:<name>`; undefined when there is none.
 */
export function panOutsideBody(
  headers: Readonly<Record<string, string | undefined>>,
  pathParameters: Readonly<Record<string, string | undefined>> = {},
): string | undefined {
  for (const [name, value] of Object.entries(pathParameters)) {
    if (value !== undefined && (textContainsPan(value) || textContainsPan(safeDecode(value))))
      return `path:${name}`;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !NETWORK_HEADERS.test(name) && textContainsPan(value)) return `header:${name}`;
  }
  return undefined;
}

/** Path parameters may arrive percent-encoded (`4242%204242...`): both forms are read. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function endOfString(json: string, openingQuote: number): number {
  let i = openingQuote + 1;
  while (i < json.length) {
    const char = json[i];
    if (char === '\\') i += 2;
    else if (char === '"') return i;
    else i++;
  }
  return json.length - 1;
}
