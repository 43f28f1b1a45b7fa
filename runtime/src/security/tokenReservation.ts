// What a request on a token-limited route reserves before it is forwarded: the prompt's estimate (four bytes of
// body per token) plus the most its answer may use: `max_completion_tokens` or `max_tokens` (times `n` choices),
// else the rule's `defaultMaxTokens`. Read from the JSON body only after authentication.

/** The prompt estimate: about four bytes of JSON body per token (it over-counts: keys and quotes are bytes too). */
export const BYTES_PER_PROMPT_TOKEN = 4;
/** `n` above this is counted as this many choices (a reservation, not a check of what the upstream accepts). */
const MAX_CHOICES = 128;

export interface TokenRequest {
  promptTokens: number;
  /** Reserved for the answer. */
  completionTokens: number;
  model?: string;
  /** A stream that will not report `usage` (no `stream_options.include_usage`): its deltas are counted instead. */
  streamWithoutUsage: boolean;
}

interface ChatRequestFields {
  model?: unknown;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  n?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
}

const positiveInteger = (value: unknown): number | undefined => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined);

/** `parse` reads the body's JSON value (undefined when it is not JSON): the request's shared parse (gateway/bodyJson.ts). */
export function tokenRequestOf(
  body: Buffer | undefined,
  declaredBytes: number,
  defaultMaxTokens: number,
  parse: (body: Buffer) => unknown = parseJson,
): TokenRequest {
  // A body read only in part (a public endpoint's prefix) counts at its declared length when there is one.
  const bytes = Math.max(body?.length ?? 0, Number.isFinite(declaredBytes) ? declaredBytes : 0);
  const promptTokens = Math.ceil(bytes / BYTES_PER_PROMPT_TOKEN);
  const fields = body ? jsonFields(body, parse) : undefined;
  const maxTokens = positiveInteger(fields?.max_completion_tokens) ?? positiveInteger(fields?.max_tokens) ?? defaultMaxTokens;
  const choices = Math.min(positiveInteger(fields?.n) ?? 1, MAX_CHOICES);
  return {
    promptTokens,
    completionTokens: maxTokens * choices,
    ...(typeof fields?.model === 'string' ? { model: fields.model } : {}),
    streamWithoutUsage: fields?.stream === true && fields.stream_options?.include_usage !== true,
  };
}

function jsonFields(body: Buffer, parse: (body: Buffer) => unknown): ChatRequestFields | undefined {
  let start = 0;
  while (start < body.length && body[start]! <= 0x20) start++;
  if (body[start] !== 0x7b) return undefined; // not a JSON object: nothing to read
  const parsed = parse(body);
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
