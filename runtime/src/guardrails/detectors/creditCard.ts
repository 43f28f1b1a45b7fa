// Payment card numbers: 13-19 digits (optionally grouped by one kind of separator, first group of four) that pass
// the Luhn check and start with a known issuer prefix (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay).
// A longer run of digits is not a card. Each run of digits and separators is read once.
import { codeAt, codeBefore, isAlnum, isDigit, nextCandidate, tailRunStart } from './chars';
import type { Detector, Match } from './types';

const MAX_LENGTH = 23; // 19 digits and 4 separators
const SPACE = 32;
const HYPHEN = 45;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function knownIssuer(digits: string): boolean {
  const length = digits.length;
  const two = Number(digits.slice(0, 2));
  const three = Number(digits.slice(0, 3));
  const four = Number(digits.slice(0, 4));
  if (digits[0] === '4') return length === 13 || length === 16 || length === 19; // Visa
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return length === 16; // Mastercard
  if (two === 34 || two === 37) return length === 15; // American Express
  if (four === 6011 || (three >= 644 && three <= 649) || two === 65) return length >= 16; // Discover
  if (four >= 3528 && four <= 3589) return length >= 16; // JCB
  if ((three >= 300 && three <= 305) || two === 36 || two === 38 || two === 39) return length >= 14; // Diners Club
  if (two === 62) return length >= 16; // UnionPay
  return false;
}

/** The digits of the run starting at `start` and where it ends, or undefined when it is no card's shape. */
function readRun(text: string, start: number): { digits: string; end: number } | undefined {
  let digits = '';
  let separator = -1;
  let group = 0;
  let firstGroup = -1;
  let i = start;
  for (; i < text.length && i - start <= MAX_LENGTH; i++) {
    const code = text.charCodeAt(i);
    if (isDigit(code)) {
      digits += text[i];
      group++;
      continue;
    }
    if ((code === SPACE || code === HYPHEN) && isDigit(codeAt(text, i + 1)) && (separator === -1 || separator === code)) {
      separator = code;
      if (firstGroup === -1) firstGroup = group;
      group = 0;
      continue;
    }
    break;
  }
  if (i - start > MAX_LENGTH || digits.length < 13 || digits.length > 19) return undefined;
  if (separator !== -1 && firstGroup !== 4) return undefined;
  return { digits, end: i };
}

const DIGIT = /[0-9]/g;

function find(text: string, from: number, out: Match[]): void {
  for (let i = nextCandidate(DIGIT, text, from); i !== -1; i = nextCandidate(DIGIT, text, i + 1)) {
    const before = codeBefore(text, i);
    const partOfLonger = isAlnum(before) || ((before === SPACE || before === HYPHEN) && isDigit(codeBefore(text, i - 1)));
    let end = i + 1;
    if (!partOfLonger) {
      const run = readRun(text, i);
      if (run && !isAlnum(codeAt(text, run.end)) && knownIssuer(run.digits) && luhnValid(run.digits)) {
        out.push({ start: i, end: run.end, kind: 'credit-card' });
      }
      end = run?.end ?? end;
    }
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    i = end - 1;
  }
}

function isCardChar(code: number): boolean {
  return isDigit(code) || code === SPACE || code === HYPHEN;
}

export const creditCardDetector: Detector = {
  kind: 'credit-card',
  find,
  holdFrom(text) {
    let start = tailRunStart(text, isCardChar, MAX_LENGTH + 1);
    while (start < text.length && !isDigit(text.charCodeAt(start))) start++;
    return start;
  },
};
