// Reads `usage` (token counts) from a response while it streams through, without holding the stream back:
// the whole body for JSON (up to a cap), the data lines for SSE (the last usage chunk wins).
import type { UsageTokens } from '../context';

const MAX_JSON_BYTES = 1 << 20;

export interface UsageTap {
  push(chunk: Buffer): void;
  result(): UsageTokens | undefined;
}

export function createUsageTap(contentType: string | undefined): UsageTap | undefined {
  if (!contentType) return undefined;
  if (contentType.includes('text/event-stream')) return sseTap();
  if (contentType.includes('json')) return jsonTap();
  return undefined;
}

function jsonTap(): UsageTap {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push(chunk) {
      size += chunk.length;
      if (size <= MAX_JSON_BYTES) chunks.push(chunk);
    },
    result() {
      if (size > MAX_JSON_BYTES || chunks.length === 0) return undefined;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      const value = lastTopLevelMember(body, USAGE_KEY);
      if (value === undefined) return usageOf(parse(body.toString('utf8'))); // not provably top-level: parse it all
      return usageOf({ usage: parse(value.toString('utf8')) });
    },
  };
}

const USAGE_KEY = Buffer.from('"usage"');
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

function sseTap(): UsageTap {
  let pending = '';
  let usage: UsageTokens | undefined;
  const scan = (line: string): void => {
    if (!line.startsWith('data:') || !line.includes('"usage"')) return;
    usage = usageOf(parse(line.slice(5).trim())) ?? usage;
  };
  return {
    push(chunk) {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) scan(line.trimEnd());
    },
    result() {
      scan(pending.trimEnd());
      return usage;
    },
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function usageOf(body: unknown): UsageTokens | undefined {
  if (!body || typeof body !== 'object' || !('usage' in body)) return undefined;
  const usage = body.usage as Record<string, unknown> | null;
  if (!usage || typeof usage !== 'object') return undefined;
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0;
  const completion = typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0;
  const total = typeof usage.total_tokens === 'number' ? usage.total_tokens : prompt + completion;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total };
}
