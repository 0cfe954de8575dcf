// The PAN guard keeps full card numbers (PANs) out of Vigil. Banks must send only the last four
// digits; a body that carries something that looks like a whole card number is refused unread.
//
// A candidate is a run of 13 to 19 digits (ISO/IEC 7812 lengths) that passes the Luhn check.
// Digits may be written in groups split by single spaces or dashes ("4242 4242 4242 4242"); a
// candidate is then made of whole consecutive groups. A plain run longer than 19 digits is an id,
// not a card number, so it is not searched for windows (a 30-digit id would almost always hold a
// Luhn-valid 16-digit window by chance).

const MIN_PAN_DIGITS = 13;
const MAX_PAN_DIGITS = 19;
const DIGIT_GROUPS = /\d+(?:[ -]\d+)*/g;

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

/** True when the text holds a 13–19 digit, Luhn-valid card number, possibly grouped by spaces or dashes. */
export function textContainsPan(text: string): boolean {
  for (const match of text.matchAll(DIGIT_GROUPS)) {
    const groups = match[0].split(/[ -]/);
    for (let first = 0; first < groups.length; first++) {
      let candidate = '';
      for (let last = first; last < groups.length; last++) {
        candidate += groups[last];
        if (candidate.length > MAX_PAN_DIGITS) break;
        if (candidate.length >= MIN_PAN_DIGITS && passesLuhn(candidate)) return true;
      }
    }
  }
  return false;
}

/**
 * True when any string (keys included, escapes decoded) or number literal of a JSON text holds a
 * card number. Numbers are read from the source text, since JSON.parse rounds integers past 2^53.
 * The text must already be known to be valid JSON.
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
      if (textContainsPan(json.slice(i, end))) return true;
      i = end;
    } else {
      i++;
    }
  }
  return false;
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
