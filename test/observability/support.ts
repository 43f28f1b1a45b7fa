// What the observability tests share: reading Prometheus text, and a local webhook receiver over a real socket
// whose answers a test scripts (statuses in turn, or holding requests open) and whose deliveries it awaits; promtool.
import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { loadConfig } from '../../common/src/config';
import type { GatewayConfig } from '../../common/src/config/types';
import type { RunningGateway } from '../../runtime/src/gateway/startGateway';
import type { Webhook } from '../../common/src/protocol';

export function configOf(yaml: string, env: Record<string, string> = {}): GatewayConfig {
  const loaded = loadConfig(yaml, { mode: 'start', env });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.config || errors.length > 0) throw new Error(`test config has errors: ${errors.map((d) => d.message).join('; ')}`);
  return loaded.config;
}

export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
  return url;
}

/** Resolves once the route's first target is out of service (already, or on its next health change). */
export function targetDown(gateway: RunningGateway, route: string): Promise<void> {
  const target = gateway.runtime.snapshot.upstreams.get(route)?.targets[0];
  if (!target) throw new Error(`no route ${route}`);
  if (!target.healthy) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = gateway.runtime.events.on('target.health', (event) => {
      if (event.route !== route || event.healthy) return;
      stop();
      resolve();
    });
  });
}

export async function scrape(baseUrl: string): Promise<string> {
  const response = await request(`${baseUrl}/metrics`);
  if (response.statusCode !== 200) throw new Error(`GET /metrics answered ${response.statusCode}`);
  return response.body.text();
}

/** The value of the sample `name{labels}` (labels compared as a set; extra labels on the sample are not allowed). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]!] = pair[2]!;
    const wanted = Object.entries(labels);
    if (wanted.length === Object.keys(found).length && wanted.every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** Family names declared with `# TYPE` in the exposition. */
export function families(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!));
}

export interface Delivery {
  headers: IncomingHttpHeaders;
  raw: string;
  event: Webhook.Event;
}

export class WebhookReceiver extends EventEmitter {
  readonly deliveries: Delivery[] = [];
  /** Statuses to answer in turn; 200 once they run out. */
  statuses: number[] = [];
  /** While set, requests are held open until `release()`. */
  holding = false;
  private held: ServerResponse[] = [];
  private readonly server: Server;
  url = '';

  constructor() {
    super();
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        const delivery = { headers: req.headers, raw, event: JSON.parse(raw) as Webhook.Event };
        this.deliveries.push(delivery);
        if (this.holding) {
          this.held.push(res);
          this.emit('held', delivery);
        } else {
          res.writeHead(this.statuses.shift() ?? 200).end();
        }
        this.emit('delivery', delivery);
      });
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  /** Resolves with the first delivery (already received or coming) that satisfies `test`. */
  async waitFor(test: (delivery: Delivery) => boolean): Promise<Delivery> {
    const seen = this.deliveries.find(test);
    if (seen) return seen;
    return new Promise((resolve) => {
      const listener = (delivery: Delivery): void => {
        if (!test(delivery)) return;
        this.off('delivery', listener);
        resolve(delivery);
      };
      this.on('delivery', listener);
    });
  }

  ofType(type: Webhook.EventType): Delivery[] {
    return this.deliveries.filter((delivery) => delivery.event.type === type);
  }

  release(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) res.writeHead(200).end();
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The real promtool (Debian's `prometheus` package, installed by scripts/install-test-deps.sh) on an exposition. */
export async function promtoolCheck(exposition: string): Promise<{ code: number; output: string }> {
  const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const spawned = once(child, 'spawn').then(
    () => undefined,
    (err: NodeJS.ErrnoException) => {
      throw new Error(err.code === 'ENOENT' ? 'promtool is not installed: run scripts/install-test-deps.sh (Debian package prometheus)' : err.message);
    },
  );
  await spawned;
  child.stdin.end(exposition);
  const [code] = (await once(child, 'close')) as [number];
  return { code, output };
}
