// Reads `usage` (token counts) from a response while it streams through, without holding the stream back:
// the whole body for JSON (up to a cap), the data lines for SSE (the last usage chunk wins). It also reads the
// answer's `model` (the first one a stream names), which prices the usage (cost/requestCost.ts).
import type { UsageTokens } from '../context';

const MAX_JSON_BYTES = 1 << 20;

export interface UsageTap {
  push(chunk: Buffer): void;
  result(): UsageTokens | undefined;
  /** The answer's top-level `model`, read only when asked (after the body is through). */
  model(): string | undefined;
}

/** Sees the answer's size and each SSE `data:` payload as they pass (a token limit charging an answer without usage). */
export interface StreamObserver {
  received(bytes: number): void;
  observe(payload: string): void;
}

export function createUsageTap(contentType: string | undefined, observer?: StreamObserver): UsageTap | undefined {
  if (!contentType) return undefined;
  if (contentType.includes('text/event-stream')) return sseTap(observer);
  if (contentType.includes('json')) return jsonTap(observer);
  return undefined;
}

function jsonTap(observer: StreamObserver | undefined): UsageTap {
  let chunks: Buffer[] = [];
  let size = 0;
  const whole = (): Buffer | undefined => {
    if (size > MAX_JSON_BYTES || chunks.length === 0) return undefined;
    if (chunks.length > 1) chunks = [Buffer.concat(chunks, size)];
    return chunks[0];
  };
  return {
    push(chunk) {
      observer?.received(chunk.length);
      size += chunk.length;
      if (size <= MAX_JSON_BYTES) chunks.push(chunk);
    },
    result() {
      const body = whole();
      if (body === undefined) return undefined;
      const value = lastTopLevelMember(body, USAGE_KEY);
      if (value === undefined) return usageOf(parse(body.toString('utf8'))); // not provably top-level: parse it all
      return readUsageObject(value) ?? usageOf({ usage: parse(value.toString('utf8')) });
    },
    model() {
      const body = whole();
      if (body === undefined) return undefined;
      const value = lastTopLevelMember(body, MODEL_KEY);
      return modelOf(value === undefined ? parse(body.toString('utf8')) : { model: parse(value.toString('utf8')) });
    },
  };
}

const USAGE_KEY = Buffer.from('"usage"');
const MODEL_KEY = Buffer.from('"model"');

function modelOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object' || !('model' in body)) return undefined;
  return typeof body.model === 'string' && body.model !== '' ? body.model : undefined;
}
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * The raw value of the last `quotedKey` member when it provably belongs to the top-level object, found from the end
 * (OpenAI-style bodies put `usage` last): the key is preceded by `{` or `,`, and after its value the rest of the body
 * closes exactly one object. Parsing a whole completion to read its usage costs several times more. Undefined when
 * that cannot be shown; the caller then parses the whole body, so the answer is always JSON.parse's.
 */
export function lastTopLevelMember(body: Buffer, quotedKey: Buffer): Buffer | undefined {
  const keyAt = body.lastIndexOf(quotedKey);
  if (keyAt <= 0) return undefined;
  let before = keyAt - 1;
  while (before > 0 && body[before]! <= 0x20) before--;
  if (body[before] !== OPEN_BRACE && body[before] !== COMMA) return undefined;
  let index = keyAt + quotedKey.length;
  while (index < body.length && body[index]! <= 0x20) index++;
  if (body[index] !== COLON) return undefined;
  const valueStart = index + 1;
  let valueEnd = -1;
  let depth = 0; // relative to the member: -1 once the enclosing object closes
  for (index = valueStart; index < body.length; index++) {
    const byte = body[index]!;
    if (byte === QUOTE) {
      for (index++; index < body.length && body[index] !== QUOTE; index++) if (body[index] === BACKSLASH) index++;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 0 && valueEnd < 0) valueEnd = index + 1; // an object or array value ends here
      if (depth === -1) {
        if (valueEnd < 0) valueEnd = index; // a scalar value ended by the closing brace
        break;
      }
    } else if (byte === COMMA && depth === 0 && valueEnd < 0) {
      valueEnd = index; // a scalar value ended by the next member
    }
  }
  if (depth !== -1 || body[index] !== CLOSE_BRACE) return undefined;
  for (index++; index < body.length; index++) if (body[index]! > 0x20) return undefined; // the top-level object ended
  return body.subarray(valueStart, valueEnd);
}

