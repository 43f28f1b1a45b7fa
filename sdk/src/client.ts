// The typed admin API client: one for the CLI, the VS Code extension and user code. Every call sends
// `Authorization: Bearer <key>`, turns error bodies into AIGatewayError, and retries 429/503 with backoff.
import type { LogLevel } from '../../common/src/config';
import { Admin, Traffic, type RequestTrace } from '../../common/src/protocol';
import { attemptSignal, type CallOptions } from './callOptions';
import { DEFAULT_GATEWAY_URL, ENV_KEY, ENV_URL, readUserConfig, resolveConnection, userConfigPath } from './contexts';
import { AIGatewayError, ApiKeyRequiredError } from './errors';
import { backoffDelay, delay, RETRY_STATUSES, type RetryOptions } from './clientRetry';

export type { CallOptions } from './callOptions';

export interface AIGatewayOptions extends RetryOptions {
  /** Gateway (or admin listener) URL; default $AI_GATEWAY_URL, then http://127.0.0.1:8080. */
  url?: string;
  /** Admin key; default $AI_GATEWAY_API_KEY. */
  apiKey?: string;
  /** Per attempt, in ms (default 30000). */
  timeoutMs?: number;
  /** Told before each retry, e.g. to print "429, retrying in 400 ms". */
  onRetry?: (info: { attempt: number; status: number; delayMs: number; path: string }) => void;
  /** A request id for each attempt, sent as `x-request-id` (the gateway logs it): to find these calls in its log. */
  requestId?: () => string;
  fetch?: typeof fetch;
}

export interface MetricsQuery {
  type?: 'latency' | 'requests' | 'errors' | 'tokens';
  route?: string;
  /** A route path, e.g. `/chat` (the product card's `metrics --endpoint /chat`). */
  endpoint?: string;
}

export interface SpendQuery {
  /** Whose spending to add up (default `consumer`). */
  by?: Admin.SpendBy;
  /** `month` (default), `day`, a UTC day `2026-07-14` or a month `2026-07`. */
  period?: string;
}

interface Call extends CallOptions {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
  auth?: boolean;
  /** A long-lived answer (server-sent events): no timeout once it started, only the caller's signal ends it. */
  stream?: boolean;
}

