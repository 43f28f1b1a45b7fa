// `npm run bench`: the gateway against a bare undici proxy (the baseline), Koa + koa-proxies and the Portkey
// gateway, all separate processes in front of the same mock backend, driven in turn by autocannon in interleaved
// rounds (BENCH_ROUNDS, default 3, over BENCH_DURATION seconds per row, default 6). Prints rps,
// p50, p99, the ratios to the baseline, and the sequential added latency (one connection, gateway minus direct).
// Each row also gives the CPU time per request of the process under test (and of the mock), read from /proc around
// the measured run: on a shared, noisy machine rps moves with the neighbours, CPU per request much less; and its
// resident memory (VmRSS, with its child processes') sampled every RSS_SAMPLE_MS during the measured run: the median
// ("under load") and the peak.
// Add a row by adding a Scenario to SCENARIOS (e.g. a gateway config with security or metrics turned on).
// Provider translation (issue 16): the gateway and Portkey each translate OpenAI requests for Anthropic's API in front
// of the built-in Anthropic mock (its own process), next to the pass-through rows; then the time to the first token of a
// stream is measured one request after another, direct and through the gateway, plain and translated.
// The production row (issue 20) is also built up feature by feature from routing only (PRODUCTION_STEPS), and the CPU
// per request each feature adds is printed under the table. Its floor: a hand-written proxy (floorProxy.ts) doing the
// same work in front of the same mock, checked to do it before it is measured, with the same proxy translating only
// and the bare proxy sending the translated request to the Anthropic mock beside it (floorBench.ts).
// BENCH_ONLY=regexp runs the baseline plus the matching scenarios; BENCH_CPU_PROF=dir writes a V8 CPU profile
// of each gateway process there (read it with test/bench/cpuProfileTop.ts; two side by side with cpuProfileGap.ts).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import { Pool } from 'undici';
import { cliCommand, repoRoot } from '../support/cli';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../../common/src/nodeFlags';
import {
  BASELINE_WITH_GATEWAY_FLAGS,
  PRODUCTION_ROW,
  type Background,
  PRODUCTION_STEPS,
  printSummary,
  tracedRowName,
  WORKERS_SUFFIX,
  type Row,
} from './benchSummary';
import { floorScenarios } from './floorBench';
import { GUARDRAIL_ROWS, guardrailScenarios, printGuardrailSummary, timeToFirstToken, type FirstToken } from './guardrailsBench';
import { CACHED_ROUTE, PRICED, printSpendSummary, SPEND_ROWS, spendScenarios } from './spendBench';
import { startSpanSink } from './spanSink';
import { cpuTimeUs, freePort, jsonUrl, nodeArgs, rssBytes, startGatewayProcess, startProcess, type Started } from './processes';

/** Measured seconds per row, spread over ROUNDS interleaved slices (see main). */
const DURATION_S = Number(process.env.BENCH_DURATION ?? 6);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SEQUENTIAL_REQUESTS = Number(process.env.BENCH_SEQUENTIAL ?? 500);
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : undefined;
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF;
/** How often the process under test's RSS is read during a measured slice (a /proc read: a few µs of the bench's CPU). */
const RSS_SAMPLE_MS = 250;
/**
 * BENCH_PIN=1: the process under test gets CPU 1 to itself, the bench (autocannon) and the mock share CPU 0, so the
 * scheduler neither moves the proxy between cores nor runs the load generator on its core. The host's own noise
 * stays: in two pinned and two unpinned A/B runs of the same builds the rounds spread about as widely, but both
 * pinned runs ranked the builds the same way and the unpinned ones did not. rps is then bounded by CPU 0 as much
 * as by the proxy, so the rps goal is read unpinned.
 */
const PIN = process.env.BENCH_PIN === '1';
const CHAT_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
/** The translated rows' request: Portkey (unlike the gateway) sets no default max_tokens, which Anthropic requires. */
const TRANSLATED_BODY = JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Say hello' }] });
/** Sequential streamed requests per time-to-first-token figure (BENCH_TTFT). */
const TTFT_REQUESTS = Number(process.env.BENCH_TTFT ?? 300);
const TRANSLATED_ROW = 'gateway, translated (OpenAI in, Anthropic out)';
const PORTKEY_TRANSLATED_ROW = 'portkey gateway 1.15.2, translated to Anthropic';
const SAME_MOCK_ROW = 'gateway, pass-through to the Anthropic mock';
/** What the Anthropic mock wants of a request that is not translated (the gateway and Portkey send these themselves). */
const ANTHROPIC_HEADERS = { 'x-api-key': 'sk-ant-bench', 'anthropic-version': '2023-06-01' };

/** The wire format of the mock process a row runs in front of. */
type MockFormat = 'openai' | 'anthropic';

export interface Scenario {
  name: string;
  /** Starts the process under test in front of the mock; `workDir` is a temp directory for config files. */
  start(mockUrl: string, workDir: string): Promise<Started>;
  path: string;
  headers?: Record<string, string>;
  /** The mock it needs (default OpenAI's), and the request body it is sent (default CHAT_BODY). */
  mock?: MockFormat;
  body?: string;
}

