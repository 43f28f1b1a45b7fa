// The built-in mock AI backend: OpenAI-compatible endpoints over plain node:http, used in process behind
// `mock://openai` targets and standalone through `ai-gateway-cli mock`.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import * as bodies from './openaiBodies';
import { DEFAULT_MOCK_OPTIONS, optionsForRequest, type MockOptions } from './options';

export interface MockServer {
  url: string;
  server: Server;
  /** Change knobs while running (e.g. make /health fail). */
  setOptions(options: Partial<MockOptions>): void;
  /** Requests received on API endpoints (not /health), for tests counting traffic. */
  readonly requestCount: number;
  /** Emits 'request' as each API request arrives, so a test can wait for one instead of polling. */
  readonly requests: EventEmitter;
  close(): Promise<void>;
}

type JsonBody = Record<string, unknown>;

function createMockHandler(options: MockOptions, onApiRequest: () => void = () => undefined) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/health' || path === '/healthz') {
      sendJson(res, options.healthStatus, { status: options.healthStatus < 400 ? 'ok' : 'unhealthy', name: options.name }, options);
      return;
    }
    onApiRequest();
    const knobs = optionsForRequest(options, req.headers);
    const raw = await readBody(req);
    if (knobs.latencyMs > 0) await delay(knobs.latencyMs);
    if (res.destroyed) return;
    const forced = knobs.status ?? (knobs.failureRate > 0 && Math.random() < knobs.failureRate ? knobs.failureStatus : undefined);
    if (forced !== undefined && forced >= 400) {
      sendJson(res, forced, { error: { type: 'mock_error', message: `mock backend answered ${forced} as asked` } }, knobs);
      return;
    }
    const request = parseJson(raw);
    const id = `mock-${randomUUID()}`;
    switch (`${req.method ?? 'GET'} ${path}`) {
      case 'POST /v1/chat/completions':
        if (request.stream === true) return streamChat(res, id, request, knobs);
        return sendJson(res, 200, bodies.chatCompletion(id, request), knobs);
      case 'POST /v1/completions':
        return sendJson(res, 200, bodies.textCompletion(id, request), knobs);
      case 'POST /v1/embeddings':
        return sendJson(res, 200, bodies.embeddings(request), knobs);
      case 'GET /v1/models':
        return sendJson(res, 200, bodies.modelList(), knobs);
      case 'POST /predict':
        return sendJson(res, 200, bodies.prediction(request), knobs);
      default:
        if (path === '/echo' || path.startsWith('/echo/')) {
          return sendJson(res, 200, { method: req.method, url: req.url, headers: req.headers, bodyBytes: raw.length, body: raw.toString('utf8') }, knobs);
        }
        return sendJson(res, 404, { error: { type: 'not_found', message: `mock backend has no ${req.method} ${path}` } }, knobs);
    }
  };
}

async function streamChat(res: ServerResponse, id: string, request: bodies.ChatRequest, knobs: MockOptions): Promise<void> {
  const model = bodies.modelOf(request, 'gpt-4o-mini');
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-mock-instance': knobs.name });
  res.flushHeaders();
  const events: object[] = [bodies.chatChunk(id, model, { role: 'assistant', content: '' }, null)];
  for (const word of bodies.replyWords()) events.push(bodies.chatChunk(id, model, { content: word }, null));
  events.push(bodies.chatChunk(id, model, {}, 'stop'));
  if (request.stream_options?.include_usage === true) events.push(bodies.usageChunk(id, model, bodies.usageFor(request)));
  let sent = 0;
  for (const event of events) {
    if (res.destroyed) return;
    if (knobs.cutAfterChunks !== undefined && sent >= knobs.cutAfterChunks) {
      res.socket?.destroy(); // the stream dies mid-response, as a crashed or overloaded backend's would
      return;
    }
    const line = `data: ${JSON.stringify(event)}\n\n`;
    // Before a planned cut, wait until each event is on the wire: destroying a socket drops unflushed writes.
    if (knobs.cutAfterChunks !== undefined) await new Promise<void>((resolve) => res.write(line, () => resolve()));
    else res.write(line);
    sent += 1;
    if (knobs.chunkDelayMs > 0) await delay(knobs.chunkDelayMs);
  }
  res.end('data: [DONE]\n\n');
}

function sendJson(res: ServerResponse, status: number, body: object, knobs: MockOptions): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-mock-instance': knobs.name,
  };
  if (status >= 400 && knobs.retryAfter !== undefined) headers['retry-after'] = knobs.retryAfter;
  res.writeHead(status, headers);
  if (knobs.cutAfterChunks !== undefined && status < 400) {
    res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(raw: Buffer): JsonBody {
  if (raw.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as JsonBody) : {};
  } catch {
    return {};
  }
}

export async function startMockServer(init: { host?: string; port?: number; options?: Partial<MockOptions> } = {}): Promise<MockServer> {
  const options: MockOptions = { ...DEFAULT_MOCK_OPTIONS, ...init.options };
  let requestCount = 0;
  const requests = new EventEmitter();
  const handler = createMockHandler(options, () => {
    requestCount += 1;
    requests.emit('request');
  });
  const server = createServer((req, res) => {
    handler(req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(init.port ?? 0, init.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    setOptions(changes) {
      Object.assign(options, changes);
    },
    get requestCount() {
      return requestCount;
    },
    requests,
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
