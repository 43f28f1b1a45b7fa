// E-mail addresses: a local part of at most 64 characters that starts a word, `@`, and a domain of dot-separated
// labels ending in an alphabetic top-level domain. Found from each `@` outwards, so each character is looked at a
// bounded number of times.
import { codeAt, isAlnum, isAlpha, tailRunStart } from './chars';
import type { Detector, Match } from './types';

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const AT = 64;
const DOT = 46;
const HYPHEN = 45;

function isLocalChar(code: number): boolean {
  return isAlnum(code) || code === DOT || code === 95 || code === 37 || code === 43 || code === HYPHEN; // . _ % + -
}

function isDomainChar(code: number): boolean {
  return isAlnum(code) || code === DOT || code === HYPHEN;
}

function validDomain(text: string, start: number, end: number): boolean {
  let labelStart = start;
  let labels = 0;
  for (let i = start; i <= end; i++) {
    if (i < end && text.charCodeAt(i) !== DOT) continue;
    const length = i - labelStart;
    if (length < 1 || length > 63) return false;
    if (text.charCodeAt(labelStart) === HYPHEN || text.charCodeAt(i - 1) === HYPHEN) return false;
    labels++;
    if (i === end) {
      // The top-level domain: letters only, at least two.
      if (length < 2) return false;
      for (let j = labelStart; j < i; j++) if (!isAlpha(text.charCodeAt(j))) return false;
    }
    labelStart = i + 1;
  }
  return labels >= 2;
}

function find(text: string, from: number, out: Match[]): void {
  let at = text.indexOf('@', from);
  while (at !== -1) {
    let next = at + 1;
    let start = at;
    while (start > 0 && isLocalChar(text.charCodeAt(start - 1)) && at - start <= MAX_LOCAL) start--;
    const localLength = at - start;
    const before = start > 0 ? text.charCodeAt(start - 1) : -1;
    const localOk =
      localLength >= 1 &&
      localLength <= MAX_LOCAL &&
      before !== AT &&
      !isLocalChar(before) &&
      text.charCodeAt(start) !== DOT &&
      text.charCodeAt(at - 1) !== DOT;
    if (localOk && start >= from) {
      let end = at + 1;
      while (end < text.length && isDomainChar(text.charCodeAt(end)) && end - at <= MAX_DOMAIN + 1) end++;
      // A sentence may end right after the address: trailing dots and hyphens are not part of it.
      while (end > at + 1 && (text.charCodeAt(end - 1) === DOT || text.charCodeAt(end - 1) === HYPHEN)) end--;
      if (end - at - 1 <= MAX_DOMAIN && codeAt(text, end) !== AT && validDomain(text, at + 1, end)) {
        out.push({ start, end, kind: 'email' });
        next = end;
      }
    }
    at = text.indexOf('@', next);
  }
}

function isEmailRunChar(code: number): boolean {
  return isLocalChar(code) || code === AT;
}

export const emailDetector: Detector = {
  kind: 'email',
  find,
  // An address lies within one run of address characters, at most local + @ + domain + a trailing dot long.
  holdFrom: (text) => tailRunStart(text, isEmailRunChar, MAX_LOCAL + 1 + MAX_DOMAIN + 2),
};