/**
 * BENCH_COMPARE_BUILD=dir adds "routing only" rows, a translated and a production row for the gateway compiled in `dir` (a copy of an
 * earlier `out/` inside the repository, e.g. .bench-builds/NAME, so that it finds node_modules),
 * alternating with this build's, so a change is measured against its parent in one run on the same machine state.
 * The gateway runs with the node flags its launchers pass (common/src/nodeFlags.ts); BENCH_NODE_FLAGS='...'
 * replaces them (BENCH_NODE_FLAGS= for none) to measure their effect.
 */
const COMPARE_BUILD = process.env.BENCH_COMPARE_BUILD;
const NODE_FLAGS = process.env.BENCH_NODE_FLAGS !== undefined ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : GATEWAY_NODE_FLAGS;

/**
 * A gateway process on a config whose routes point at the mock; `extraYaml` adds top-level sections (security...),
 * `workers` sets gateway.workers (the process under test is then the primary, its CPU counted with its workers').
 */
export function gatewayScenario(
  name: string,
  routesYaml: (mockUrl: string) => string,
  extraYaml = '',
  env: NodeJS.ProcessEnv = process.env,
  logLevel = 'warn',
  build?: string,
  workers = 1,
  logToFile = false,
): Scenario {
  return {
    name,
    path: '/v1/chat/completions',
    async start(mockUrl, workDir) {
      const file = path.join(workDir, `${name.replace(/\W+/g, '-')}.yaml`);
      const settings = workers > 1 ? `, workers: ${workers}` : '';
      await writeFile(file, `version: 1\ngateway: { listen: 127.0.0.1:0, logLevel: ${logLevel}${settings} }\nroutes:\n${routesYaml(mockUrl)}\n${extraYaml}`);
      const cliArgs = ['start', '--config', file, '--port', '0', '--no-watch'];
      const { command, args } = build
        ? { command: process.execPath, args: [path.join(path.resolve(build), 'runtime/src/cli/entry.js'), ...cliArgs] }
        : cliCommand(cliArgs);
      // The listening line is logged at info; the bench config runs at warn, so wait for the banner instead.
      const logFile = logToFile ? file.replace(/\.yaml$/, '.log') : undefined;
      const started = await startGatewayProcess(command, [...profileArgs(), ...NODE_FLAGS, ...args], { ...GATEWAY_ENV, ...env }, logFile);
      if (!logFile) return started;
      return {
        ...started,
        stop: async () => {
          await started.stop();
          process.stderr.write(`bench: "${name}" wrote ${(statSync(logFile).size / 1e6).toFixed(1)} MB of log to its file\n`);
        },
      };
    },
  };
}

/** The scenario while a Prometheus-like scraper reads GET /metrics once a second. */
function scrapedEverySecond(scenario: Scenario): Scenario {
  return {
    ...scenario,
    async start(mockUrl, workDir) {
      const started = await scenario.start(mockUrl, workDir);
      const scrape = setInterval(
        () =>
          void fetch(`${started.url}/metrics`).then(
            (response) => response.text(),
            () => undefined,
          ),
        1000,
      );
      return { ...started, stop: () => (clearInterval(scrape), started.stop()) };
    },
  };
}

export const BASELINE: Scenario = {
  name: 'bare undici proxy (baseline)',
  path: '/v1/chat/completions',
  start: (mockUrl) =>
    startProcess(process.execPath, [...profileArgs(), ...nodeArgs(path.join(__dirname, `bareProxy${path.extname(__filename)}`)), mockUrl], jsonUrl),
};

