// Secrets: provider API keys by their documented prefixes (OpenAI and Anthropic `sk-`, Stripe, GitHub, Slack, Google),
// AWS access key ids (AKIA...), AWS secret keys written after their variable name, JWTs, and PEM private-key blocks.
// Each prefix is found with indexOf and its body read once; nothing is guessed from entropy alone.
import { codeAt, codeBefore, isAlnum, isDigit, isKeyChar, isUpper, tailRunStart } from './chars';
import type { Detector, Match } from './types';

interface PrefixedKey {
  prefix: string;
  body: (code: number) => boolean;
  min: number;
  max: number;
  /** Letters and digits both: a prose word after the prefix (sk-learn-tutorial) is not a key. */
  mixed?: boolean;
}

const MAX_KEY = 255;
const MAX_JWT = 8_192;
const MAX_PRIVATE_KEY = 16_384;
const isAlnumCode = isAlnum;
const isAwsIdChar = (code: number): boolean => isUpper(code) || (code >= 50 && code <= 55); // A-Z, 2-7 (base32)
const isAwsSecretChar = (code: number): boolean => isAlnum(code) || code === 47 || code === 43; // and / +

const PREFIXED: PrefixedKey[] = [
  { prefix: 'sk-', body: isKeyChar, min: 20, max: MAX_KEY, mixed: true }, // OpenAI (sk-proj-, sk-svcacct-), Anthropic (sk-ant-)
  { prefix: 'sk_live_', body: isAlnumCode, min: 20, max: MAX_KEY }, // Stripe
  { prefix: 'rk_live_', body: isAlnumCode, min: 20, max: MAX_KEY },
  { prefix: 'sk_test_', body: isAlnumCode, min: 20, max: MAX_KEY },
  { prefix: 'ghp_', body: isAlnumCode, min: 30, max: MAX_KEY }, // GitHub
  { prefix: 'gho_', body: isAlnumCode, min: 30, max: MAX_KEY },
  { prefix: 'ghu_', body: isAlnumCode, min: 30, max: MAX_KEY },
  { prefix: 'ghs_', body: isAlnumCode, min: 30, max: MAX_KEY },
  { prefix: 'ghr_', body: isAlnumCode, min: 30, max: MAX_KEY },
  { prefix: 'github_pat_', body: (code) => isAlnum(code) || code === 95, min: 50, max: MAX_KEY },
  { prefix: 'xoxb-', body: (code) => isAlnum(code) || code === 45, min: 10, max: MAX_KEY, mixed: true }, // Slack
  { prefix: 'xoxp-', body: (code) => isAlnum(code) || code === 45, min: 10, max: MAX_KEY, mixed: true },
  { prefix: 'xoxa-', body: (code) => isAlnum(code) || code === 45, min: 10, max: MAX_KEY, mixed: true },
  { prefix: 'xoxr-', body: (code) => isAlnum(code) || code === 45, min: 10, max: MAX_KEY, mixed: true },
  { prefix: 'xoxs-', body: (code) => isAlnum(code) || code === 45, min: 10, max: MAX_KEY, mixed: true },
  { prefix: 'AIza', body: isKeyChar, min: 35, max: 35 }, // Google API keys
  ...['AKIA', 'ASIA', 'ABIA', 'ACCA', 'AGPA', 'AIDA', 'AIPA', 'ANPA', 'ANVA', 'APKA', 'AROA', 'ASCA'].map((prefix) => ({
    prefix,
    body: isAwsIdChar,
    min: 16,
    max: 16,
  })),
];

/** Names an AWS secret access key is written after (`aws_secret_access_key = ...`, `"SecretAccessKey": "..."`). */
const AWS_SECRET_NAMES = ['aws_secret_access_key', 'AWS_SECRET_ACCESS_KEY', 'SecretAccessKey', 'secretAccessKey', 'secret_access_key'];
const AWS_SECRET_GAP = 6; // quotes, spaces, `=` or `:` between the name and the value

function bodyEnd(text: string, start: number, body: (code: number) => boolean, max: number): number {
  let end = start;
  while (end < text.length && body(text.charCodeAt(end)) && end - start <= max) end++;
  return end;
}

