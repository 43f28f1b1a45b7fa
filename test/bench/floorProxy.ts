// The production row's floor (issue 20): a hand-written proxy on node:http and undici, no Koa and no gateway code,
// doing the work the production row cannot skip, each part the cheapest reasonable way: an API key (SHA-256 of the
// presented key compared in constant time with the stored digest), a request and a token limit per consumer (fixed
// one-minute windows in a Map, counted on every request, the tokens booked from the answer's usage), Prometheus
// metrics by route, status, provider and model (plain numbers per label set, rendered by prom-client on GET
// /metrics), a JSON access line per request (the lines of one event-loop turn written together, to a file), and the
// OpenAI chat request translated to Anthropic's Messages API and the answer back (non-streamed). What the gateway adds
// over this is what a gateway is for: the figure of this row is the most any gateway doing the same could reach.
// Usage: node floorProxy.js ANTHROPIC_URL LOG_FILE [full|translation]; the API key is BENCH_API_KEY's value.
// "translation" leaves out everything but the translation. Prints {"url": ...} once listening.
import { hash, timingSafeEqual } from 'node:crypto';
import { openSync, writeSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { Pool } from 'undici';
import { EVENT_LOOP_SAMPLE_MS } from '../../runtime/src/observability/metrics';

type Json = Record<string, unknown>;

export const FLOOR_CHAT_PATH = '/v1/chat/completions';
const ROUTE = 'chat';
const PROVIDER = 'anthropic';
const DEFAULT_MAX_TOKENS = 4096;
const WINDOW_MS = 60_000;
/** The production row's limits (gateway-bench.ts): never reached at the bench's rates, counted all the same. */
const REQUEST_LIMIT = 100_000_000;
const TOKEN_LIMIT = 100_000_000_000;
const DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class BadRequest extends Error {}

/** OpenAI's chat request as Anthropic's: system turns joined into `system`, every other turn's text as a text block. */
export function anthropicRequestOf(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('the body must be a JSON object');
  const { model, messages, max_tokens: maxTokens, max_completion_tokens: maxCompletionTokens, temperature } = body as Json;
  if (typeof model !== 'string') throw new BadRequest('model must be a string');
  if (!Array.isArray(messages) || messages.length === 0) throw new BadRequest('messages must be a non-empty array');
  const system: string[] = [];
  const turns: Json[] = [];
  for (const message of messages as Json[]) {
    const text = textOf(message?.content);
    if (message.role === 'system' || message.role === 'developer') system.push(text);
    else turns.push({ role: message.role === 'assistant' ? 'assistant' : 'user', content: [{ type: 'text', text }] });
  }
  const limit = typeof maxTokens === 'number' ? maxTokens : typeof maxCompletionTokens === 'number' ? maxCompletionTokens : DEFAULT_MAX_TOKENS;
  const request: Json = { model, max_tokens: limit, messages: turns };
  if (system.length > 0) request.system = system.join('\n\n');
  if (typeof temperature === 'number') request.temperature = temperature;
  return request;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw new BadRequest('a message content must be a string or an array of parts');
  return (content as Json[]).map((part) => (part?.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

export interface Usage {
  prompt: number;
  completion: number;
  cached: number;
}

/** Anthropic's message as OpenAI's `chat.completion`, and the usage it reported (prompt tokens with cache reads and writes). */
export function chatCompletionOf(message: Json, model: string, created: number): { completion: Json; usage: Usage | undefined } {
  let text = '';
  const toolCalls: Json[] = [];
  for (const block of Array.isArray(message.content) ? (message.content as Json[]) : []) {
    if (block.type === 'text') text += String(block.text ?? '');
    else if (block.type === 'tool_use')
      toolCalls.push({ id: String(block.id), type: 'function', function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) } });
  }
  const reply: Json = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text, refusal: null };
  if (toolCalls.length > 0) reply.tool_calls = toolCalls;
  const completion: Json = {
    id: typeof message.id === 'string' ? message.id : `chatcmpl-floor-${created}`,
    object: 'chat.completion',
    created,
    model: typeof message.model === 'string' ? message.model : model,
    choices: [{ index: 0, message: reply, logprobs: null, finish_reason: finishOf(message.stop_reason) }],
  };
  const usage = usageOf(message.usage);
  if (usage)
    completion.usage = {
      prompt_tokens: usage.prompt,
      completion_tokens: usage.completion,
      total_tokens: usage.prompt + usage.completion,
      prompt_tokens_details: { cached_tokens: usage.cached },
    };
  return { completion, usage };
}

function finishOf(reason: unknown): string {
  if (reason === 'max_tokens') return 'length';
  if (reason === 'tool_use') return 'tool_calls';
  if (reason === 'refusal') return 'content_filter';
  return 'stop';
}

function usageOf(usage: unknown): Usage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const count = (key: string): number => {
    const value = (usage as Json)[key];
    return typeof value === 'number' ? value : 0;
  };
  const cached = count('cache_read_input_tokens');
  return { prompt: count('input_tokens') + cached + count('cache_creation_input_tokens'), completion: count('output_tokens'), cached };
}