/** Node refuses --cpu-prof in NODE_OPTIONS, so with BENCH_CPU_PROF it goes first in the node command's arguments. */
function profileArgs(): string[] {
  return CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(CPU_PROFILE_DIR)}`] : [];
}

export const SCENARIOS: Scenario[] = [
  BASELINE,
  {
    ...BASELINE,
    name: BASELINE_WITH_GATEWAY_FLAGS,
    start: (mockUrl) =>
      startProcess(
        process.execPath,
        [...profileArgs(), ...NODE_FLAGS, ...nodeArgs(path.join(__dirname, `bareProxy${path.extname(__filename)}`)), mockUrl],
        jsonUrl,
        { ...GATEWAY_ENV, ...process.env },
      ),
  },
  gatewayScenario('gateway, routing only', (mockUrl) => `  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mockUrl} }`),
  tracedEveryRequest(1, 'protobuf'),
  tracedEveryRequest(1, 'JSON'),
  tracedEveryRequest(0.1, 'protobuf'),
  ...(COMPARE_BUILD ? compareRows(COMPARE_BUILD) : []),
  // Metrics are always collected; this row adds the info access log (a JSON line per request) and a scrape every second.
  scrapedEverySecond(
    gatewayScenario(
      'gateway, metrics scraped 1/s + info access log',
      (mockUrl) => `  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mockUrl} }`,
      '',
      process.env,
      'info',
    ),
  ),
  ...securityScenarios(),
  ...workerScenarios(),
  ...guardrailScenarios((name, routes) => gatewayScenario(name, routes)),
  ...spendScenarios((name, routes, extra) => gatewayScenario(name, routes, extra)),
  {
    // The same backend as the translated row, its own API passed through: what the translation costs on its own.
    ...gatewayScenario(SAME_MOCK_ROW, (mockUrl) => `  - { name: messages, path: /v1/messages, methods: [POST], target: ${mockUrl} }`),
    path: '/v1/messages',
    headers: ANTHROPIC_HEADERS,
    mock: 'anthropic',
    body: TRANSLATED_BODY,
  },
  translatedScenario(),
  ...(COMPARE_BUILD ? [translatedScenario(COMPARE_BUILD)] : []),
  ...productionStepScenarios(),
  productionScenario(),
  ...(COMPARE_BUILD ? [productionScenario(COMPARE_BUILD)] : []),
  // What the production row's work takes at least: a hand-written proxy doing it, checked to do it (floorBench.ts).
  ...floorScenarios(
    {
      body: TRANSLATED_BODY,
      anthropicHeaders: ANTHROPIC_HEADERS,
      nodeFlags: [...profileArgs(), ...NODE_FLAGS],
      nodeEnv: GATEWAY_ENV,
      baselineFlags: profileArgs(),
      scraped: scrapedEverySecond,
    },
    `sk-bench-${randomBytes(16).toString('hex')}`,
  ),
  {
    name: 'koa + koa-proxies',
    path: '/v1/chat/completions',
    start: (mockUrl) => startProcess(process.execPath, [...nodeArgs(path.join(__dirname, `koaProxiesServer${path.extname(__filename)}`)), mockUrl], jsonUrl),
  },
  {
    name: 'portkey gateway 1.15.2',
    path: '/v1/chat/completions',
    headers: { 'x-portkey-provider': 'openai', authorization: 'Bearer sk-bench' },
    start: startPortkey,
  },
  {
    name: PORTKEY_TRANSLATED_ROW,
    path: '/v1/chat/completions',
    headers: { 'x-portkey-provider': 'anthropic', authorization: 'Bearer sk-ant-bench' },
    start: startPortkey,
    mock: 'anthropic',
    body: TRANSLATED_BODY,
  },
];

/** The translated row, of this build or (BENCH_COMPARE_BUILD) of the other one, next to it in the same rounds. */
function translatedScenario(build?: string): Scenario {
  return {
    ...gatewayScenario(
      build ? translatedRowOf(build) : TRANSLATED_ROW,
      (mockUrl) =>
        `  - { name: chat, path: /v1/chat/completions, methods: [POST], targets: [{ provider: anthropic, url: "${mockUrl}", apiKeyEnv: BENCH_ANTHROPIC_KEY }] }`,
      '',
      { ...process.env, BENCH_ANTHROPIC_KEY: 'sk-ant-bench' },
      'warn',
      build,
    ),
    mock: 'anthropic',
    body: TRANSLATED_BODY,
  };
}

function translatedRowOf(build: string): string {
  return `translated, build ${path.basename(build)}`;
}

async function startPortkey(): Promise<Started> {
  const port = await freePort();
  const script = path.join(repoRoot, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  return startProcess(process.execPath, [script, `--port=${port}`, '--headless'], (line) =>
    line.includes('Ready for connections') ? `http://127.0.0.1:${port}` : undefined,
  );
}

/**
 * What users run in production, all at once (issue 20): an API key, a request and a token rate limit (never tripped:
 * the token limit reserves each request's prompt estimate plus its max_tokens and settles to the usage), the info
 * access log written to a file (stdout redirected, as `ai-gateway-cli start >> gateway.log` or a service manager's
 * log file does), /metrics scraped every second, and a provider target translating OpenAI's API to Anthropic's in
 * front of the Anthropic mock (as the translated row).
 */
function productionScenario(build?: string): Scenario {
  return productionStep(build ? `production, build ${path.basename(build)}` : PRODUCTION_ROW, PRODUCTION_STEPS.length, build);
}

/**
 * The production row built up one feature at a time from routing only (PRODUCTION_STEPS, in that order): each
 * step's row has its own features and every one before it, so the CPU per request one step adds over the one before
 * is what that feature costs (printed under the table). The last step is the production row itself.
 */
function productionStepScenarios(): Scenario[] {
  return PRODUCTION_STEPS.slice(0, -1).map((name, index) => productionStep(name, index + 1));
}

/** The first `features` steps of PRODUCTION_STEPS on a gateway of this build (or `build`'s). */
function productionStep(name: string, features: number, build?: string): Scenario {
  const apiKey = `sk-bench-${randomBytes(16).toString('hex')}`;
  const env = { ...process.env, BENCH_API_KEY: apiKey, BENCH_ANTHROPIC_KEY: 'sk-ant-bench' };
  const limits = features >= 3 ? 'requests: 100000000/min, tokens: 100000000000/min' : 'requests: 100000000/min';
  const rule = `security:\n  - endpoint: /v1/chat/completions\n    auth: api-key\n    apiKeys: [{ name: bench, keyEnv: BENCH_API_KEY }]\n${features >= 2 ? `    rateLimit: { ${limits}, by: consumer }\n` : ''}`;
  const scraped = features >= 4;
  const logged = features >= 5;
  const translated = features >= 6;
  const scenario = gatewayScenario(
    name,
    (mockUrl) =>
      translated
        ? `  - { name: chat, path: /v1/chat/completions, methods: [POST], targets: [{ provider: anthropic, url: "${mockUrl}", apiKeyEnv: BENCH_ANTHROPIC_KEY }] }`
        : `  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mockUrl} }`,
    rule,
    env,
    logged ? 'info' : 'warn',
    build,
    1,
    logged,
  );
  return {
    ...(scraped ? scrapedEverySecond(scenario) : scenario),
    headers: { 'x-api-key': apiKey },
    ...(translated ? { mock: 'anthropic' as const, body: TRANSLATED_BODY } : {}),
  };
}

