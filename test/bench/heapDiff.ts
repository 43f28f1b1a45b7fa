// What the gateway's heap gains over a soak, and what holds it: the gateway on the soak bench's production config and
// request mix (soak-bench.ts) driven at BENCH_SOAK_RPS (default 200) with /metrics scraped every second, a heap
// snapshot written after a full GC at each of HEAP_DIFF_AT seconds of drive (default 60,240,480; heapProbe.ts over
// IPC), and the heap used after a full GC sampled every HEAP_DIFF_SAMPLE_SECONDS (default 10 as in the soak; 0: never).
// Prints per interval the growth by node type (object, closure, string: the program's; code, hidden: V8's) and the top
// growers by constructor or V8 kind (count, KB, KB/min); the objects of the last snapshot allocated between the first
// two (what a per-request leak leaves behind, ids only grow) with a shortest retaining path for the largest groups;
// and the sampled heap's least-squares slope between the snapshots (the soak's figure).
// Run: npx tsc -b && node out/test/bench/heapDiff.js   (HEAP_DIFF_DIR=DIR keeps the snapshots, ~55 MB each, there)
// Or on snapshots kept or taken elsewhere, oldest first: node out/test/bench/heapDiff.js A.heapsnapshot B.heapsnapshot [C...]
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { formatTable } from './benchSummary';
import type { Started } from './processes';
import { chat, startSoakGateway, startSoakMocks, type Probed } from './soak-bench';
import { EMBEDDER, byType, groupOf, groups, growth, readHeapSnapshot, retainerPath, shortestParents, type Group, type HeapSnapshot } from './heapSnapshots';
import { trend, type HeapReport } from './soakFigures';

const RATE = Number(process.env.BENCH_SOAK_RPS ?? 200);
const AT = (process.env.HEAP_DIFF_AT ?? '60,240,480').split(',').map(Number);
const SAMPLE_SECONDS = Number(process.env.HEAP_DIFF_SAMPLE_SECONDS ?? 10);
const TOP = 15;

interface Taken {
  file: string;
  seconds: number;
}

interface Drive {
  taken: Taken[];
  /** Heap used after a full GC, by seconds of drive. */
  samples: { seconds: number; mb: number }[];
}

/** One message to the heap probe at a time: a snapshot asked during a sample would take the sample's answer. */
function prober(child: ChildProcess): (message: 'heap' | { snapshot: string }) => Promise<HeapReport> {
  let queue = Promise.resolve<unknown>(undefined);
  return (message) => {
    const answer = queue.then(
      () =>
        new Promise<HeapReport>((resolve) => {
          child.once('message', (report: HeapReport) => resolve(report));
          child.send(message);
        }),
    );
    queue = answer;
    return answer;
  };
}

