// What every provider format of the mock shares: the request as read, JSON answers and streamed answers that obey
// the failure knobs (latency is applied before this, by the dispatcher).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { MockOptions } from './options';

export type JsonBody = Record<string, unknown>;

/** One API request to the mock, read whole. */
export interface MockExchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  raw: Buffer;
  /** The body as a JSON object; undefined when it is not one. */
  body: JsonBody | undefined;
  knobs: MockOptions;
  /** The server's options (credentials to check), not the per-request knobs. */
  options: MockOptions;
}

export function sendJson(res: ServerResponse, status: number, body: object, knobs: MockOptions, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const head: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-mock-instance': knobs.name,
    ...headers,
  };
  if (status >= 400 && knobs.retryAfter !== undefined) head['retry-after'] = knobs.retryAfter;
  res.writeHead(status, head);
  if (knobs.cutAfterChunks !== undefined && status < 400) {
    res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.end(text);
}

/** Writes a streamed answer event by event, with the knobs' delay between events and cut after N events. */
export async function sendStream(
  res: ServerResponse,
  contentType: string,
  frames: (string | Uint8Array)[],
  knobs: MockOptions,
  tail?: string,
  headers: Record<string, string> = {},
): Promise<void> {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache', 'x-mock-instance': knobs.name, ...headers });
  res.flushHeaders();
  let sent = 0;
  for (const frame of frames) {
    if (res.destroyed) return;
    if (knobs.cutAfterChunks !== undefined && sent >= knobs.cutAfterChunks) {
      res.socket?.destroy(); // the stream dies mid-response, as a crashed or overloaded backend's would
      return;
    }
    // Before a planned cut, wait until each event is on the wire: destroying a socket drops unflushed writes.
    if (knobs.cutAfterChunks !== undefined) await new Promise<void>((resolve) => res.write(frame, () => resolve()));
    else res.write(frame);
    sent += 1;
    if (knobs.chunkDelayMs > 0) await delay(knobs.chunkDelayMs);
  }
  if (tail === undefined) res.end();
  else res.end(tail);
}

export function sseEvent(data: object, event?: string): string {
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function parseJsonObject(raw: Buffer): JsonBody | undefined {
  if (raw.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as JsonBody) : undefined;
  } catch {
    return undefined;
  }
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