/** Routing only with requests traced (all, or a share), spans exported over OTLP/HTTP to a collector in this process. */
function tracedEveryRequest(ratio: number, protocol: 'protobuf' | 'JSON'): Scenario {
  const route = (mockUrl: string): string => `  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mockUrl} }`;
  const name = tracedRowName(ratio, protocol);
  return {
    name,
    path: '/v1/chat/completions',
    async start(mockUrl, workDir) {
      const sink = await startSpanSink();
      const env = {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol === 'JSON' ? 'http/json' : 'http/protobuf',
        OTEL_TRACES_SAMPLER: 'traceidratio',
        OTEL_TRACES_SAMPLER_ARG: String(ratio),
      };
      const started = await gatewayScenario(name, route, '', env).start(mockUrl, workDir);
      return {
        ...started,
        stop: async () => {
          await started.stop();
          process.stderr.write(`bench: the collector received ${sink.exports} OTLP exports (${(sink.bytes / 1e6).toFixed(1)} MB) from "${name}"\n`);
          await sink.close();
        },
      };
    },
  };
}

/** Routing only for the other build, then this build's again: A, B, A, B with the row above. */
function compareRows(build: string): Scenario[] {
  const route = (mockUrl: string): string => `  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mockUrl} }`;
  return [
    gatewayScenario(`routing only, build ${path.basename(build)}`, route, '', process.env, 'warn', build),
    gatewayScenario('gateway, routing only (again)', route),
    gatewayScenario(`routing only, build ${path.basename(build)} (again)`, route, '', process.env, 'warn', build),
  ];
}

/**
 * Security on the route (issue 3): JWT or API key auth plus a request rate limit high enough never to trip. With
 * BENCH_COMPARE_BUILD each row is followed by the same row on the other build, so a change on the secured path is
 * measured against its parent in one run.
 */
function securityScenarios(): Scenario[] {
  const secret = randomBytes(32).toString('hex');
  const apiKey = `sk-bench-${randomBytes(16).toString('hex')}`;
  const env = { ...process.env, BENCH_JWT_SECRET: secret, BENCH_API_KEY: apiKey };
  const route = (mockUrl: string) => `  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mockUrl} }`;
  const limit = 'rateLimit: { requests: 100000000/min, by: consumer }';
  const jwtRule = `security:\n  - endpoint: /v1/chat/completions\n    auth: jwt\n    jwt: { secretEnv: BENCH_JWT_SECRET, algorithms: [HS256], audience: bench }\n    ${limit}\n`;
  const keyRule = `security:\n  - endpoint: /v1/chat/completions\n    auth: api-key\n    apiKeys: [{ name: bench, keyEnv: BENCH_API_KEY }]\n    ${limit}\n`;
  const token = jwt.sign({ sub: 'bench', aud: 'bench' }, secret, { algorithm: 'HS256', expiresIn: '1h' });
  const jwtRow = (build?: string): Scenario => ({
    ...gatewayScenario(build ? `JWT + rate limit, build ${path.basename(build)}` : 'gateway, JWT + rate limit', route, jwtRule, env, 'warn', build),
    headers: { authorization: `Bearer ${token}` },
  });
  const keyRow = (build?: string): Scenario => ({
    ...gatewayScenario(build ? `API key + rate limit, build ${path.basename(build)}` : 'gateway, API key + rate limit', route, keyRule, env, 'warn', build),
    headers: { 'x-api-key': apiKey },
  });
  return COMPARE_BUILD ? [jwtRow(), jwtRow(COMPARE_BUILD), keyRow(), keyRow(COMPARE_BUILD)] : [jwtRow(), keyRow()];
}

/**
 * gateway.workers: 2 next to the same rows in one process. On this 2-core machine autocannon and the mock share the
 * cores with both workers and the primary, so the rows say what the second process costs per request (CPU, the
 * primary's counters over IPC) more than what a second core would give a gateway that has one to itself.
 */
