// The JSON body's top-level "model", which `match.model` routes on. A whole body is read with JSON.parse (the last
// "model" wins, as in the upstreams' parsers). A request that is not authenticated is read only up to
// gateway.limits.maxPreAuthBufferSize, so its model is found in that prefix by a single linear scan that stops at
// the model's value; a second top-level "model" within the prefix makes it ambiguous.

/** Reads the `model` of a JSON body without failing on bodies that are not JSON. */
export function modelOfJsonBody(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'model' in parsed && typeof parsed.model === 'string') return parsed.model;
  } catch {
    // not JSON: no model to match
  }
  return undefined;
}

export type PrefixModel =
  | { kind: 'found'; model: string }
  /** The prefix ends before a top-level "model" (or before the value of the one it found) is complete. */
  | { kind: 'not-within' }
  /** Not a JSON object, or its "model" is not a string: no model to match. */
  | { kind: 'none' }
  | { kind: 'ambiguous' };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MODEL_KEY = '"model"';

/** The top-level "model" of a JSON object whose first bytes are `prefix`. Each byte is looked at once. */
export function modelInJsonPrefix(prefix: Buffer): PrefixModel {
  let at = skipSpace(prefix, 0);
  if (at >= prefix.length) return { kind: 'not-within' };
  if (prefix[at] !== 0x7b) return { kind: 'none' }; // not `{`
  at += 1;
  let found: string | undefined;
  for (;;) {
    at = skipSpace(prefix, at);
    if (at >= prefix.length) return found === undefined ? { kind: 'not-within' } : { kind: 'found', model: found };
    const byte = prefix[at];
    if (byte === 0x7d) return found === undefined ? { kind: 'none' } : { kind: 'found', model: found }; // `}`
    if (byte === 0x2c) {
      at += 1; // `,`
      continue;
    }
    if (byte !== QUOTE) return { kind: 'none' };
    const keyEnd = stringEnd(prefix, at);
    if (keyEnd < 0) return found === undefined ? { kind: 'not-within' } : { kind: 'found', model: found };
    const isModel = isModelKey(prefix, at, keyEnd);
    at = skipSpace(prefix, keyEnd);
    if (at >= prefix.length) return found === undefined ? { kind: 'not-within' } : { kind: 'found', model: found };
    if (prefix[at] !== 0x3a) return { kind: 'none' }; // `:`
    at = skipSpace(prefix, at + 1);
    if (at >= prefix.length) return found === undefined ? { kind: 'not-within' } : { kind: 'found', model: found };
    if (isModel) {
      if (found !== undefined) return { kind: 'ambiguous' };
      if (prefix[at] !== QUOTE) return { kind: 'none' };
      const valueEnd = stringEnd(prefix, at);
      if (valueEnd < 0) return { kind: 'not-within' };
      const value = parseString(prefix, at, valueEnd);
      if (value === undefined) return { kind: 'none' };
      found = value;
      at = valueEnd;
      continue;
    }
    at = valueEnd(prefix, at);
    if (at < 0) return found === undefined ? { kind: 'not-within' } : { kind: 'found', model: found };
  }
}

/** `"model"`, also when spelled with escapes (`"mod\u0065l"`), as JSON.parse and the upstream read it. */
function isModelKey(buffer: Buffer, from: number, end: number): boolean {
  if (end - from === MODEL_KEY.length) return buffer.toString('latin1', from, end) === MODEL_KEY;
  const escape = buffer.indexOf(BACKSLASH, from);
  return escape >= 0 && escape < end && parseString(buffer, from, end) === 'model';
}

function skipSpace(buffer: Buffer, from: number): number {
  let at = from;
  while (at < buffer.length) {
    const byte = buffer[at];
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) break;
    at += 1;
  }
  return at;
}

/** Index just past the string starting at `from` (a quote), or -1 when the buffer ends inside it. */
function stringEnd(buffer: Buffer, from: number): number {
  for (let at = from + 1; at < buffer.length; at++) {
    const byte = buffer[at];
    if (byte === BACKSLASH) at += 1;
    else if (byte === QUOTE) return at + 1;
  }
  return -1;
}

function parseString(buffer: Buffer, from: number, end: number): string | undefined {
  try {
    return JSON.parse(buffer.toString('utf8', from, end)) as string;
  } catch {
    return undefined;
  }
}

/** Index just past the value starting at `from` (nested objects and arrays included), or -1 when the buffer ends first. */
function valueEnd(buffer: Buffer, from: number): number {
  let depth = 0;
  for (let at = from; at < buffer.length; at++) {
    const byte = buffer[at];
    if (byte === QUOTE) {
      at = stringEnd(buffer, at) - 1;
      if (at < 0) return -1;
      if (depth === 0) return at + 1;
    } else if (byte === 0x7b || byte === 0x5b) {
      depth += 1;
    } else if (byte === 0x7d || byte === 0x5d) {
      if (depth === 0) return at; // the enclosing object's `}`: a bare value ended before it
      depth -= 1;
      if (depth === 0) return at + 1;
    } else if (depth === 0 && byte === 0x2c) {
      return at;
    }
  }
  return -1;
}
