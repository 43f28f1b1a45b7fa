// Shared by the runtime tests: configs from YAML through the real config model, a gateway on a free port with
// its log lines observable as events, and small HTTP helpers.
import { EventEmitter, once } from 'node:events';
import { Writable } from 'node:stream';
import pino from 'pino';
import { request } from 'undici';
import { loadConfig } from '../../common/src/config';
import type { GatewayConfig } from '../../common/src/config/types';
import { startGateway, type RunningGateway, type StartGatewayOptions } from '../../runtime/src/gateway/startGateway';

export function configFromYaml(yaml: string): GatewayConfig {
  const loaded = loadConfig(yaml, { mode: 'start', env: {} });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.config || errors.length > 0) throw new Error(`test config has errors: ${errors.map((d) => d.message).join('; ')}`);
  return loaded.config;
}

/** Log lines of a gateway, parsed: `lines` has them all, and each is emitted under its `msg`. */
export class LogCapture extends EventEmitter {
  readonly lines: Record<string, unknown>[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (!text.trim()) continue;
        const line = JSON.parse(text) as Record<string, unknown>;
        this.lines.push(line);
        this.emit(String(line.msg), line);
      }
      done();
    },
  });
  readonly logger = pino({ level: 'info' }, this.stream);

  /** The next line with this `msg` (or one already logged after `since` lines). */
  async next(msg: string, since = this.lines.length): Promise<Record<string, unknown>> {
    const seen = this.lines.slice(since).find((line) => line.msg === msg);
    if (seen) return seen;
    const [line] = (await once(this, msg)) as [Record<string, unknown>];
    return line;
  }

  /** The access line of the request with this id, once it is logged (a line is written as its answer ends). */
  async accessLine(requestId: string): Promise<Record<string, unknown>> {
    for (;;) {
      const line = this.lines.find((l) => l.msg === 'request' && l.requestId === requestId);
      if (line) return line;
      await this.next('request');
    }
  }
}

export async function startTestGateway(
  config: GatewayConfig | undefined,
  options: Partial<StartGatewayOptions> = {},
): Promise<RunningGateway & { logs: LogCapture }> {
  const logs = new LogCapture();
  const gateway = await startGateway({ config, host: '127.0.0.1', port: 0, logger: logs.logger, closeGraceMs: 2_000, ...options });
  return Object.assign(gateway, { logs });
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<HttpAnswer> {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const headers = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers };
  const response = await request(url, { method: (init.method ?? (body !== undefined ? 'POST' : 'GET')) as 'GET', headers, body });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
}

export const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] };