function workerScenarios(): Scenario[] {
  const apiKey = `sk-bench-${randomBytes(16).toString('hex')}`;
  const env = { ...process.env, BENCH_API_KEY: apiKey };
  const route = (mockUrl: string) => `  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mockUrl} }`;
  const keyRule = `security:\n  - endpoint: /v1/chat/completions\n    auth: api-key\n    apiKeys: [{ name: bench, keyEnv: BENCH_API_KEY }]\n    rateLimit: { requests: 100000000/min, by: consumer }\n`;
  return [
    gatewayScenario(`gateway, routing only${WORKERS_SUFFIX}`, route, '', process.env, 'warn', undefined, 2),
    { ...gatewayScenario(`gateway, API key + rate limit${WORKERS_SUFFIX}`, route, keyRule, env, 'warn', undefined, 2), headers: { 'x-api-key': apiKey } },
    scrapedEverySecond(gatewayScenario(`gateway, metrics scraped 1/s + info access log${WORKERS_SUFFIX}`, route, '', process.env, 'info', undefined, 2)),
    // Every hit asks the primary's store over IPC; a build from before that (BENCH_COMPARE_BUILD) had a store per worker.
    gatewayScenario(`${SPEND_ROWS.hit}${WORKERS_SUFFIX}`, CACHED_ROUTE, PRICED, process.env, 'warn', undefined, 2),
    ...(COMPARE_BUILD
      ? [gatewayScenario(`cache hit, 2 workers, build ${path.basename(COMPARE_BUILD)}`, CACHED_ROUTE, PRICED, process.env, 'warn', COMPARE_BUILD, 2)]
      : []),
  ];
}

type Load = Omit<Row, 'name' | 'sequentialMs'>;
type Driven = { url: string; headers: Record<string, string>; pid: number | undefined; body: string; mockPid: number | undefined };
type Slice = {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
  cpuUs?: number;
  mockCpuUs?: number;
  /** RSS of the process under test (with its children) every RSS_SAMPLE_MS of the slice, bytes. */
  rss: number[];
};

function loadOptions(target: Driven): autocannon.Options {
  return { url: target.url, connections: CONNECTIONS, method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body: target.body };
}

/** One measured slice; CPU time of the process under test and of the mock is read around it. */
async function measureSlice(target: Driven, seconds: number): Promise<Slice> {
  const mockPid = target.mockPid;
  const cpuBefore = cpuTimeUs(target.pid);
  const mockBefore = cpuTimeUs(mockPid);
  const rss: number[] = [];
  const sampleRss = (): void => {
    const bytes = rssBytes(target.pid);
    if (bytes !== undefined) rss.push(bytes);
  };
  const sampler = setInterval(sampleRss, RSS_SAMPLE_MS);
  const result = await autocannon({ ...loadOptions(target), duration: seconds });
  clearInterval(sampler);
  sampleRss();
  const cpuAfter = cpuTimeUs(target.pid);
  const mockAfter = cpuTimeUs(mockPid);
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuUs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    mockCpuUs: mockBefore === undefined || mockAfter === undefined ? undefined : mockAfter - mockBefore,
    rss,
  };
}

/** A row from its slices: rps and CPU per request over all of them, latency percentiles as the slices' medians. */
function combine(slices: Slice[]): Load {
  const sum = (pick: (slice: Slice) => number | undefined): number | undefined =>
    slices.some((slice) => pick(slice) === undefined) ? undefined : slices.reduce((total, slice) => total + (pick(slice) ?? 0), 0);
  const requests = sum((slice) => slice.requests) ?? 0;
  const perRequest = (total: number | undefined): number | undefined => (total === undefined || requests === 0 ? undefined : total / requests);
  return {
    rps: requests / (sum((slice) => slice.seconds) ?? 1),
    p50: median(slices.map((slice) => slice.p50)),
    p99: median(slices.map((slice) => slice.p99)),
    errors: sum((slice) => slice.errors) ?? 0,
    cpuUsPerRequest: perRequest(sum((slice) => slice.cpuUs)),
    mockCpuUsPerRequest: perRequest(sum((slice) => slice.mockCpuUs)),
    roundRps: slices.map((slice) => slice.requests / slice.seconds),
    ...rssFigures(slices.flatMap((slice) => slice.rss)),
  };
}