function hasLetterAndDigit(text: string, start: number, end: number): boolean {
  let letter = false;
  let digit = false;
  for (let i = start; i < end && !(letter && digit); i++) {
    const code = text.charCodeAt(i);
    if (isDigit(code)) digit = true;
    else if (isAlnum(code)) letter = true;
  }
  return letter && digit;
}

/** Where a prefixed key may start: the prefixes as fixed literals (no quantifier). */
const PREFIX = new RegExp(PREFIXED.map((key) => key.prefix.replace(/[-_]/g, '\\$&')).join('|'), 'g');
const BY_PREFIX = new Map(PREFIXED.map((key) => [key.prefix, key]));

function findPrefixed(text: string, from: number, out: Match[]): void {
  PREFIX.lastIndex = from;
  for (let found = PREFIX.exec(text); found; found = PREFIX.exec(text)) {
    const at = found.index;
    const key = BY_PREFIX.get(found[0])!;
    if (isKeyChar(codeBefore(text, at))) continue;
    const bodyStart = at + key.prefix.length;
    const end = bodyEnd(text, bodyStart, key.body, key.max);
    const length = end - bodyStart;
    if (length >= key.min && length <= key.max && !isKeyChar(codeAt(text, end)) && (!key.mixed || hasLetterAndDigit(text, bodyStart, end))) {
      out.push({ start: at, end, kind: 'secret' });
    }
    PREFIX.lastIndex = Math.max(PREFIX.lastIndex, end);
  }
}

const AWS_SECRET_NAME = new RegExp(AWS_SECRET_NAMES.join('|'), 'g');

function findAwsSecrets(text: string, from: number, out: Match[]): void {
  AWS_SECRET_NAME.lastIndex = Math.max(0, from - 21 - AWS_SECRET_GAP);
  for (let found = AWS_SECRET_NAME.exec(text); found; found = AWS_SECRET_NAME.exec(text)) {
    const name = found[0];
    const at = found.index;
    {
      let start = at + name.length;
      while (start < text.length && start - at - name.length < AWS_SECRET_GAP && ' \t"\':='.includes(text[start] as string)) start++;
      const end = bodyEnd(text, start, isAwsSecretChar, 40);
      if (start >= from && end - start === 40 && !isAwsSecretChar(codeAt(text, end))) out.push({ start, end, kind: 'secret', evidence: at });
    }
  }
}

/** header.payload.signature, each base64url; the header (a JSON object) always starts with `eyJ`. */
function findJwts(text: string, from: number, out: Match[]): void {
  let at = text.indexOf('eyJ', from);
  while (at !== -1) {
    let next = at + 3;
    if (!isKeyChar(codeBefore(text, at)) && codeBefore(text, at) !== 46) {
      const headerEnd = bodyEnd(text, at, isKeyChar, MAX_JWT);
      const payloadEnd = codeAt(text, headerEnd) === 46 ? bodyEnd(text, headerEnd + 1, isKeyChar, MAX_JWT) : -1;
      const signatureEnd = payloadEnd !== -1 && codeAt(text, payloadEnd) === 46 ? bodyEnd(text, payloadEnd + 1, isKeyChar, MAX_JWT) : -1;
      if (
        headerEnd - at >= 10 &&
        payloadEnd - headerEnd - 1 >= 8 &&
        signatureEnd - payloadEnd - 1 >= 16 &&
        signatureEnd - at <= MAX_JWT &&
        !(codeAt(text, signatureEnd) === 46 && isKeyChar(codeAt(text, signatureEnd + 1))) &&
        !isKeyChar(codeAt(text, signatureEnd))
      ) {
        out.push({ start: at, end: signatureEnd, kind: 'secret' });
        next = signatureEnd;
      } else next = Math.max(next, headerEnd);
    }
    at = text.indexOf('eyJ', next);
  }
}

const BEGIN = '-----BEGIN ';

/** The label of a private-key armor header at `at` (`RSA PRIVATE KEY`), with where the header ends; or undefined. */
function privateKeyHeader(text: string, at: number): { label: string; end: number } | undefined {
  const labelStart = at + BEGIN.length;
  let i = labelStart;
  while (i < text.length && i - labelStart < 40 && (isUpper(text.charCodeAt(i)) || text.charCodeAt(i) === 32 || isDigit(text.charCodeAt(i)))) i++;
  if (!text.startsWith('-----', i)) return undefined;
  const label = text.slice(labelStart, i);
  return label.endsWith('PRIVATE KEY') || label.endsWith('PRIVATE KEY BLOCK') ? { label, end: i + 5 } : undefined;
}