export class AIGateway {
  readonly url: string;
  private readonly apiKey: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: AIGatewayOptions = {}) {
    this.url = (options.url ?? process.env[ENV_URL] ?? DEFAULT_GATEWAY_URL).replace(/\/+$/, '');
    this.apiKey = options.apiKey ?? process.env[ENV_KEY];
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** The product card's `AI_Gateway(api_key=...).connect(cluster='aimlops')`: a client for a saved context's gateway. */
  async connect(choice: { cluster?: string } = {}): Promise<AIGateway> {
    const connection = resolveConnection({ cluster: choice.cluster, url: this.options.url, apiKey: this.apiKey }, await readUserConfig(userConfigPath()));
    return new AIGateway({ ...this.options, url: connection.url, apiKey: connection.apiKey });
  }

  async routes(options: CallOptions = {}): Promise<Admin.Route[]> {
    return (await this.json<Admin.RouteList>({ method: 'GET', path: '/routes', ...options })).routes;
  }

  route(name: string, options: CallOptions = {}): Promise<Admin.Route> {
    return this.json({ method: 'GET', path: `/routes/${encodeURIComponent(name)}`, ...options });
  }

  /** `POST /api/v1/routes`; a route that already exists is an AIGatewayError with status 409. */
  createRoute(route: Admin.RouteInput, options: CallOptions = {}): Promise<Admin.RouteResult> {
    return this.json({ method: 'POST', path: '/routes', body: JSON.stringify(route), ...options });
  }

  updateRoute(name: string, route: Admin.RouteInput, options: CallOptions = {}): Promise<Admin.RouteResult> {
    return this.json({ method: 'PUT', path: `/routes/${encodeURIComponent(name)}`, body: JSON.stringify(route), ...options });
  }

  deleteRoute(name: string, options: CallOptions = {}): Promise<Admin.RouteDeleted> {
    return this.json({ method: 'DELETE', path: `/routes/${encodeURIComponent(name)}`, ...options });
  }

  async security(options: CallOptions = {}): Promise<Admin.SecurityRuleView[]> {
    return (await this.json<Admin.SecurityList>({ method: 'GET', path: '/security', ...options })).security;
  }

  /** `PUT /api/v1/security/{endpoint}` with the product card's `{ authType, rateLimit }` (and any other rule field). */
  updateSecurity(endpoint: string, fields: Admin.SecurityInput, options: CallOptions = {}): Promise<Admin.SecurityResult> {
    return this.json({ method: 'PUT', path: `/security/${encodeURIComponent(endpoint)}`, body: JSON.stringify(fields), ...options });
  }

  /** A poller passes `{ signal, timeoutMs }` so a slow gateway costs one late sample, not a queue of requests. */
  metrics(query: MetricsQuery = {}, options: CallOptions = {}): Promise<Admin.MetricsSummary> {
    const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const qs = params.toString();
    return this.json({ method: 'GET', path: `/metrics${qs ? `?${qs}` : ''}`, ...options });
  }

  /** `GET /api/v1/spend`: what was spent in a day or month, by consumer, route or model (every replica's, with Redis). */
  spend(query: SpendQuery = {}, options: CallOptions = {}): Promise<Admin.SpendReport> {
    const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const qs = params.toString();
    return this.json({ method: 'GET', path: `/spend${qs ? `?${qs}` : ''}`, ...options });
  }

  /** `DELETE /api/v1/routes/{name}/cache`: the route's stored answers removed from the response cache. */
  purgeCache(route: string, options: CallOptions = {}): Promise<Admin.CachePurged> {
    return this.json({ method: 'DELETE', path: `/routes/${encodeURIComponent(route)}/cache`, ...options });
  }

  /** The gateway's config file as YAML text. */
  async config(options: CallOptions = {}): Promise<string> {
    const response = await this.send({ method: 'GET', path: '/config', accept: 'application/yaml', ...options });
    return response.text();
  }

  configDocument(options: CallOptions = {}): Promise<Admin.ConfigDocument> {
    return this.json({ method: 'GET', path: '/config', accept: 'application/json', ...options });
  }

  /** Replaces the whole config: YAML text as written, or JSON data (merged so the file's comments stay). */
  applyConfig(config: string | Record<string, unknown>, options: { ifMatch?: string } & CallOptions = {}): Promise<Admin.ApplyResult> {
    const yaml = typeof config === 'string';
    return this.json({
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      method: 'PUT',
      path: '/config',
      body: yaml ? config : JSON.stringify(config),
      contentType: yaml ? 'application/yaml' : 'application/json',
      ...(options.ifMatch ? { headers: { 'If-Match': `"${options.ifMatch}"` } } : {}),
    });
  }

  setLogLevel(level: LogLevel, options: { persist?: boolean } & CallOptions = {}): Promise<Admin.LogLevelResult> {
    const { signal, timeoutMs, ...body } = options;
    return this.json({ method: 'PUT', path: '/log-level', body: JSON.stringify({ level, ...body } satisfies Admin.LogLevelBody), signal, timeoutMs });
  }

  /** The kept trace of a request sent with `x-gateway-trace: 1`; a 404 AIGatewayError once the gateway dropped it. */
  trace(requestId: string, options: CallOptions = {}): Promise<RequestTrace.Record> {
    return this.json({ method: 'GET', path: `/traces/${encodeURIComponent(requestId)}`, ...options });
  }

  /**
   * `GET /api/v1/traffic`: the gateway's recent requests (oldest first), then each new one as it ends, until `signal`
   * aborts (the loop then ends without an error) or the gateway closes the stream. `onHello` is told first whether
   * this gateway keeps bodies.
   */
  async *traffic(options: { signal?: AbortSignal; onHello?: (hello: Traffic.Hello) => void } = {}): AsyncGenerator<Traffic.Entry> {
    const response = await this.send({ method: 'GET', path: '/traffic', accept: 'text/event-stream', signal: options.signal, stream: true });
    const body = response.body;
    if (!body) return;
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        pending += decoder.decode(chunk, { stream: true }).replace(/\r\n/g, '\n');
        const events = pending.split('\n\n');
        pending = events.pop() ?? '';
        for (const event of events) {
          const name = /^event: ?(.*)$/m.exec(event)?.[1];
          const data = event
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).replace(/^ /, ''))
            .join('\n');
          if (name === Traffic.helloEvent) options.onHello?.(JSON.parse(data) as Traffic.Hello);
          else if (name === Traffic.entryEvent) yield JSON.parse(data) as Traffic.Entry;
        }
      }
    } catch (err) {
      if (!options.signal?.aborted) throw err;
    }
  }

  /** `GET /api/v1/traffic/{requestId}`: what one recent request sent and got (credentials redacted); 404 once dropped. */
  trafficEntry(requestId: string, options: CallOptions = {}): Promise<Traffic.Detail> {
    return this.json({ method: 'GET', path: `/traffic/${encodeURIComponent(requestId)}`, ...options });
  }

  /** `GET /healthz` (no key needed). */
  health(options: CallOptions = {}): Promise<Admin.Health> {
    return this.json({ method: 'GET', path: '/healthz', auth: false, ...options });
  }

  private async json<T>(call: Call): Promise<T> {
    const response = await this.send({ accept: 'application/json', ...call });
    return (await response.json()) as T;
  }

  private async send(call: Call): Promise<Response> {
    const needsKey = call.auth !== false;
    if (needsKey && !this.apiKey) throw new ApiKeyRequiredError();
    const path = needsKey ? `${Admin.basePath}${call.path}` : call.path;
    const retries = this.options.retries ?? 4;
    const timeoutMs = call.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    for (let attempt = 0; ; attempt++) {
      call.signal?.throwIfAborted();
      let response: Response;
      try {
        response = await this.fetchImpl(`${this.url}${path}`, {
          method: call.method,
          headers: {
            ...(needsKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
            ...(call.accept ? { accept: call.accept } : {}),
            ...(call.body !== undefined ? { 'content-type': call.contentType ?? 'application/json' } : {}),
            ...(this.options.requestId ? { 'x-request-id': this.options.requestId() } : {}),
            ...call.headers,
          },
          ...(call.body !== undefined ? { body: call.body } : {}),
          signal: call.stream ? call.signal : attemptSignal(timeoutMs, call.signal),
        });
      } catch (err) {
        call.signal?.throwIfAborted(); // the caller gave up: its own reason, not "unreachable"
        const refused = connectionRefused(err);
        if (refused && call.method === 'GET' && attempt < retries) {
          await delay(backoffDelay(attempt, this.options, null), call.signal);
          continue;
        }
        throw new AIGatewayError(
          `Cannot reach the gateway at ${this.url}: ${describeFetchError(err, timeoutMs)}. Is it running? Check --gateway or ${ENV_URL}.`,
          0,
          'unreachable',
        );
      }
      if (response.ok) return response;
      if (RETRY_STATUSES.has(response.status) && attempt < retries) {
        const delayMs = backoffDelay(attempt, this.options, response.headers.get('retry-after'));
        await response.body?.cancel();
        this.options.onRetry?.({ attempt: attempt + 1, status: response.status, delayMs, path });
        await delay(delayMs, call.signal);
        continue;
      }
      throw await errorFrom(response);
    }
  }
}

async function errorFrom(response: Response): Promise<AIGatewayError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Admin.ErrorResponse;
    if (body.error?.message) {
      return new AIGatewayError(body.error.message, response.status, body.error.type, body.error.diagnostics ?? [], body.error.file);
    }
  } catch {
    // not the gateway's JSON error shape (a proxy in between?): report the start of what came back
  }
  return new AIGatewayError(`${response.statusText || 'HTTP error'}${text ? `: ${text.slice(0, 200)}` : ''}`, response.status, 'http_error');
}

function connectionRefused(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  return err instanceof Error ? err.message : String(err);
}