/** RSS under load (the median sample) and at its peak, MB; none when /proc could not be read. */
function rssFigures(samples: number[]): Pick<Row, 'rssMb' | 'peakRssMb'> {
  if (samples.length === 0) return {};
  return { rssMb: median(samples) / 1e6, peakRssMb: Math.max(...samples) / 1e6 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Mean latency of N requests one after another on one connection. */
async function sequentialMs(url: string, headers: Record<string, string>, body = CHAT_BODY): Promise<number> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 1 });
  const send = async (): Promise<void> => {
    const response = await pool.request({
      method: 'POST',
      path: target.pathname,
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    await response.body.dump();
  };
  for (let i = 0; i < 50; i++) await send();
  const started = performance.now();
  for (let i = 0; i < SEQUENTIAL_REQUESTS; i++) await send();
  const mean = (performance.now() - started) / SEQUENTIAL_REQUESTS;
  await pool.close();
  return mean;
}

/**
 * Every process is started first and stays up (idle ones cost nothing); then ROUNDS rounds each give every row a
 * slice of DURATION_S / ROUNDS seconds, in the same order. A busy moment of the shared machine then falls on a slice
 * of every row instead of on one whole row, which is what made single 5 s runs swing by 20 points.
 */
async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'gateway-bench-'));
  const scenarios = SCENARIOS.filter((candidate) => !ONLY || candidate === BASELINE || ONLY.test(candidate.name));
  const mocks = new Map<MockFormat, Started>();
  for (const format of new Set(scenarios.map((scenario) => scenario.mock ?? 'openai'))) {
    const mockCli = cliCommand(['mock', '--provider', format, '--port', '0']);
    mocks.set(format, await startProcess(mockCli.command, mockCli.args, jsonUrl));
  }
  if (PIN) pinToCpu(0, process.pid, ...[...mocks.values()].map((mock) => mock.child.pid));
  const running: { scenario: Scenario; started: Started; target: Driven; slices: Slice[] }[] = [];
  const rows: Row[] = [];
  const firstTokens = new Map<string, FirstToken>();
  let ttft: TtftFigures | undefined;
  let background: Background | undefined;
  const directMs = new Map<MockFormat, number>();
  try {
    for (const [format, mock] of mocks) {
      const body = format === 'openai' ? CHAT_BODY : TRANSLATED_BODY;
      directMs.set(format, await sequentialMs(`${mock.url}${format === 'openai' ? '/v1/chat/completions' : '/v1/messages'}`, ANTHROPIC_HEADERS, body));
      process.stderr.write(`mock ${format} ${mock.url}: ${directMs.get(format)!.toFixed(3)} ms per sequential request direct\n`);
    }
    for (const scenario of scenarios) {
      process.stderr.write(`bench: starting ${scenario.name} ...\n`);
      const mock = mocks.get(scenario.mock ?? 'openai')!;
      const started = await scenario.start(mock.url, workDir);
      if (PIN) pinToCpu(1, started.child.pid);
      const headers = { ...scenario.headers, ...(scenario.name.startsWith('portkey') ? { 'x-portkey-custom-host': `${mock.url}/v1` } : {}) };
      const target = { url: `${started.url}${scenario.path}`, headers, pid: started.child.pid, body: scenario.body ?? CHAT_BODY, mockPid: mock.child.pid };
      running.push({ scenario, started, target, slices: [] });
      await autocannon({ ...loadOptions(target), duration: 1 }); // warm-up: JIT, pools, keep-alive connections
    }
    const idle = new Map<number, { cpuUs: number; seconds: number }>();
    const backgroundMsPerSec: number[] = [];
    const mockPids = [...mocks.values()].map((mock) => mock.child.pid);
    for (let round = 1; round <= ROUNDS; round++) {
      process.stderr.write(`bench: round ${round} of ${ROUNDS}\n`);
      for (const entry of running) {
        // Every other process is read around the slice too: what they cost idle, and the noise the slice ran in.
        const others = running.filter((other) => other !== entry).map((other) => other.target.pid);
        const bystanders = [...others, ...mockPids.filter((pid) => pid !== entry.target.mockPid)];
        const before = bystanders.map((pid) => cpuTimeUs(pid));
        const slice = await measureSlice(entry.target, DURATION_S / ROUNDS);
        const used = bystanders.map((pid, index) => (cpuTimeUs(pid) ?? 0) - (before[index] ?? 0));
        entry.slices.push(slice);
        others.forEach((pid, index) => {
          if (pid === undefined) return;
          const sum = idle.get(pid) ?? { cpuUs: 0, seconds: 0 };
          idle.set(pid, { cpuUs: sum.cpuUs + used[index]!, seconds: sum.seconds + slice.seconds });
        });
        backgroundMsPerSec.push(used.reduce((total, us) => total + us, 0) / 1000 / slice.seconds);
      }
    }
    background = {
      processes: running.length - 1 + mocks.size - 1,
      medianMsPerSec: median(backgroundMsPerSec),
      maxMsPerSec: Math.max(...backgroundMsPerSec),
    };
    for (const { scenario, target, slices } of running) {
      const direct = directMs.get(scenario.mock ?? 'openai') ?? 0;
      const quiet = target.pid === undefined ? undefined : idle.get(target.pid);
      const idleCpuMsPerSec = quiet && quiet.seconds > 0 ? quiet.cpuUs / 1000 / quiet.seconds : undefined;
      rows.push({
        name: scenario.name,
        ...combine(slices),
        sequentialMs: (await sequentialMs(target.url, target.headers, target.body)) - direct,
        ...(idleCpuMsPerSec === undefined ? {} : { idleCpuMsPerSec }),
      });
    }
    // Time to first token, guarded and not, twice in turn so a busy moment does not fall on one of them only.
    const streams = running.filter((entry) => entry.scenario.name === GUARDRAIL_ROWS.plainStream || entry.scenario.name === GUARDRAIL_ROWS.redactedStream);
    for (let turn = 0; turn < 2; turn++) {
      for (const { scenario, target } of streams) {
        const measured = await timeToFirstToken(target.url);
        const earlier = firstTokens.get(scenario.name);
        firstTokens.set(
          scenario.name,
          earlier
            ? { firstEventMs: (earlier.firstEventMs + measured.firstEventMs) / 2, firstTokenMs: (earlier.firstTokenMs + measured.firstTokenMs) / 2 }
            : measured,
        );
      }
    }
    const plain = running.find((entry) => entry.scenario.name === 'gateway, routing only');
    const translated = running.find((entry) => entry.scenario.name === TRANSLATED_ROW);
    const sameMock = running.find((entry) => entry.scenario.name === SAME_MOCK_ROW);
    if (plain && translated) {
      process.stderr.write(`bench: time to first token, ${TTFT_REQUESTS} streamed requests each ...\n`);
      ttft = await timesToFirstToken(mocks, plain.target.url, translated.target.url, sameMock?.target.url);
    }
  } finally {
    for (const { started } of running) await started.stop();
    for (const mock of mocks.values()) await mock.stop();
    await rm(workDir, { recursive: true, force: true });
  }
  printSummary(rows, { connections: CONNECTIONS, durationSec: DURATION_S, rounds: ROUNDS, sequentialRequests: SEQUENTIAL_REQUESTS, pinned: PIN, background });
  printGuardrailSummary(rows, firstTokens);
  printTranslationGoals(rows, ttft);
  printSpendSummary(rows, directMs.get('openai') ?? 0);
}