/** From the armor header to its END line, or to the end of the text (a cut-off key is still a key), at most MAX_PRIVATE_KEY. */
function findPrivateKeys(text: string, from: number, out: Match[]): void {
  let at = text.indexOf(BEGIN, from);
  while (at !== -1) {
    const header = privateKeyHeader(text, at);
    let next = at + BEGIN.length;
    if (header) {
      const footer = `-----END ${header.label}-----`;
      const close = text.indexOf(footer, header.end);
      const end = close !== -1 && close + footer.length - at <= MAX_PRIVATE_KEY ? close + footer.length : Math.min(text.length, at + MAX_PRIVATE_KEY);
      out.push({ start: at, end, kind: 'secret' });
      next = end;
    }
    at = text.indexOf(BEGIN, next);
  }
}

function find(text: string, from: number, out: Match[]): void {
  findPrefixed(text, from, out);
  findAwsSecrets(text, from, out);
  findJwts(text, from, out);
  findPrivateKeys(text, from, out);
}

/** Where an armor header or footer could still be forming, or a block is not closed yet (within its bound). */
function privateKeyHold(text: string): number {
  let hold = text.length;
  const tail = Math.max(0, text.length - MAX_PRIVATE_KEY);
  const begin = text.lastIndexOf(BEGIN.slice(0, 5), text.length);
  if (begin >= tail && begin !== -1) {
    const rest = text.slice(begin, begin + BEGIN.length + 60);
    const header = text.startsWith(BEGIN, begin) ? privateKeyHeader(text, begin) : undefined;
    if (header) {
      if (!text.includes(`-----END ${header.label}-----`, header.end)) hold = begin;
    } else if (BEGIN.startsWith(rest) || (rest.startsWith(BEGIN) && !rest.slice(BEGIN.length).includes('-----') && rest.length < BEGIN.length + 60)) {
      hold = begin; // "-----BEG" or "-----BEGIN RSA PRIV": the header is not complete yet
    }
  }
  // A block opened earlier than the last five dashes (its own END not written yet).
  const open = text.lastIndexOf(BEGIN, hold - 1);
  if (open !== -1 && open >= tail && open < hold) {
    const header = privateKeyHeader(text, open);
    if (header && !text.includes(`-----END ${header.label}-----`, header.end)) hold = open;
  }
  // Dashes at the very end may start a header.
  let dashes = text.length;
  while (dashes > 0 && text.charCodeAt(dashes - 1) === 45 && text.length - dashes < 5) dashes--;
  return Math.min(hold, dashes);
}

const NAME_FIRST = new Set(AWS_SECRET_NAMES.map((name) => name.charCodeAt(0)));
const isNameChar = (code: number): boolean => isAlnum(code) || code === 95;
const VALUE_WINDOW = AWS_SECRET_GAP + 41;

/** Where a variable name of an AWS secret, or the value after it, may still be forming at the end of the text. */
function awsSecretHold(text: string): number {
  let hold = text.length;
  // A written name whose value is not complete yet: looked for only near the end.
  for (const name of AWS_SECRET_NAMES) {
    const at = text.indexOf(name, Math.max(0, text.length - name.length - VALUE_WINDOW));
    if (at !== -1) hold = Math.min(hold, at);
  }
  // A name cut by the end of the text: a suffix of the last word that begins one of the names.
  const word = tailRunStart(text, isNameChar, 21);
  for (let j = word; j < text.length && j < hold; j++) {
    if (!NAME_FIRST.has(text.charCodeAt(j))) continue;
    const piece = text.slice(j);
    if (AWS_SECRET_NAMES.some((name) => name.startsWith(piece))) return Math.min(hold, j);
  }
  return hold;
}

export const secretDetector: Detector = {
  kind: 'secret',
  find,
  holdFrom(text) {
    const token = tailRunStart(text, (code) => isKeyChar(code) || code === 46, MAX_JWT + 1);
    return Math.min(token, privateKeyHold(text), awsSecretHold(text));
  },
};