const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const USAGE_FIELDS = ['prompt_tokens', 'completion_tokens', 'total_tokens', 'prompt_tokens_details'].map((name) => Buffer.from(name, 'latin1'));
const DETAILS_FIELD = 3;

/**
 * The token counts of a raw `usage` object read straight from its bytes, the way `usageOf(JSON.parse(raw))` would
 * read them: integer members count, anything else in them does not, other members are skipped whatever they hold.
 * JSON.parse and its string showed in the profile of every proxied request. Undefined when the bytes hold anything
 * this does not read for certain (escapes in a key, a fraction or exponent, unbalanced text): the caller parses then.
 */
export function readUsageObject(raw: Buffer): UsageTokens | undefined {
  const end = raw.length;
  let index = skipSpace(raw, 0);
  if (raw[index] !== OPEN_BRACE) return undefined;
  const counts: (number | undefined)[] = [undefined, undefined, undefined];
  let cached: number | undefined;
  index = skipSpace(raw, index + 1);
  if (raw[index] !== CLOSE_BRACE) {
    for (;;) {
      if (raw[index] !== QUOTE) return undefined;
      const keyStart = index + 1;
      let keyEnd = keyStart;
      while (keyEnd < end && raw[keyEnd] !== QUOTE) if (raw[keyEnd++] === BACKSLASH) return undefined;
      index = skipSpace(raw, keyEnd + 1);
      if (raw[index] !== COLON) return undefined;
      const valueStart = skipSpace(raw, index + 1);
      const valueEnd = skipValue(raw, valueStart);
      if (valueEnd < 0) return undefined;
      const field = usageFieldAt(raw, keyStart, keyEnd);
      if (field === DETAILS_FIELD) {
        // A small object when present (OpenAI sends it on every answer): parsed, as usageOf reads it.
        const details = parse(raw.toString('utf8', valueStart, valueEnd));
        if (details === undefined) return undefined;
        cached = cachedTokensOf(details);
      } else if (field >= 0) {
        const number = integerAt(raw, valueStart, valueEnd);
        if (number === null) return undefined; // a number this does not read exactly: let JSON.parse decide
        counts[field] = number;
      }
      index = skipSpace(raw, valueEnd);
      if (raw[index] === CLOSE_BRACE) break;
      if (raw[index] !== COMMA) return undefined;
      index = skipSpace(raw, index + 1);
    }
  }
  if (skipSpace(raw, index + 1) !== end) return undefined;
  const prompt = counts[0] ?? 0;
  const completion = counts[1] ?? 0;
  const tokens: UsageTokens = { promptTokens: prompt, completionTokens: completion, totalTokens: counts[2] ?? prompt + completion };
  if (cached !== undefined) tokens.cachedTokens = cached;
  return tokens;
}

/** `prompt_tokens_details.cached_tokens`: the prompt tokens read from the provider's cache, when it says. */
function cachedTokensOf(details: unknown): number | undefined {
  if (!details || typeof details !== 'object') return undefined;
  const cached = (details as Record<string, unknown>).cached_tokens;
  return typeof cached === 'number' ? cached : undefined;
}

/** Which of USAGE_FIELDS the key bytes `raw[start, end)` spell, or -1. */
function usageFieldAt(raw: Buffer, start: number, end: number): number {
  for (let field = 0; field < USAGE_FIELDS.length; field++) {
    const name = USAGE_FIELDS[field]!;
    if (name.length !== end - start) continue;
    let at = 0;
    while (at < name.length && raw[start + at] === name[at]) at++;
    if (at === name.length) return field;
  }
  return -1;
}

