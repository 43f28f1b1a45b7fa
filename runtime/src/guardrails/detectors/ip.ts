// IP addresses: dotted-quad IPv4 (octets 0-255, no leading zeros) and IPv6 (hex groups, at most one `::`, an
// optional IPv4 tail). Not part of a longer dotted or colon-separated sequence (versions like 1.2.3.4.5, times like
// 12:30:45); an IPv6 address needs a digit in a group, so words like dead::beef are not taken for one.
import { codeAt, codeBefore, isAlnum, isDigit, isHex, nextCandidate, tailRunStart } from './chars';
import type { Detector, Match } from './types';

const MAX_LENGTH = 45;
const DOT = 46;
const COLON = 58;

/** The end of a dotted quad starting at `start`, or -1. */
function ipv4End(text: string, start: number): number {
  let i = start;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (codeAt(text, i) !== DOT) return -1;
      i++;
    }
    let length = 0;
    let value = 0;
    while (length < 4 && isDigit(codeAt(text, i + length))) value = value * 10 + text.charCodeAt(i + length++) - 48;
    if (length === 0 || length > 3 || value > 255 || (length > 1 && text.charCodeAt(i) === 48)) return -1;
    i += length;
  }
  return i;
}

/** The end of an IPv6 address starting at `start`, or -1. */
function ipv6End(text: string, start: number): number {
  let i = start;
  let groups = 0;
  let compressed = false;
  let hasDigit = false;
  let end = -1;
  if (codeAt(text, i) === COLON) {
    if (codeAt(text, i + 1) !== COLON) return -1;
    compressed = true;
    i += 2;
    end = i;
  }
  while (i - start <= MAX_LENGTH) {
    let length = 0;
    while (length < 5 && isHex(codeAt(text, i + length))) length++;
    if (length === 0) break;
    // An IPv4 tail ends the address: at most six groups before it.
    if (codeAt(text, i + length) === DOT && groups <= 6) {
      const v4 = ipv4End(text, i);
      if (v4 !== -1) return (compressed ? groups + 2 <= 7 : groups === 6) ? v4 : -1;
    }
    if (length > 4) return -1;
    for (let j = i; j < i + length; j++) if (isDigit(text.charCodeAt(j))) hasDigit = true;
    groups++;
    i += length;
    end = i;
    if (codeAt(text, i) !== COLON) break;
    if (codeAt(text, i + 1) === COLON) {
      if (compressed) break;
      compressed = true;
      i += 2;
      end = i;
    } else if (isHex(codeAt(text, i + 1))) i++;
    else break;
  }
  if (!hasDigit || end === -1) return -1;
  if (compressed ? groups < 2 || groups > 7 : groups !== 8) return -1;
  return end;
}

/** An IPv6 address has a colon within its first five characters: most words starting with a-f are ruled out at once. */
function mayStartIpv6(text: string, start: number): boolean {
  for (let i = start; i < start + 5 && i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === COLON) return true;
    if (!isHex(code)) return false;
  }
  return false;
}

function endsCleanly(text: string, end: number): boolean {
  const next = codeAt(text, end);
  if (isAlnum(next) || next === COLON) return false;
  return !(next === DOT && isDigit(codeAt(text, end + 1)));
}

/** A digit (an IPv4 address starts with one) or a colon (an IPv6 address has one within its first five characters). */
const CANDIDATE = /[0-9:]/g;

function find(text: string, from: number, out: Match[]): void {
  for (let found = nextCandidate(CANDIDATE, text, from); found !== -1; found = nextCandidate(CANDIDATE, text, found + 1)) {
    // From a colon, the address starts at the hex group before it (at most four characters back).
    let i = found;
    if (text.charCodeAt(found) === COLON) while (i > from && found - i < 4 && isHex(text.charCodeAt(i - 1))) i--;
    const code = text.charCodeAt(i);
    const before = codeBefore(text, i);
    if (isAlnum(before) || before === DOT || before === COLON) continue;
    let end = isDigit(code) ? ipv4End(text, i) : -1;
    if ((end === -1 || !endsCleanly(text, end)) && mayStartIpv6(text, i)) end = ipv6End(text, i);
    if (end !== -1 && endsCleanly(text, end)) {
      out.push({ start: i, end, kind: 'ip' });
      found = end - 1;
    } else if (isDigit(code)) {
      while (found + 1 < text.length && isDigit(text.charCodeAt(found + 1))) found++; // the rest of this run cannot start one
    }
  }
}

export const ipDetector: Detector = {
  kind: 'ip',
  find,
  holdFrom: (text) => tailRunStart(text, (code) => isHex(code) || code === DOT || code === COLON, MAX_LENGTH + 1),
};
