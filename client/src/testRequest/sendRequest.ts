// Sends one test request through the gateway with node:http, so that the connect, first-byte and total times are
// measured where they happen, and server-sent events are reported one by one as they arrive.
import * as http from 'node:http';
import * as https from 'node:https';
import { RequestTrace } from '../../../common/src/protocol';
import type { TestRequestSpec } from './requestTemplate';

export interface SseEvent {
  atMs: number; // since the request was sent
  event?: string;
  data: string;
}

export interface TestRequestTimings {
  connectMs?: number;
  firstByteMs?: number;
  totalMs: number;
  timeToFirstTokenMs?: number;
  tokensPerSecond?: number;
}

export interface TestResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  sseEvents: SseEvent[];
  timings: TestRequestTimings;
  trace?: RequestTrace.Entry[];
  requestId?: string;
}

export interface SendCallbacks {
  onHeaders?(status: number, headers: Record<string, string>, firstByteMs: number): void;
  onSseEvent?(event: SseEvent): void;
}

/** The text of a streamed OpenAI-style chunk, or undefined for a chunk that carries no generated token. */
function tokenText(data: string): string | undefined {
  if (data === '[DONE]') return undefined;
  try {
    const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string }; text?: string }[] };
    const choice = chunk.choices?.[0];
    const text = choice?.delta?.content ?? choice?.text;
    return text ? text : undefined;
  } catch {
    return undefined;
  }
}

function completionTokens(events: SseEvent[]): number | undefined {
  for (const e of [...events].reverse()) {
    try {
      const usage = (JSON.parse(e.data) as { usage?: { completion_tokens?: number } }).usage;
      if (usage?.completion_tokens !== undefined) return usage.completion_tokens;
    } catch {
      // [DONE] or a non-JSON event
    }
  }
  return undefined;
}

/** Splits an SSE byte stream into events; keeps the unfinished tail for the next chunk. */
export class SseParser {
  private buffer = '';
  push(text: string): { event?: string; data: string }[] {
    this.buffer += text.replace(/\r\n/g, '\n');
    const blocks = this.buffer.split('\n\n');
    this.buffer = blocks.pop() ?? '';
    return blocks.flatMap((block) => {
      const lines = block.split('\n');
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      const event = lines
        .find((l) => l.startsWith('event:'))
        ?.slice(6)
        .trim();
      return data === '' && event === undefined ? [] : [{ event, data }];
    });
  }
}

/** `adminKey`: the local gateway's admin key, which a trace request must carry (the gateway strips it). */
export function sendTestRequest(
  baseUrl: string,
  spec: TestRequestSpec,
  adminKey: string | undefined,
  callbacks: SendCallbacks = {},
  signal?: AbortSignal,
): Promise<TestResponse> {
  const url = new URL(spec.path, baseUrl);
  const client = url.protocol === 'https:' ? https : http;
  const started = performance.now();
  const since = (): number => Math.round((performance.now() - started) * 10) / 10;
  const headers: Record<string, string> = { ...spec.headers };
  if (adminKey) Object.assign(headers, { [RequestTrace.traceRequestHeader]: '1', [RequestTrace.adminKeyHeader]: adminKey });
  if (spec.body !== '') headers['content-length'] = String(Buffer.byteLength(spec.body));

  return new Promise((resolve, reject) => {
    let connectMs: number | undefined;
    const request = client.request(url, { method: spec.method, headers, signal, agent: false }, (response) => {
      const firstByteMs = since();
      const responseHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      callbacks.onHeaders?.(response.statusCode ?? 0, responseHeaders, firstByteMs);
      const isSse = (responseHeaders['content-type'] ?? '').includes('text/event-stream');
      const parser = new SseParser();
      const sseEvents: SseEvent[] = [];
      const chunks: Buffer[] = [];
      let firstTokenMs: number | undefined;
      let tokenEvents = 0;
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (!isSse) return;
        for (const parsed of parser.push(chunk.toString('utf8'))) {
          const event: SseEvent = { atMs: since(), ...parsed };
          if (tokenText(event.data) !== undefined) {
            tokenEvents++;
            firstTokenMs ??= event.atMs;
          }
          sseEvents.push(event);
          callbacks.onSseEvent?.(event);
        }
      });
      response.on('error', reject);
      response.on('end', () => {
        const totalMs = since();
        const tokens = completionTokens(sseEvents) ?? tokenEvents;
        const generatingMs = firstTokenMs === undefined ? 0 : totalMs - firstTokenMs;
        resolve({
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          headers: responseHeaders,
          body: Buffer.concat(chunks).toString('utf8'),
          sseEvents,
          timings: {
            connectMs,
            firstByteMs,
            totalMs,
            timeToFirstTokenMs: firstTokenMs,
            tokensPerSecond: firstTokenMs !== undefined && generatingMs > 0 ? Math.round((tokens / generatingMs) * 10_000) / 10 : undefined,
          },
          trace: parseTrace(responseHeaders[RequestTrace.traceResponseHeader]),
          requestId: responseHeaders['x-request-id'],
        });
      });
    });
    request.on('socket', (socket) => {
      socket.once('connect', () => (connectMs = since()));
    });
    request.on('error', reject);
    request.end(spec.body === '' ? undefined : spec.body);
  });
}

function parseTrace(header: string | undefined): RequestTrace.Entry[] | undefined {
  if (!header) return undefined;
  try {
    const value = JSON.parse(header) as unknown;
    return Array.isArray(value) ? (value as RequestTrace.Entry[]) : undefined;
  } catch {
    return undefined;
  }
}
