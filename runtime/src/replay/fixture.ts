// A recorded upstream exchange, as `ai-gateway-cli record` writes it and `replay://` serves it back: what the route
// sent upstream (method, path, query and body; headers for the reader, credentials left out) and what came back
// (status, headers, and the body as the chunks that arrived, each with its time, so a stream replays with its pacing).
// Chunks are UTF-8 text when they are, base64 otherwise, so a replay is the recorded bytes exactly.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const FIXTURE_VERSION = 1;

export interface Fixture {
  fixture: typeof FIXTURE_VERSION;
  route: string;
  recordedAt: string;
  request: { method: string; path: string; query: string; headers: Record<string, string>; body?: FixtureBody };
  response: { status: number; headers: Record<string, string>; headAtMs: number; chunks: FixtureChunk[] };
}

/** JSON bodies are kept as JSON (readable, and edited by hand if need be); others as text or base64. */
export type FixtureBody = { json: unknown } | { text: string } | { base64: string };
/** `atMs` after the request went upstream. */
export type FixtureChunk = { atMs: number; text: string } | { atMs: number; base64: string };

/** Never written to a fixture: credentials, and what belongs to one connection or one gateway. */
const LEFT_OUT_REQUEST =
  /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-goog-api-key|x-amz-security-token|x-amz-date|x-gateway-.*|host|connection|content-length|transfer-encoding|expect|x-request-id|traceparent|tracestate|x-forwarded-.*)$/i;
const LEFT_OUT_RESPONSE = /^(set-cookie|connection|keep-alive|content-length|transfer-encoding|date|x-request-id|server-timing|x-gateway-.*)$/i;
/** Query parameters that carry keys (`?key=` for Gemini, signatures). */
const CREDENTIAL_PARAM = /key|token|secret|password|signature|^sig$|^x-amz-/i;

export function keptHeaders(headers: IncomingHttpHeaders, leftOut: RegExp): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || leftOut.test(name) || /key|token|secret|password|credential/i.test(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

export const requestHeadersOf = (headers: IncomingHttpHeaders): Record<string, string> => keptHeaders(headers, LEFT_OUT_REQUEST);
export const responseHeadersOf = (headers: IncomingHttpHeaders): Record<string, string> => keptHeaders(headers, LEFT_OUT_RESPONSE);

/** The query without credential parameters, with its `?` ('' when nothing is left). */
export function queryOf(search: string): string {
  if (search.length <= 1) return '';
  const params = new URLSearchParams(search.slice(1));
  for (const name of [...params.keys()]) if (CREDENTIAL_PARAM.test(name)) params.delete(name);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function bodyOf(data: Buffer): FixtureBody | undefined {
  if (data.length === 0) return undefined;
  const text = exactText(data);
  if (text === undefined) return { base64: data.toString('base64') };
  try {
    return { json: JSON.parse(text) as unknown };
  } catch {
    return { text };
  }
}

export function chunkOf(atMs: number, data: Buffer): FixtureChunk {
  const text = exactText(data);
  const at = Math.round(atMs * 10) / 10;
  return text === undefined ? { atMs: at, base64: data.toString('base64') } : { atMs: at, text };
}

export function chunkBytes(chunk: FixtureChunk): Buffer {
  return 'text' in chunk ? Buffer.from(chunk.text, 'utf8') : Buffer.from(chunk.base64, 'base64');
}

/** The text of `data` when it decodes and encodes back to the same bytes. */
function exactText(data: Buffer): string | undefined {
  const text = data.toString('utf8');
  return Buffer.byteLength(text) === data.length && Buffer.from(text, 'utf8').equals(data) ? text : undefined;
}

/** A body as matching compares it: JSON with its keys sorted (so key order and spacing do not matter), else the text. */
export function normalizedBody(body: FixtureBody | undefined): string {
  if (!body) return '';
  if ('json' in body) return canonicalJson(body.json);
  return 'text' in body ? body.text.trim() : body.base64;
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What a request is matched on: route, method, path, query and normalized body. */
export function matchKey(route: string, method: string, path: string, query: string, body: FixtureBody | undefined): string {
  return createHash('sha256')
    .update(`${route}\n${method.toUpperCase()}\n${path}${query}\n${normalizedBody(body)}`)
    .digest('hex');
}

/** `chat-post-1a2b3c4d5e6f.json`: readable in a listing, one file per distinct request. */
export function fixtureFileName(fixture: Fixture): string {
  const key = matchKey(fixture.route, fixture.request.method, fixture.request.path, fixture.request.query, fixture.request.body);
  const route = fixture.route.replace(/[^\w.-]+/g, '_').slice(0, 60);
  return `${route}-${fixture.request.method.toLowerCase()}-${key.slice(0, 12)}.json`;
}

/** Reads a fixture file's JSON; undefined when it is not one (other files may live in the folder). */
export function parseFixture(text: string): Fixture | undefined {
  try {
    const value = JSON.parse(text) as Partial<Fixture>;
    if (value.fixture !== FIXTURE_VERSION || typeof value.route !== 'string' || !value.request || !value.response) return undefined;
    return value as Fixture;
  } catch {
    return undefined;
  }
}
