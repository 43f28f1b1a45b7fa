// IBANs: a registered country code, two check digits and the country's BBAN length, written compact or in groups of
// four, that pass the ISO 7064 mod-97 checksum. Uppercase only (precision over recall).
import { codeAt, codeBefore, isAlnum, isDigit, isUpper, nextCandidate, tailRunStart } from './chars';
import type { Detector, Match } from './types';

/** IBAN lengths by country (the SWIFT IBAN registry). */
const LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};
const MAX_LENGTH = 34 + 8; // the longest IBAN with a space every four characters
const SPACE = 32;

/** ISO 7064 mod 97-10 over the rearranged IBAN (country and check digits moved to the end, letters as 10..35). */
export function ibanChecksumValid(compact: string): boolean {
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const code = rearranged.charCodeAt(i);
    const value = isDigit(code) ? code - 48 : code - 55;
    remainder = value > 9 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

function isIbanChar(code: number): boolean {
  return isDigit(code) || isUpper(code);
}

/** The compact IBAN starting at `start` and where its text ends, or undefined. */
function readIban(text: string, start: number, length: number): { compact: string; end: number } | undefined {
  const grouped = codeAt(text, start + 4) === SPACE;
  let compact = '';
  let i = start;
  while (compact.length < length) {
    const code = codeAt(text, i);
    // Grouped: a space after every four characters, none elsewhere.
    const spaceDue = grouped && compact.length > 0 && compact.length % 4 === 0 && codeAt(text, i - 1) !== SPACE;
    if (spaceDue) {
      if (code !== SPACE || !isIbanChar(codeAt(text, i + 1))) return undefined;
      i++;
    } else if (isIbanChar(code)) {
      compact += text[i];
      i++;
    } else return undefined;
  }
  return { compact, end: i };
}

/** Two capitals and two digits: a country code and check digits. */
const HEAD = /[A-Z][A-Z][0-9][0-9]/g;

function find(text: string, from: number, out: Match[]): void {
  for (let i = nextCandidate(HEAD, text, from); i !== -1; i = nextCandidate(HEAD, text, i + 1)) {
    if (isAlnum(codeBefore(text, i))) continue;
    const length = LENGTHS[text.slice(i, i + 2)];
    if (length === undefined) continue;
    const iban = readIban(text, i, length);
    if (iban && !isAlnum(codeAt(text, iban.end)) && ibanChecksumValid(iban.compact)) {
      out.push({ start: i, end: iban.end, kind: 'iban' });
      i = iban.end - 1;
    }
  }
}

export const ibanDetector: Detector = {
  kind: 'iban',
  find,
  holdFrom(text) {
    let start = tailRunStart(text, (code) => isIbanChar(code) || code === SPACE, MAX_LENGTH + 1);
    while (start < text.length && !isUpper(text.charCodeAt(start))) start++;
    return start;
  },
};