async function drive(dir: string): Promise<Drive> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'gateway-heapdiff-'));
  const apiKey = `sk-soak-${randomBytes(16).toString('hex')}`;
  const mocks: Started[] = [];
  let gateway: Probed | undefined;
  try {
    gateway = await startSoakGateway('gateway', workDir, apiKey, await startSoakMocks(mocks), path.join(workDir, 'gateway.log'));
    const { url, child } = gateway;
    const auth = { 'x-api-key': apiKey };
    const requests = ['/v1/chat/completions', '/claude/v1/chat/completions'].flatMap((route) => [chat(route, false, auth), chat(route, true, auth)]);
    const started = performance.now();
    const scrape = setInterval(
      () =>
        void fetch(`${url}/metrics`).then(
          (response) => response.text(),
          () => undefined,
        ),
      1000,
    );
    const run = autocannon({ url, connections: 8, overallRate: RATE, duration: Math.max(...AT) + 1, requests });
    const probe = prober(child);
    const samples: Drive['samples'] = [];
    const sampler =
      SAMPLE_SECONDS > 0
        ? setInterval(() => {
            const seconds = (performance.now() - started) / 1000;
            void probe('heap').then((report) => samples.push({ seconds, mb: report.heapUsedBytes / 1e6 }));
          }, SAMPLE_SECONDS * 1000)
        : undefined;
    const taken: Taken[] = [];
    for (const [index, seconds] of AT.entries()) {
      await new Promise((resolve) => setTimeout(resolve, started + seconds * 1000 - performance.now()));
      const file = path.join(dir, `gateway-${index}-${seconds}s.heapsnapshot`);
      const report = await probe({ snapshot: file });
      process.stderr.write(`heapDiff: ${seconds} s, heap after GC ${(report.heapUsedBytes / 1e6).toFixed(3)} MB, ${file}\n`);
      taken.push({ file, seconds });
    }
    const result = await run;
    clearInterval(scrape);
    clearInterval(sampler);
    process.stderr.write(`heapDiff: ${result.requests.total} requests, ${result.errors + result.timeouts + result.non2xx} failed\n`);
    return { taken, samples };
  } finally {
    await gateway?.stop();
    for (const mock of mocks) await mock.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

function report({ taken, samples }: Drive): string {
  const snapshots = taken.map(({ file }) => readHeapSnapshot(file));
  const grouped = snapshots.map((snapshot) => groups(snapshot));
  const out: string[] = [];
  for (let i = 1; i < snapshots.length; i++) {
    const minutes = (taken[i]!.seconds - taken[i - 1]!.seconds) / 60;
    const label = `${taken[i - 1]!.seconds} -> ${taken[i]!.seconds} s`;
    out.push('', `By node type, ${label}:`, table(growth(byType(snapshots[i - 1]!), byType(snapshots[i]!)), minutes));
    out.push('', `Top growers, ${label}:`, table(growth(grouped[i - 1]!, grouped[i]!).slice(0, TOP), minutes));
    out.push(
      '',
      `Top shrinkers, ${label}:`,
      table(
        growth(grouped[i - 1]!, grouped[i]!)
          .reverse()
          .slice(0, 5),
        minutes,
      ),
    );
  }
  out.push('', totals(taken, snapshots));
  if (snapshots.length >= 3) out.push('', survivors(taken, snapshots));
  if (samples.length > 0) out.push('', heapSamples(taken, samples));
  return `${out.join('\n')}\n`;
}

function table(rows: [string, Group][], minutes: number): string {
  return formatTable(
    ['group', 'count', 'KB', 'KB/min'],
    rows.map(([key, group]) => [key, signed(group.count, 0), signed(group.bytes / 1e3, 1), signed(group.bytes / 1e3 / minutes, 2)]),
  );
}

function totals(taken: Taken[], snapshots: HeapSnapshot[]): string {
  const rows = snapshots.map((snapshot, i) => {
    const bytes = snapshot.selfSize.reduce((sum, size) => sum + size, 0);
    return [`${taken[i]!.seconds} s`, String(snapshot.id.length), (bytes / 1e6).toFixed(3)];
  });
  return formatTable(['snapshot', 'nodes', 'self sizes MB'], rows);
}

/** Objects of the last snapshot allocated between the first and the second: what stayed of that interval's work. */
function survivors(taken: Taken[], snapshots: HeapSnapshot[]): string {
  const [first, second] = snapshots as [HeapSnapshot, HeapSnapshot];
  const last = snapshots.at(-1)!;
  const between = (node: number): boolean => !EMBEDDER.has(last.type[node]!) && last.id[node]! > first.maxId && last.id[node]! <= second.maxId;
  const rows = [...groups(last, between).entries()].sort((a, b) => b[1].bytes - a[1].bytes);
  const parents = shortestParents(last);
  const paths = rows.slice(0, 6).map(([key]) => {
    let sample = -1;
    for (let node = 0; node < last.id.length && sample < 0; node++) if (between(node) && groupOf(last, node) === key) sample = node;
    return `  ${key}:\n    ${retainerPath(last, sample, parents) ?? '(reached by weak edges only)'}`;
  });
  const count = rows.reduce((sum, [, group]) => sum + group.count, 0);
  const bytes = rows.reduce((sum, [, group]) => sum + group.bytes, 0);
  return [
    `Alive at ${taken.at(-1)!.seconds} s, allocated between ${taken[0]!.seconds} and ${taken[1]!.seconds} s: ${count} objects, ${(bytes / 1e3).toFixed(1)} KB`,
    formatTable(
      ['group', 'count', 'KB'],
      rows.slice(0, TOP).map(([key, group]) => [key, String(group.count), (group.bytes / 1e3).toFixed(1)]),
    ),
    'A shortest retaining path of one of each of the largest groups:',
    ...paths,
  ].join('\n');
}

/** The heap after a full GC once a minute, and its slope over each interval between snapshots (the soak's figure). */
function heapSamples(taken: Taken[], samples: Drive['samples']): string {
  const perMinute = samples.filter((s, i) => i === 0 || Math.floor(s.seconds / 60) !== Math.floor(samples[i - 1]!.seconds / 60));
  const slopes = taken.slice(1).map((end, i) => {
    const within = samples.filter((s) => s.seconds > taken[i]!.seconds && s.seconds < end.seconds);
    if (within.length < 3) return `${taken[i]!.seconds} -> ${end.seconds} s: too few samples`;
    const t = trend(within.map((s) => ({ minutes: s.seconds / 60, mb: s.mb })));
    return `${taken[i]!.seconds} -> ${end.seconds} s: ${signed(t.slopeMbPerMin, 4)} +- ${t.slopeErrorMbPerMin.toFixed(4)} MB/min`;
  });
  return [
    `Heap after a full GC every ${SAMPLE_SECONDS} s (MB, one a minute): ${perMinute.map((s) => s.mb.toFixed(3)).join(' ')}`,
    'Its slope between the snapshots (samples strictly between them):',
    ...slopes.map((line) => `  ${line}`),
  ].join('\n');
}

function signed(value: number, digits: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}

async function main(): Promise<void> {
  const files = process.argv.slice(2);
  if (files.length >= 2) {
    // The seconds of drive from the names this script gives its snapshots (gateway-1-240s.heapsnapshot), else a minute apart.
    const seconds = (file: string, index: number): number => Number(/-(\d+)s\.heapsnapshot$/.exec(file)?.[1] ?? index * 60);
    process.stdout.write(report({ taken: files.map((file, index) => ({ file, seconds: seconds(file, index) })), samples: [] }));
    return;
  }
  const dir = process.env.HEAP_DIFF_DIR ?? (await mkdtemp(path.join(tmpdir(), 'heapdiff-snapshots-')));
  try {
    process.stdout.write(report(await drive(dir)));
  } finally {
    if (!process.env.HEAP_DIFF_DIR) await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`heapDiff failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
