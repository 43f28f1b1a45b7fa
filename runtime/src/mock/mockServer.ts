// The built-in mock AI backend over plain node:http: one server speaks one provider's wire format (OpenAI's by
// default), used in process behind `mock://<provider>` targets and standalone through `ai-gateway-cli mock`.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { serveAnthropic } from './anthropic';
import { serveAzureOpenAI } from './azureOpenai';
import { serveBedrock } from './bedrock';
import { serveGemini } from './gemini';
import { serveOpenAI } from './openai';
import { DEFAULT_MOCK_OPTIONS, forcedStatus, optionsForRequest, type MockOptions, type MockProvider } from './options';
import { parseJsonObject, readBody, sendJson, type MockExchange } from './wire';

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

const SERVE: Record<MockProvider, (ex: MockExchange) => Promise<void>> = {
  openai: serveOpenAI,
  anthropic: serveAnthropic,
  gemini: serveGemini,
  bedrock: serveBedrock,
  'azure-openai': serveAzureOpenAI,
};

function createMockHandler(options: MockOptions, onApiRequest: () => void = () => undefined) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const [path = '/', search = ''] = (req.url ?? '/').split('?');
    if (path === '/health' || path === '/healthz') {
      sendJson(res, options.healthStatus, { status: options.healthStatus < 400 ? 'ok' : 'unhealthy', name: options.name }, options);
      return;
    }
    onApiRequest();
    const knobs = optionsForRequest(options, req.headers);
    const raw = await readBody(req);
    if (knobs.latencyMs > 0) await delay(knobs.latencyMs);
    if (res.destroyed) return;
    if (path === '/echo' || path.startsWith('/echo/')) {
      const forced = forcedStatus(knobs);
      if (forced !== undefined) return sendJson(res, forced, { error: { type: 'mock_error', message: `mock backend answered ${forced} as asked` } }, knobs);
      sendJson(res, 200, { method: req.method, url: req.url, headers: req.headers, bodyBytes: raw.length, body: raw.toString('utf8') }, knobs);
      return;
    }
    const exchange: MockExchange = {
      req,
      res,
      method: req.method ?? 'GET',
      path,
      query: new URLSearchParams(search),
      raw,
      body: parseJsonObject(raw),
      knobs,
      options,
    };
    await SERVE[options.provider](exchange);
  };
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
    // exclusive: in a worker of gateway.workers the mock is this worker's own, not a socket shared through the primary.
    server.listen({ port: init.port ?? 0, host: init.host ?? '127.0.0.1', exclusive: true }, () => resolve());
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