// --- Metrics: plain numbers per label set, found by a Map lookup, read by prom-client's Registry on a scrape ---

type Labels = Record<string, string>;
interface Sample {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

class PlainCounter {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  private readonly children = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  child(key: string, labels: () => Labels): { value: number } {
    let child = this.children.get(key);
    if (!child) this.children.set(key, (child = { labels: labels(), value: 0 }));
    return child;
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values = [...this.children.values()].map(({ labels, value }) => ({ labels, value }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}

interface HistogramChild {
  labels: Labels;
  counts: Float64Array;
  sum: number;
  count: number;
}

class PlainHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly children = new Map<string, HistogramChild>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  observe(key: string, labels: () => Labels, value: number): void {
    let child = this.children.get(key);
    if (!child) this.children.set(key, (child = { labels: labels(), counts: new Float64Array(this.buckets.length), sum: 0, count: 0 }));
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]!) i++;
    if (i < this.buckets.length) child.counts[i]! += 1;
    child.sum += value;
    child.count += 1;
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    for (const { labels, counts, sum, count } of this.children.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
      values.push({ metricName: `${this.name}_sum`, labels, value: sum });
      values.push({ metricName: `${this.name}_count`, labels, value: count });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}

// --- The access log: a JSON line per request, the lines of one event-loop turn in one write ---

class TurnBatchedLog {
  private pending = '';
  private scheduled = false;

  constructor(private readonly fd: number) {
    process.on('exit', this.flush);
  }

