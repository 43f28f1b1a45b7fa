// Phone numbers written as phone numbers (precision over recall): international ones with `+` and 8-15 digits in
// groups, and North American ones shaped (415) 555-2671, 415-555-2671, 415.555.2671 or 415 555 2671 with valid area
// and exchange codes. A bare run of digits is not taken for a phone number. Each candidate is parsed once, at most
// MAX_LENGTH characters.
import { codeAt, codeBefore, isAlnum, isDigit, nextCandidate, tailRunStart } from './chars';
import type { Detector, Match } from './types';

const MAX_LENGTH = 26;
const PLUS = 43;
const OPEN = 40;
const CLOSE = 41;
const SPACE = 32;
const HYPHEN = 45;
const DOT = 46;

function isSeparator(code: number): boolean {
  return code === SPACE || code === HYPHEN || code === DOT;
}

function digitsAt(text: string, index: number): number {
  let end = index;
  while (end < text.length && isDigit(text.charCodeAt(end))) end++;
  return end - index;
}

/** `+` then digit groups with single separators, one of them possibly in parentheses; the end index or -1. */
function international(text: string, start: number): number {
  let i = start + 1;
  let digits = 0;
  let parens = 0;
  let end = -1;
  if (!isDigit(codeAt(text, i))) return -1;
  while (i - start <= MAX_LENGTH) {
    const code = codeAt(text, i);
    if (isDigit(code)) {
      const run = digitsAt(text, i);
      digits += run;
      i += run;
      end = i;
    } else if (code === OPEN && parens === 0 && isDigit(codeAt(text, i + 1))) {
      const run = digitsAt(text, i + 1);
      if (codeAt(text, i + 1 + run) !== CLOSE) break;
      parens++;
      digits += run;
      i += run + 2;
      end = i;
    } else break;
    const separator = codeAt(text, i);
    if (isSeparator(separator) && (isDigit(codeAt(text, i + 1)) || codeAt(text, i + 1) === OPEN)) i++;
    else if ((separator === OPEN && parens === 0) || (isDigit(separator) && codeAt(text, i - 1) === CLOSE)) continue;
    else break;
  }
  return digits >= 8 && digits <= 15 && end - start <= MAX_LENGTH ? end : -1;
}

/** North American: [1 sep] (NXX) or NXX sep, NXX sep XXXX; the end index or -1. */
function northAmerican(text: string, start: number): number {
  let i = start;
  if (codeAt(text, i) === 49 && isSeparator(codeAt(text, i + 1))) i += 2; // a leading country code 1
  let area: number;
  let separator: number;
  if (codeAt(text, i) === OPEN) {
    if (digitsAt(text, i + 1) !== 3 || codeAt(text, i + 4) !== CLOSE) return -1;
    area = i + 1;
    i += 5;
    separator = codeAt(text, i);
    if (isSeparator(separator)) i++;
    else separator = -1;
  } else {
    if (digitsAt(text, i) !== 3) return -1;
    area = i;
    separator = codeAt(text, i + 3);
    if (!isSeparator(separator)) return -1;
    i += 4;
  }
  if (digitsAt(text, i) !== 3) return -1;
  const exchange = i;
  const second = codeAt(text, i + 3);
  if (!isSeparator(second) || (separator !== -1 && separator !== OPEN && second !== separator && !(separator === SPACE && second === HYPHEN))) return -1;
  i += 4;
  if (digitsAt(text, i) !== 4) return -1;
  // Area codes and exchanges never start with 0 or 1: numbers like 123-456-7890 are placeholders, not phones.
  if (text.charCodeAt(area) < 50 || text.charCodeAt(exchange) < 50) return -1;
  return i + 4;
}

function endsCleanly(text: string, end: number): boolean {
  const next = codeAt(text, end);
  if (isAlnum(next)) return false;
  return !((next === HYPHEN || next === DOT) && isDigit(codeAt(text, end + 1)));
}

function startsCleanly(text: string, start: number): boolean {
  const before = codeBefore(text, start);
  return !isAlnum(before) && before !== PLUS && before !== HYPHEN && before !== DOT && before !== CLOSE;
}

const CANDIDATE = /[0-9+(]/g;

function find(text: string, from: number, out: Match[]): void {
  for (let i = nextCandidate(CANDIDATE, text, from); i !== -1; i = nextCandidate(CANDIDATE, text, i + 1)) {
    const code = text.charCodeAt(i);
    if (!startsCleanly(text, i)) continue;
    const end = code === PLUS ? international(text, i) : northAmerican(text, i);
    if (end !== -1 && endsCleanly(text, end)) {
      out.push({ start: i, end, kind: 'phone' });
      i = end - 1;
    } else if (isDigit(code)) {
      while (i + 1 < text.length && isDigit(text.charCodeAt(i + 1))) i++; // the rest of this digit run cannot start one
    }
  }
}

function isPhoneChar(code: number): boolean {
  return isDigit(code) || code === PLUS || code === OPEN || code === CLOSE || isSeparator(code);
}

export const phoneDetector: Detector = {
  kind: 'phone',
  find,
  holdFrom(text) {
    let start = tailRunStart(text, isPhoneChar, MAX_LENGTH + 1);
    while (start < text.length && isSeparator(text.charCodeAt(start))) start++;
    return start;
  },
};
