// Character classes the detectors scan with: plain code-unit tests, no regular expressions on request data.

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}

export function isLower(code: number): boolean {
  return code >= 97 && code <= 122;
}

export function isAlpha(code: number): boolean {
  return isUpper(code) || isLower(code);
}

export function isAlnum(code: number): boolean {
  return isDigit(code) || isAlpha(code);
}

export function isHex(code: number): boolean {
  return isDigit(code) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

/** Letters, digits, `_` and `-`: the alphabet of most API keys (and base64url). */
export function isKeyChar(code: number): boolean {
  return isAlnum(code) || code === 95 || code === 45;
}

/** The code unit before `index`, or -1 at the start of the text. */
export function codeBefore(text: string, index: number): number {
  return index > 0 ? text.charCodeAt(index - 1) : -1;
}

/** The code unit at `index`, or -1 past the end. */
export function codeAt(text: string, index: number): number {
  return index < text.length ? text.charCodeAt(index) : -1;
}

/**
 * Where a match could still be forming at the end of the text: the start of the run of `inRun` characters that ends
 * it, but no further back than `maxLength` (a match that is still growing lies in that run and is at most that long).
 * The text's length when the text does not end in such a character.
 */
export function tailRunStart(text: string, inRun: (code: number) => boolean, maxLength: number): number {
  const limit = Math.max(0, text.length - maxLength);
  let start = text.length;
  while (start > limit && inRun(text.charCodeAt(start - 1))) start--;
  return start;
}

/**
 * The next index at or after `from` where `candidates` matches, or -1. Candidate searches use regexes made only of
 * character classes and fixed literals, without quantifiers: each attempt reads a bounded number of characters, so a
 * search is linear in the text (V8 runs them in native code, several times faster than a loop over the characters).
 */
export function nextCandidate(candidates: RegExp, text: string, from: number): number {
  candidates.lastIndex = from;
  return candidates.exec(text)?.index ?? -1;
}