  write(line: string): void {
    this.pending += line;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  /** A regular file (or /dev/null) takes the whole write. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending;
    this.pending = '';
    writeSync(this.fd, text);
  };
}

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** `"time":"2025-01-02T03:04:05.678Z"` with the text up to the second built once a second. */
function isoTime(now: number): string {
  const ms = now % 1000;
  const second = now - ms;
  if (second !== cachedSecond) {
    const iso = new Date(second).toISOString();
    cachedPrefix = `"time":"${iso.slice(0, iso.lastIndexOf('.') + 1)}`;
    cachedSecond = second;
  }
  return `${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

// --- The proxy ---

interface Window {
  start: number;
  requests: number;
  tokens: number;
}

interface Done {
  started: number;
  consumer: string | undefined;
  model: string | undefined;
  usage: Usage | undefined;
}

export interface FloorOptions {
  upstream: string;
  logFile: string;
  /** false: the translation alone (no key, limits, metrics or log). */
  features: boolean;
  apiKey: string;
  upstreamApiKey: string;
}

export function createFloorProxy(options: FloorOptions): ReturnType<typeof createServer> {
  const pool = new Pool(options.upstream, { connections: 256 });
  const upstreamHeaders = { 'content-type': 'application/json', 'x-api-key': options.upstreamApiKey, 'anthropic-version': '2023-06-01' };
  const keys = [{ name: 'bench', digest: hash('sha256', options.apiKey, 'buffer') }];
  const windows = new Map<string, Window>();
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS }); // the gateway exposes them too, sampled as often
  const requests = new PlainCounter('floor_requests_total', 'Requests answered, by route, method and status.', registry);
  const duration = new PlainHistogram(
    'floor_request_duration_seconds',
    'Time from receiving a request to its response, by route, provider and model.',
    DURATION_BUCKETS,
    registry,
  );
  const tokens = new PlainCounter('floor_tokens_total', 'Tokens in the upstream usage, by route, consumer, type, provider and model.', registry);
  const log = options.features ? new TurnBatchedLog(openSync(options.logFile, 'a')) : undefined;

  const consumerOf = (req: IncomingMessage): string | undefined => {
    const header = req.headers['x-api-key'];
    const presented = typeof header === 'string' ? header : req.headers.authorization?.replace(/^Bearer /i, '');
    if (!presented) return undefined;
    const digest = hash('sha256', presented, 'buffer');
    let found: string | undefined;
    for (const key of keys) if (timingSafeEqual(key.digest, digest) && found === undefined) found = key.name;
    return found;
  };

  const windowOf = (consumer: string, now: number): Window => {
    let window = windows.get(consumer);
    if (!window || now - window.start >= WINDOW_MS) windows.set(consumer, (window = { start: now, requests: 0, tokens: 0 }));
    return window;
  };

  /** Counts the request in its consumer's window; the limit it is over, if any. */
  const admit = (consumer: string): string | undefined => {
    const window = windowOf(consumer, Date.now());
    if (window.requests >= REQUEST_LIMIT) return 'request';
    if (window.tokens >= TOKEN_LIMIT) return 'token';
    window.requests += 1;
    return undefined;
  };

  const record = (req: IncomingMessage, status: number, done: Done): void => {
    const ms = performance.now() - done.started;
    requests.child(String(status), () => ({ route: ROUTE, method: req.method ?? '', status: String(status) })).value += 1;
    const model = done.model ?? '';
    duration.observe(model, () => ({ route: ROUTE, provider: done.model ? PROVIDER : '', model }), ms / 1000);
    const { consumer, usage } = done;
    if (consumer !== undefined && usage) {
      windowOf(consumer, Date.now()).tokens += usage.prompt + usage.completion;
      const labels = (type: string) => () => ({ route: ROUTE, consumer, type, provider: PROVIDER, model });
      tokens.child(`${consumer}\u0000${model}\u0000prompt`, labels('prompt')).value += usage.prompt;
      tokens.child(`${consumer}\u0000${model}\u0000completion`, labels('completion')).value += usage.completion;
      if (usage.cached > 0) tokens.child(`${consumer}\u0000${model}\u0000cached`, labels('cached')).value += usage.cached;
    }
    const who = consumer === undefined ? '' : `,"consumer":${JSON.stringify(consumer)}`;
    const what = done.model === undefined ? '' : `,"model":${JSON.stringify(done.model)}`;
    const used = usage ? `,"tokens":${usage.prompt + usage.completion}` : '';
    log?.write(
      `{"level":30,${isoTime(Date.now())},"method":${JSON.stringify(req.method)},"path":${JSON.stringify(req.url)},"status":${status},"durationMs":${Math.round(ms * 100) / 100}${who}${what}${used},"msg":"request"}\n`,
    );
  };

  const respond = (req: IncomingMessage, res: ServerResponse, status: number, text: string, done: Done): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    if (options.features) record(req, status, done);
  };

  const fail = (req: IncomingMessage, res: ServerResponse, status: number, type: string, message: string, done: Done): void =>
    respond(req, res, status, JSON.stringify({ error: { type, message } }), done);

  const proxy = async (req: IncomingMessage, res: ServerResponse, done: Done): Promise<void> => {
    let request: Json;
    try {
      request = anthropicRequestOf(JSON.parse((await bodyOf(req)).toString('utf8')) as unknown);
    } catch (err) {
      return fail(req, res, 400, 'invalid_request_error', err instanceof BadRequest ? err.message : 'the body is not JSON', done);
    }
    done.model = request.model as string;
    const created = Math.floor(Date.now() / 1000);
    let status: number;
    let text: string;
    try {
      const upstream = await pool.request({ method: 'POST', path: '/v1/messages', headers: upstreamHeaders, body: JSON.stringify(request) });
      status = upstream.statusCode;
      text = await upstream.body.text();
    } catch {
      return fail(req, res, 502, 'upstream_unavailable', 'the upstream could not be reached', done);
    }
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      return fail(req, res, 502, 'upstream_invalid_response', 'Anthropic answered with something that is not JSON', done);
    }
    if (status !== 200) {
      const error = (answer as { error?: { type?: unknown; message?: unknown } }).error;
      return fail(req, res, status, String(error?.type ?? 'upstream_error'), String(error?.message ?? `Anthropic answered ${status}`), done);
    }
    const { completion, usage } = chatCompletionOf(answer as Json, done.model, created);
    done.usage = usage;
    respond(req, res, 200, JSON.stringify(completion), done);
  };

  return createServer((req, res) => {
    const done: Done = { started: performance.now(), consumer: undefined, model: undefined, usage: undefined };
    if (options.features && req.method === 'GET' && req.url === '/metrics') {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
      return;
    }
    if (req.method !== 'POST' || req.url !== FLOOR_CHAT_PATH) return fail(req, res, 404, 'not_found', `no route for ${req.method} ${req.url}`, done);
    if (options.features) {
      done.consumer = consumerOf(req);
      if (done.consumer === undefined) return fail(req, res, 401, 'unauthorized', 'an API key is required in x-api-key or Authorization: Bearer', done);
      const over = admit(done.consumer);
      if (over) return fail(req, res, 429, 'rate_limited', `over the ${over} limit`, done);
    }
    void proxy(req, res, done);
  });
}

function bodyOf(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

if (require.main === module) {
  const [upstream = 'http://127.0.0.1:9200', logFile = '/dev/null', mode = 'full'] = process.argv.slice(2);
  const apiKey = process.env.BENCH_API_KEY ?? '';
  if (mode !== 'translation' && apiKey === '') throw new Error('floorProxy: set BENCH_API_KEY (the key clients must present)');
  const server = createFloorProxy({
    upstream,
    logFile,
    features: mode !== 'translation',
    apiKey,
    upstreamApiKey: process.env.BENCH_ANTHROPIC_KEY ?? 'sk-ant-bench',
  });
  server.keepAliveTimeout = 65_000;
  // A clean exit on SIGTERM, so that `--cpu-prof` (BENCH_CPU_PROF) gets to write its profile.
  process.once('SIGTERM', () => process.exit(0));
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`));
}
