// What makes two requests "the same" for the response cache. The JSON body is compared canonically (keys sorted, no
// whitespace) without the fields that do not change the answer; the route's answer-shaping config is part of the key
// (a change of its targets or of anything it does to requests starts a new cache); and, by default, the consumer.
import { createHash } from 'node:crypto';
import type { CacheConfig, RouteConfig } from '../../../common/src/config';

/** Never part of the key: how the answer is delivered, and who the client says its end user is. */
export const ALWAYS_IGNORED = ['stream', 'user', 'stream_options'] as const;
/** The prompt of a chat or completions request: what a semantic cache embeds instead of comparing. */
const PROMPT_FIELDS = ['messages', 'prompt'];

export interface CacheRequest {
  body: Record<string, unknown>;
  /** The client wants the answer streamed (SSE). */
  stream: boolean;
  /** `stream_options.include_usage`: a replayed or converted stream ends with a usage chunk. */
  includeUsage: boolean;
}

/** The body as a JSON object, or undefined when it is not one (such requests are not cached). */
export function parseCacheRequest(body: Buffer): CacheRequest | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  return cacheRequestOf(parsed as Record<string, unknown>);
}

/** A request body already parsed (a provider route's OpenAI-shaped request). */
export function cacheRequestOf(fields: Record<string, unknown>): CacheRequest {
  const options = fields.stream_options;
  const includeUsage = options !== null && typeof options === 'object' && (options as { include_usage?: unknown }).include_usage === true;
  return { body: fields, stream: fields.stream === true, includeUsage };
}

/** JSON with every object's keys sorted and no whitespace; top-level fields in `omit` left out. */
export function canonicalJson(value: unknown, omit: ReadonlySet<string> = new Set()): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => !omit.has(key) && record[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

/** Route settings that only decide whether and how fast an answer comes, not what it says. */
const NOT_ANSWER_SHAPING = new Set<string>([
  'name',
  'path',
  'methods',
  'match',
  'loadBalancing',
  'timeoutMs',
  'connectTimeoutMs',
  'firstByteTimeoutMs',
  'idleTimeoutMs',
  'retries',
  'retryOn',
  'retryBackoff',
  'healthCheck',
  'circuitBreaker',
  'example',
  'tests',
  'cache',
]);

/**
 * A digest of what in the route's config shapes its answers: its targets, path rewriting, forwarded credentials and
 * anything a later feature adds to a route (named here or not, it counts until listed above), plus the cache keys
 * that shape the key. Target URLs are hashed, never shown.
 */
export function routeFingerprint(route: RouteConfig, cache: CacheConfig): string {
  const shaping = Object.fromEntries(Object.entries(route).filter(([key]) => !NOT_ANSWER_SHAPING.has(key)));
  const keyed = { mode: cache.mode, by: cache.by, ignoreFields: cache.ignoreFields, keyHeaders: cache.keyHeaders };
  return digest(canonicalJson({ shaping, keyed }));
}

export interface KeyParts {
  fingerprint: string;
  /** The route's name, or absent for `by: global`. */
  route: string | undefined;
  /** `by: consumer`: the consumer (or the client address of a caller without one). */
  scope: string | undefined;
  method: string;
  /** The path and query the upstream is sent. */
  target: string;
  headers: (string | undefined)[];
}

/** The exact key of a request: everything in `parts` and the canonical body without the ignored fields. */
export function exactKey(parts: KeyParts, request: CacheRequest, ignored: ReadonlySet<string>): string {
  return digest(
    JSON.stringify([
      parts.fingerprint,
      parts.route ?? null,
      parts.scope ?? null,
      parts.method,
      parts.target,
      parts.headers,
      canonicalJson(request.body, ignored),
    ]),
  );
}

/** The set of stored prompts a semantic lookup compares with: the same key without the prompt itself. */
export function semanticNamespace(parts: KeyParts, request: CacheRequest, ignored: ReadonlySet<string>): string {
  return exactKey(parts, request, new Set([...ignored, ...PROMPT_FIELDS]));
}

/**
 * The text a semantic cache embeds: each message's role and text, or the completion prompt. Undefined when the
 * prompt holds anything but text (images, tool calls and results, named parts): such a request is looked up exactly
 * only, since text alike would not make its answers alike.
 */
export function promptText(body: Record<string, unknown>): string | undefined {
  if (typeof body.prompt === 'string') return body.prompt;
  if (body.prompt !== undefined || !Array.isArray(body.messages)) return undefined;
  const lines: string[] = [];
  for (const message of body.messages) {
    if (message === null || typeof message !== 'object') return undefined;
    const { role, content, ...rest } = message as Record<string, unknown>;
    const text = contentText(content);
    if (typeof role !== 'string' || text === undefined || Object.keys(rest).length > 0) return undefined;
    lines.push(`${role}: ${text}`);
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const part of content) {
    const { type, text, ...rest } = (part ?? {}) as Record<string, unknown>;
    if (type !== 'text' || typeof text !== 'string' || Object.keys(rest).length > 0) return undefined;
    texts.push(text);
  }
  return texts.join(' ');
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