interface TtftFigures {
  openaiDirect: number;
  passThrough: number;
  anthropicDirect: number;
  /** The pass-through route to the Anthropic mock, when that row runs: the translated stream's same-backend twin. */
  anthropicPassThrough?: number;
  translated: number;
}

/**
 * Median time from sending a streamed request to the first chunk that carries answer text, over TTFT_REQUESTS
 * requests each, one connection per probe: each mock direct, the pass-through routes and the translated route, taking
 * turns request by request so that the machine's moods fall on all of them alike (medians: a neighbour's burst
 * moves a mean by milliseconds).
 */
async function timesToFirstToken(
  mocks: Map<MockFormat, Started>,
  plainUrl: string,
  translatedUrl: string,
  sameMockUrl: string | undefined,
): Promise<TtftFigures> {
  const openaiStream = JSON.stringify({ ...(JSON.parse(CHAT_BODY) as object), stream: true });
  const anthropicStream = JSON.stringify({ ...(JSON.parse(TRANSLATED_BODY) as object), stream: true });
  const openaiText = /"content":"[^"]/;
  const probes: [keyof TtftFigures, string, string, Record<string, string>, RegExp][] = [
    ['openaiDirect', `${mocks.get('openai')!.url}/v1/chat/completions`, openaiStream, {}, openaiText],
    ['passThrough', plainUrl, openaiStream, {}, openaiText],
    ['anthropicDirect', `${mocks.get('anthropic')!.url}/v1/messages`, anthropicStream, ANTHROPIC_HEADERS, /"text_delta"/],
    ...(sameMockUrl
      ? [
          ['anthropicPassThrough', sameMockUrl, anthropicStream, ANTHROPIC_HEADERS, /"text_delta"/] as [
            keyof TtftFigures,
            string,
            string,
            Record<string, string>,
            RegExp,
          ],
        ]
      : []),
    ['translated', translatedUrl, anthropicStream, {}, openaiText],
  ];
  const pools = probes.map(([, url]) => new Pool(new URL(url).origin, { connections: 1 }));
  const samples = probes.map((): number[] => []);
  for (let i = 0; i < TTFT_REQUESTS + 20; i++) {
    for (const [index, [, url, body, headers, firstText]] of probes.entries()) {
      const ms = await firstTokenMs(pools[index]!, new URL(url).pathname, body, headers, firstText);
      if (i >= 20) samples[index]!.push(ms); // the first 20 warm up
    }
  }
  for (const pool of pools) await pool.close();
  const figures = {} as TtftFigures;
  probes.forEach(([key], index) => (figures[key] = median(samples[index]!)));
  return figures;
}

async function firstTokenMs(pool: Pool, pathname: string, body: string, headers: Record<string, string>, firstText: RegExp): Promise<number> {
  const sent = performance.now();
  const response = await pool.request({ method: 'POST', path: pathname, headers: { 'content-type': 'application/json', ...headers }, body });
  let seen = '';
  let at: number | undefined;
  for await (const chunk of response.body) {
    if (at !== undefined) continue; // read to the end, so the connection is reused
    seen += (chunk as Buffer).toString('utf8');
    if (firstText.test(seen)) at = performance.now();
  }
  if (at === undefined) throw new Error(`no answer text in the stream of ${pathname}: ${seen.slice(0, 300)}`);
  return at - sent;
}

/**
 * Issue 16's goals: translated >= 0.7x the pass-through route's rps, >= 5x Portkey's translation, TTFT + <= 1 ms; and
 * with BENCH_COMPARE_BUILD, this build's translated and production rows against the other build's.
 */
