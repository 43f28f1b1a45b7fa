// What the security tests share: the real gateway on port 0 started from YAML through the config loader, an upstream that answers with the path it saw and the token usage a test asks for, and
// helpers to make JWTs (signed well, signed badly, unsigned) and key pairs.
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../common/src/config';
import type { GatewayConfig } from '../../common/src/config/types';
import type { GatewayServer } from '../../runtime/src/gateway/listener';
import type { GatewayRuntime } from '../../runtime/src/gateway/runtime';
import { startGateway as startServer } from '../../runtime/src/gateway/startGateway';

export interface RunningGateway {
  url: string;
  server: GatewayServer;
  runtime: GatewayRuntime;
  config: GatewayConfig;
  /** Everything the gateway logged, as text. */
  logs(): string;
  close(): Promise<void>;
}

export function configFrom(yaml: string, env: Record<string, string> = {}, baseDir?: string): GatewayConfig {
  const result = loadConfig(yaml, { env, mode: 'start', ...(baseDir ? { baseDir } : {}) });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.config || errors.length > 0) throw new Error(`test config refused: ${errors.map((d) => d.message).join('; ')}`);
  return result.config;
}

/** The admin API key of the test gateways (`Authorization: Bearer` on /api/v1). */
export const ADMIN_KEY = 'test-admin-key-0123456789';

/** The real gateway (server.ts) on 127.0.0.1:0, logging everything (trace) into memory. */
export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString('utf8');
      done();
    },
  });
  const running = await startServer({
    config,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'trace' }, sink),
    closeGraceMs: 100,
    env: { AI_GATEWAY_API_KEY: ADMIN_KEY },
  });
  return { url: running.url, server: running.server, runtime: running.runtime, config, logs: () => logged, close: () => running.close() };
}

export interface TestUpstream {
  url: string;
  /** Requests seen, with the path as the upstream received it. */
  seen: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/**
 * Answers every request with JSON `{ path }`. With `x-test-tokens: N` it answers as an AI service that used N
 * tokens: in the JSON `usage`, or in the final SSE chunk when the request body asks for `"stream": true`.
 */
export async function startUpstream(): Promise<TestUpstream> {
  const seen: TestUpstream['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const tokens = Number(req.headers['x-test-tokens'] ?? NaN);
      const body = Buffer.concat(chunks).toString('utf8');
      const usage = Number.isFinite(tokens) ? { prompt_tokens: 0, completion_tokens: tokens, total_tokens: tokens } : undefined;
      if (usage && body.includes('"stream":true')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: 'hi' } }] })}\n\n`);
        res.write(`data: ${JSON.stringify({ choices: [], usage })}\n\n`);
        res.end('data: [DONE]\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, bodyBytes: Buffer.byteLength(body), ...(usage ? { usage } : {}) }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

// ---- JWTs --------------------------------------------------------------------------------------

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
export const nowSec = (): number => Math.floor(Date.now() / 1000);

/** A token with any header and payload, HMAC-signed with `secret` (or unsigned when `secret` is undefined). */
export function handMadeToken(header: Record<string, unknown>, payload: Record<string, unknown>, secret?: string | Buffer): string {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  if (secret === undefined) return `${signingInput}.`;
  const hash = header.alg === 'HS512' ? 'sha512' : header.alg === 'HS384' ? 'sha384' : 'sha256';
  return `${signingInput}.${createHmac(hash, secret).update(signingInput).digest('base64url')}`;
}

export function rsaKeys(): { privateKey: KeyObject; publicKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

export async function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => Record<string, unknown> }> {
  const response = await fetch(url, { method: options.method ?? 'GET', headers: options.headers, body: options.body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}
