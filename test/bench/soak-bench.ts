// `npm run bench:soak` (issue 20): memory over a long run at a steady rate. The gateway (API key, request and token
// limits, /metrics scraped every second, the info access log written to a file, a pass-through route and a route
// translated to Anthropic, JSON and streamed answers alike) and the bare undici proxy (the gateway bench's baseline,
// JSON and streamed answers of the OpenAI mock), with and without the gateway's node flags, are driven at the same
// rate side by side for BENCH_SOAK_SECONDS (default 600). Every BENCH_SOAK_SAMPLE_SECONDS (default 10) each
// process's RSS is read from /proc and its heap after a full GC is asked over IPC (heapProbe.ts, preloaded with
// --expose-gc by this script only). Prints per process: RSS and heap over time, their least-squares slopes (MB/min)
// after the warm-up and over the second half, whether the steady state (the second half) grows beyond its scatter,
// what the process settled by before it, and the gateway's RSS under load over the bare proxy's.
// BENCH_SOAK_RPS sets the rate per process (default 200), BENCH_SOAK_CONNECTIONS the connections (default 8),
// BENCH_SOAK_SAMPLES=FILE keeps the samples as JSON.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { cliCommand } from '../support/cli';
import { GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../../common/src/nodeFlags';
import { formatTable } from './benchSummary';
import { jsonUrl, rssBytes, startProcess, type Started } from './processes';
import { trend, type HeapReport, type Trend } from './soakFigures';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const RATE = Number(process.env.BENCH_SOAK_RPS ?? 200);
const CONNECTIONS = Number(process.env.BENCH_SOAK_CONNECTIONS ?? 8);
const SAMPLE_SECONDS = Number(process.env.BENCH_SOAK_SAMPLE_SECONDS ?? Math.min(10, Math.max(1, SECONDS / 20)));
/** Samples before this are shown but left out of the slopes: pools, JIT and the young generation settle first. */
const WARMUP_SECONDS = Math.min(60, SECONDS / 5);
/** BENCH_SOAK_SAMPLES=FILE: every sample of every process written there as JSON. */
const SAMPLES_FILE = process.env.BENCH_SOAK_SAMPLES;
const GATEWAY = 'gateway (production config)';
const BARE = 'bare undici proxy';
const BARE_FLAGGED = 'bare undici proxy + gateway node flags';

export interface Probed {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

interface Sample {
  seconds: number;
  rssMb: number;
  heapMb: number;
}

function preloadArgs(): string[] {
  const probe = path.join(__dirname, `heapProbe${path.extname(__filename)}`);
  return ['--expose-gc', ...(__filename.endsWith('.ts') ? ['--require', 'tsx/cjs'] : []), '--require', probe];
}

/** A process with the heap probe and an IPC channel; its URL from the line `urlOf` finds on stdout or stderr. */
export async function startProbed(
  name: string,
  args: string[],
  urlOf: (line: string) => string | undefined,
  env: NodeJS.ProcessEnv,
  logFile?: string,
): Promise<Probed> {
  const logFd = logFile === undefined ? undefined : openSync(logFile, 'a');
  const child = spawn(process.execPath, [...preloadArgs(), ...args], { stdio: ['ignore', logFd ?? 'pipe', 'pipe', 'ipc'], env });
  if (logFd !== undefined) closeSync(logFd);
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        if (stream === child.stderr) stderr = (stderr + line + '\n').slice(-4000);
        const found = urlOf(line);
        if (found) resolve(found);
      });
    }
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening:\n${stderr}`)));
  });
  return {
    name,
    url,
    child,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))),
  };
}

/** Heap used after a full GC, MB, asked of the process's heap probe. */
function heapAfterGcMb(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no heap report within 10 s')), 10_000);
    child.once('message', (report: HeapReport) => {
      clearTimeout(timer);
      resolve(report.heapUsedBytes / 1e6);
    });
    child.send('heap');
  });
}

export function gatewayConfig(openaiUrl: string, anthropicUrl: string): string {
  const rule = (endpoint: string): string =>
    `  - endpoint: ${endpoint}\n    auth: api-key\n    apiKeys: [{ name: soak, keyEnv: SOAK_API_KEY }]\n    rateLimit: { requests: 100000000/min, tokens: 100000000000/min, by: consumer }\n`;
  return [
    'version: 1',
    'gateway: { listen: 127.0.0.1:0, logLevel: info }',
    'routes:',
    `  - { name: chat, path: /v1/chat/completions, methods: [POST], target: "${openaiUrl}" }`,
    `  - { name: claude, path: /claude/v1/chat/completions, methods: [POST], targets: [{ provider: anthropic, url: "${anthropicUrl}", apiKeyEnv: SOAK_ANTHROPIC_KEY }] }`,
    'security:',
    rule('/v1/chat/completions') + rule('/claude/v1/chat/completions'),
  ].join('\n');
}

export function chat(pathname: string, stream: boolean, headers: Record<string, string> = {}): autocannon.Request {
  const body = { model: 'gpt-4o-mini', max_tokens: 256, messages: [{ role: 'user', content: 'Say hello' }], ...(stream ? { stream: true } : {}) };
  return { method: 'POST', path: pathname, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** The soak's two mocks (OpenAI's, Anthropic's), each its own process, pushed to `mocks` as they start (to be stopped). */
export async function startSoakMocks(mocks: Started[]): Promise<[Started, Started]> {
  for (const provider of ['openai', 'anthropic']) {
    const mock = cliCommand(['mock', '--provider', provider, '--port', '0']);
    mocks.push(await startProcess(mock.command, mock.args, jsonUrl));
  }
  return mocks.slice(-2) as [Started, Started];
}

/** The gateway on the soak's production config in front of the mocks, started as its launchers start it, with the heap probe. */
export async function startSoakGateway(
  name: string,
  workDir: string,
  apiKey: string,
  [openai, anthropic]: [Started, Started],
  logFile: string,
): Promise<Probed> {
  const configFile = path.join(workDir, 'soak.yaml');
  await writeFile(configFile, gatewayConfig(openai.url, anthropic.url));
  const cli = cliCommand(['start', '--config', configFile, '--port', '0', '--no-watch']);
  const banner = (line: string): string | undefined => /listening on (http:\/\/\S+)/.exec(line)?.[1];
  const env = { ...GATEWAY_ENV, ...process.env, SOAK_API_KEY: apiKey, SOAK_ANTHROPIC_KEY: 'sk-ant-soak' };
  return startProbed(name, [...GATEWAY_NODE_FLAGS, ...cli.args], banner, env, logFile);
}

async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'gateway-soak-'));
  const apiKey = `sk-soak-${randomBytes(16).toString('hex')}`;
  const mocks: Started[] = [];
  const probed: Probed[] = [];
  try {
    const soakMocks = await startSoakMocks(mocks);
    const logFile = path.join(workDir, 'gateway.log');
    probed.push(await startSoakGateway(GATEWAY, workDir, apiKey, soakMocks, logFile));
    const bareScript = [
      ...(__filename.endsWith('.ts') ? ['--require', 'tsx/cjs'] : []),
      path.join(__dirname, `bareProxy${path.extname(__filename)}`),
      soakMocks[0].url,
    ];
    probed.push(await startProbed(BARE, bareScript, jsonUrl, process.env));
    probed.push(await startProbed(BARE_FLAGGED, [...GATEWAY_NODE_FLAGS, ...bareScript], jsonUrl, { ...GATEWAY_ENV, ...process.env }));

    const auth = { 'x-api-key': apiKey };
    const loads = new Map<string, autocannon.Request[]>([
      [
        GATEWAY,
        [
          chat('/v1/chat/completions', false, auth),
          chat('/v1/chat/completions', true, auth),
          chat('/claude/v1/chat/completions', false, auth),
          chat('/claude/v1/chat/completions', true, auth),
        ],
      ],
      [BARE, [chat('/v1/chat/completions', false), chat('/v1/chat/completions', true)]],
      [BARE_FLAGGED, [chat('/v1/chat/completions', false), chat('/v1/chat/completions', true)]],
    ]);
    const idle = new Map<string, Sample>();
    for (const target of probed) idle.set(target.name, await sample(target, 0));
    process.stderr.write(
      `soak: ${SECONDS} s at ${RATE} rps per process, ${CONNECTIONS} connections, samples every ${SAMPLE_SECONDS} s (load ${loadAverage()})\n`,
    );

    const samples = new Map<string, Sample[]>(probed.map((target) => [target.name, []]));
    const started = performance.now();
    const scrape = setInterval(
      () =>
        void fetch(`${probed[0]!.url}/metrics`).then(
          (response) => response.text(),
          () => undefined,
        ),
      1000,
    );
    const runs = probed.map((target) =>
      autocannon({ url: target.url, connections: CONNECTIONS, overallRate: RATE, duration: SECONDS, requests: loads.get(target.name)! }),
    );
    let sampling = Promise.resolve();
    const sampler = setInterval(() => {
      const seconds = (performance.now() - started) / 1000;
      sampling = sampling.then(async () => {
        for (const target of probed) samples.get(target.name)!.push(await sample(target, seconds));
        if (Math.round(seconds) % 60 < SAMPLE_SECONDS) process.stderr.write(`soak: ${Math.round(seconds)} s, ${progress(probed, samples)}\n`);
      });
    }, SAMPLE_SECONDS * 1000);
    const results = await Promise.all(runs);
    clearInterval(sampler);
    clearInterval(scrape);
    await sampling;
    process.stdout.write(report(probed, idle, samples, results, statSync(logFile).size));
    if (SAMPLES_FILE) await writeFile(SAMPLES_FILE, JSON.stringify(Object.fromEntries(samples), null, 1));
  } finally {
    for (const target of probed) await target.stop();
    for (const mock of mocks) await mock.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

async function sample(target: Probed, seconds: number): Promise<Sample> {
  const heapMb = await heapAfterGcMb(target.child);
  return { seconds, rssMb: (rssBytes(target.child.pid) ?? Number.NaN) / 1e6, heapMb };
}

function progress(probed: Probed[], samples: Map<string, Sample[]>): string {
  return probed
    .map((target) => {
      const last = samples.get(target.name)!.at(-1);
      return last ? `${target.name} RSS ${last.rssMb.toFixed(1)} MB heap ${last.heapMb.toFixed(1)} MB` : target.name;
    })
    .join('; ');
}

function report(probed: Probed[], idle: Map<string, Sample>, samples: Map<string, Sample[]>, results: autocannon.Result[], logBytes: number): string {
  const rows: string[][] = [];
  const trends = new Map<
    string,
    { rss: Trend; heap: Trend; lateRss: Trend; lateHeap: Trend; settling: { rssMb: number; heapMb: number }; rssUnderLoad: number }
  >();
  probed.forEach((target, index) => {
    const all = samples.get(target.name)!;
    const settled = all.filter((s) => s.seconds >= WARMUP_SECONDS);
    const rss = trend(settled.map((s) => ({ minutes: s.seconds / 60, mb: s.rssMb })));
    const heap = trend(settled.map((s) => ({ minutes: s.seconds / 60, mb: s.heapMb })));
    // The second half alone: a leak keeps its slope, memory that settles after the warm-up loses it.
    const secondHalf = all.filter((s) => s.seconds >= SECONDS / 2);
    const lateHeap = trend(secondHalf.map((s) => ({ minutes: s.seconds / 60, mb: s.heapMb })));
    const lateRss = trend(secondHalf.map((s) => ({ minutes: s.seconds / 60, mb: s.rssMb })));
    const rssUnderLoad = median(settled.map((s) => s.rssMb));
    // What settled between the first minute after the warm-up and the steady state: shown, not judged (see the goal).
    const firstMinute = settled.filter((s) => s.seconds < WARMUP_SECONDS + 60);
    const settling = {
      rssMb: median(secondHalf.map((s) => s.rssMb)) - median(firstMinute.map((s) => s.rssMb)),
      heapMb: median(secondHalf.map((s) => s.heapMb)) - median(firstMinute.map((s) => s.heapMb)),
    };
    trends.set(target.name, { rss, heap, lateRss, lateHeap, settling, rssUnderLoad });
    const result = results[index]!;
    rows.push([
      target.name,
      String(result.requests.total),
      String(result.errors + result.timeouts + result.non2xx),
      result.latency.p99.toFixed(1),
      idle.get(target.name)!.rssMb.toFixed(1),
      rssUnderLoad.toFixed(1),
      Math.max(...all.map((s) => s.rssMb)).toFixed(1),
      slope(rss),
      median(settled.map((s) => s.heapMb)).toFixed(1),
      slope(heap),
      `${signed(settling.rssMb)} / ${signed(settling.heapMb)}`,
      `${slope(lateRss)} / ${slope(lateHeap)}`,
      lateRss.flat && lateHeap.flat ? 'flat' : 'GROWS',
      rss.flat && heap.flat ? 'flat' : 'grows',
    ]);
  });
  const out = [
    '',
    formatTable(
      [
        'process',
        'requests',
        'err',
        'p99 ms',
        'RSS idle MB',
        'RSS load MB',
        'RSS peak MB',
        'RSS MB/min',
        'heap MB',
        'heap MB/min',
        'settled by RSS / heap MB',
        '2nd half RSS / heap MB/min',
        'steady state',
        'whole run',
      ],
      rows,
    ),
    '',
    `${SECONDS} s at ${RATE} rps per process (${CONNECTIONS} connections each, side by side), load average at the end ${loadAverage()}.`,
    `Samples every ${SAMPLE_SECONDS} s: RSS from /proc, heap = heap used after a full GC (--expose-gc, asked over IPC). Slopes by least`,
    `squares over the samples after the first ${WARMUP_SECONDS} s, +- their standard error; "flat" = growth over the samples within twice`,
    `their scatter around the line, or the slope within two standard errors of zero. "Steady state" judges the run's second half alone (memory`,
    `that settles loses its slope there, a leak keeps it); "whole run" judges everything after the warm-up, settling included. "Settled by" =`,
    `the second half's median minus the median of the first minute after the warm-up. The gateway's access log: ${(logBytes / 1e6).toFixed(1)} MB.`,
    '',
    'Over time (MB, one sample a minute: RSS / heap after GC):',
    ...probed.map((target) => {
      const perMinute = samples.get(target.name)!.filter((s, i, all) => i === 0 || Math.floor(s.seconds / 60) !== Math.floor(all[i - 1]!.seconds / 60));
      return `  ${target.name}: ${perMinute.map((s) => `${s.rssMb.toFixed(0)}/${s.heapMb.toFixed(1)}`).join('  ')}`;
    }),
  ];
  const gateway = trends.get(GATEWAY)!;
  const bare = trends.get(BARE)!;
  const flagged = trends.get(BARE_FLAGGED)!;
  const ratio = gateway.rssUnderLoad / bare.rssUnderLoad;
  out.push(
    '',
    `goal memory flat (steady state, the second half): gateway RSS ${slope(gateway.lateRss)} MB/min, heap after GC ${slope(gateway.lateHeap)} MB/min ${gateway.lateRss.flat && gateway.lateHeap.flat ? 'PASS' : 'FAIL'};`,
    `  settled by RSS ${signed(gateway.settling.rssMb)} MB, heap ${signed(gateway.settling.heapMb)} MB before it (bare proxy: RSS ${signed(bare.settling.rssMb)}, heap ${signed(bare.settling.heapMb)});`,
    `  whole run after the warm-up: RSS ${slope(gateway.rss)}, heap ${slope(gateway.heap)} MB/min, ${gateway.rss.flat && gateway.heap.flat ? 'flat' : 'grows (settling included)'}`,
    `goal RSS under load: gateway ${ratio.toFixed(2)}x the bare proxy's (goal <= 1.5x) ${ratio <= 1.5 ? 'PASS' : 'FAIL'}; ${(gateway.rssUnderLoad / flagged.rssUnderLoad).toFixed(2)}x the bare proxy's with the gateway's node flags`,
  );
  return `${out.join('\n')}\n`;
}

function signed(mb: number): string {
  return `${mb >= 0 ? '+' : ''}${mb.toFixed(1)}`;
}

function slope(t: Trend): string {
  return `${t.slopeMbPerMin >= 0 ? '+' : ''}${t.slopeMbPerMin.toFixed(3)} +- ${t.slopeErrorMbPerMin.toFixed(3)}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`soak bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