function printTranslationGoals(rows: Row[], ttft: TtftFigures | undefined): void {
  const plain = rows.find((row) => row.name === 'gateway, routing only');
  const translated = rows.find((row) => row.name === TRANSLATED_ROW);
  const portkey = rows.find((row) => row.name === PORTKEY_TRANSLATED_ROW);
  const sameMock = rows.find((row) => row.name === SAME_MOCK_ROW);
  const out: string[] = [];
  if (plain && translated) {
    const share = translated.rps / plain.rps;
    const cpu =
      plain.cpuUsPerRequest && translated.cpuUsPerRequest
        ? `; the gateway's CPU per request ${percent(plain.cpuUsPerRequest / translated.cpuUsPerRequest)} of the pass-through's`
        : '';
    out.push(
      `goal ${TRANSLATED_ROW}: rps ${percent(share)} of the pass-through route's (goal >= 70%) ${share >= 0.7 ? 'PASS' : 'FAIL'}${roundRatios(translated, plain, 'pass-through')}${cpu}`,
    );
    if (sameMock) {
      const sameCpu =
        sameMock.cpuUsPerRequest && translated.cpuUsPerRequest ? `, CPU per request ${percent(sameMock.cpuUsPerRequest / translated.cpuUsPerRequest)}` : '';
      out.push(
        `  against "${SAME_MOCK_ROW}" (the same backend): rps ${percent(translated.rps / sameMock.rps)}${roundRatios(translated, sameMock, 'it')}${sameCpu}`,
      );
    }
    if (portkey) {
      const times = translated.rps / portkey.rps;
      out.push(
        `goal ${TRANSLATED_ROW}: ${times.toFixed(1)}x Portkey's translation (goal >= 5x) ${times >= 5 ? 'PASS' : 'FAIL'}${roundRatios(translated, portkey, 'Portkey')}`,
      );
    }
  }
  const otherProduction = COMPARE_BUILD && rows.find((row) => row.name === `production, build ${path.basename(COMPARE_BUILD)}`);
  const production = rows.find((row) => row.name === PRODUCTION_ROW);
  if (otherProduction && production) {
    const cpu =
      production.cpuUsPerRequest && otherProduction.cpuUsPerRequest
        ? `; CPU per request ${production.cpuUsPerRequest.toFixed(0)} against ${otherProduction.cpuUsPerRequest.toFixed(0)} µs`
        : '';
    out.push(
      `this build's production row over build ${path.basename(COMPARE_BUILD)}'s: rps ${percent(production.rps / otherProduction.rps)}${roundRatios(production, otherProduction, 'it')}${cpu}; p99 ${production.p99.toFixed(1)} against ${otherProduction.p99.toFixed(1)} ms`,
    );
  }
  const otherPlain = COMPARE_BUILD && rows.find((row) => row.name === `routing only, build ${path.basename(COMPARE_BUILD)}`);
  const otherTranslated = COMPARE_BUILD && rows.find((row) => row.name === translatedRowOf(COMPARE_BUILD));
  if (otherPlain && otherTranslated) {
    const cpu =
      otherPlain.cpuUsPerRequest && otherTranslated.cpuUsPerRequest
        ? `; its CPU per request ${percent(otherPlain.cpuUsPerRequest / otherTranslated.cpuUsPerRequest)} of its pass-through's`
        : '';
    out.push(
      `  build ${path.basename(COMPARE_BUILD)}: translated rps ${percent(otherTranslated.rps / otherPlain.rps)} of its pass-through route's${roundRatios(otherTranslated, otherPlain, 'its pass-through')}${cpu}`,
    );
    if (translated)
      out.push(
        `  this build's translated row over build ${path.basename(COMPARE_BUILD)}'s: rps ${percent(translated.rps / otherTranslated.rps)}${roundRatios(translated, otherTranslated, 'it')}`,
      );
  }
  if (ttft) {
    const added = ttft.translated - ttft.passThrough;
    const sameMock = ttft.anthropicPassThrough === undefined ? '' : `, pass-through route to it ${ttft.anthropicPassThrough.toFixed(3)} ms`;
    out.push(
      `time to first token, median of ${TTFT_REQUESTS} sequential streams each: OpenAI mock direct ${ttft.openaiDirect.toFixed(3)} ms, pass-through route ${ttft.passThrough.toFixed(3)} ms; Anthropic mock direct ${ttft.anthropicDirect.toFixed(3)} ms${sameMock}, translated route ${ttft.translated.toFixed(3)} ms`,
      `goal translated stream: ${added.toFixed(3)} ms added time to first token over the pass-through stream (goal <= 1 ms) ${added <= 1 ? 'PASS' : 'FAIL'}${
        ttft.anthropicPassThrough === undefined
          ? ''
          : `; over the pass-through to the same (Anthropic) mock: ${(ttft.translated - ttft.anthropicPassThrough).toFixed(3)} ms`
      }`,
    );
  }
  if (out.length > 0) process.stdout.write(`\n${out.join('\n')}\n`);
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(0)}%`;
}

function roundRatios(row: Row, other: Row, label: string): string {
  if (!row.roundRps || !other.roundRps || row.roundRps.length < 2) return '';
  return ` (rounds vs ${label}: ${row.roundRps.map((rps, round) => `${(rps / (other.roundRps?.[round] ?? Number.NaN)).toFixed(2)}`).join(', ')})`;
}

/** Every thread of each process (V8's GC helpers too) onto one CPU, with util-linux's taskset. */
function pinToCpu(cpu: number, ...pids: (number | undefined)[]): void {
  for (const pid of pids) if (pid !== undefined) execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', String(cpu), String(pid)], { stdio: 'ignore' });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