function skipSpace(raw: Buffer, index: number): number {
  while (index < raw.length && raw[index]! <= 0x20) index++;
  return index;
}

/** The index just past the JSON value starting at `index`, or -1 when it does not end inside `raw`. */
function skipValue(raw: Buffer, index: number): number {
  let depth = 0;
  for (; index < raw.length; index++) {
    const byte = raw[index]!;
    if (byte === QUOTE) {
      for (index++; index < raw.length && raw[index] !== QUOTE; index++) if (raw[index] === BACKSLASH) index++;
      if (index >= raw.length) return -1;
      if (depth === 0) return index + 1;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (depth === 0) return index; // the end of a scalar, at the enclosing object's brace
      if (--depth === 0) return index + 1;
    } else if (depth === 0 && (byte === COMMA || byte <= 0x20)) {
      return index; // the end of a scalar
    }
  }
  return -1;
}

/**
 * The value of a raw JSON member: a safe integer; undefined for what `usageOf` does not count (a string, null, an
 * object...); null for a number in another form (fraction, exponent), or anything not quite JSON, left to JSON.parse.
 */
function integerAt(raw: Buffer, start: number, end: number): number | undefined | null {
  const first = raw[start]!;
  if (first !== MINUS && (first < DIGIT_0 || first > DIGIT_9))
    return first === QUOTE || first === OPEN_BRACE || first === OPEN_BRACKET || isLiteral(raw, start, end) ? undefined : null;
  let index = first === MINUS ? start + 1 : start;
  if (index === end || (raw[index] === DIGIT_0 && end - index > 1)) return null;
  let value = 0;
  for (; index < end; index++) {
    const byte = raw[index]!;
    if (byte < DIGIT_0 || byte > DIGIT_9) return null;
    value = value * 10 + (byte - DIGIT_0);
  }
  if (!Number.isSafeInteger(value)) return null;
  return first === MINUS ? -value : value;
}

function isLiteral(raw: Buffer, start: number, end: number): boolean {
  const text = raw.toString('latin1', start, end);
  return text === 'null' || text === 'true' || text === 'false';
}

/** A line longer than this is not an event the tap reads: it is dropped rather than held (and re-joined) whole. */
const MAX_SSE_LINE_CHARS = 1 << 20;

function sseTap(observer: StreamObserver | undefined): UsageTap {
  let pending = '';
  let usage: UsageTokens | undefined;
  let model: string | undefined;
  const scan = (line: string): void => {
    if (!line.startsWith('data:')) return;
    if (observer) observer.observe(line.slice(5).trim());
    if (model === undefined && line.includes('"model"')) model = modelOf(parse(line.slice(5).trim()));
    if (!line.includes('"usage"')) return;
    usage = usageOf(parse(line.slice(5).trim())) ?? usage;
  };
  return {
    push(chunk) {
      observer?.received(chunk.length);
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      if (pending.length > MAX_SSE_LINE_CHARS) pending = '';
      for (const line of lines) scan(line.trimEnd());
    },
    result() {
      scan(pending.trimEnd());
      pending = '';
      return usage;
    },
    model: () => model,
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The token counts of an OpenAI-shaped answer or chunk (`usage`), cached prompt tokens included when it says. */
export function usageOf(body: unknown): UsageTokens | undefined {
  if (!body || typeof body !== 'object' || !('usage' in body)) return undefined;
  const usage = body.usage as Record<string, unknown> | null;
  if (!usage || typeof usage !== 'object') return undefined;
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0;
  const completion = typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0;
  const total = typeof usage.total_tokens === 'number' ? usage.total_tokens : prompt + completion;
  const tokens: UsageTokens = { promptTokens: prompt, completionTokens: completion, totalTokens: total };
  const cached = cachedTokensOf(usage.prompt_tokens_details);
  if (cached !== undefined) tokens.cachedTokens = cached;
  return tokens;
}
