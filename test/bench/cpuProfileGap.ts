// Two V8 .cpuprofiles side by side (BENCH_CPU_PROF=dir with the gateway bench: e.g. the production row's gateway and
// the floor proxy of the same run), as µs of main-thread self time a request, grouped by where the code lives (Koa,
// pino, the limits, the translation, node's http...), largest difference first, as a Markdown table. Idle time and
// everything before each process's first request (start-up) are left out. The bench does not count requests per
// process: give each profile's count (about rps x (warm-up + measured seconds) + the sequential requests).
// Usage: node --require tsx/cjs test/bench/cpuProfileGap.ts A.cpuprofile REQUESTS_A B.cpuprofile REQUESTS_B
import { readFileSync } from 'node:fs';
import type { CpuProfile, ProfileNode } from './cpuProfileTop';

/** First match wins: a frame's URL (or, for a native frame, its name) against each group's pattern. */
const GROUPS: [RegExp, string][] = [
  [/^(writev|writeBuffer|writeString|writeUtf8String|writeLatin1String)$/, 'syscalls: socket and file writes'],
  [/^garbage collector$/, 'GC (main thread)'],
  [/test\/bench\/floorProxy/, "the floor's own code"],
  [/node_modules\/ajv\/|node:internal\/modules\/|node:internal\/bootstrap/, 'module loading, config compile'],
  [/node_modules\/(koa|koa-compose|delegates|on-finished|statuses|http-errors|depd|only|vary|parseurl|type-is|accepts|fresh)\//, 'Koa'],
  [/node_modules\/(pino|sonic-boom|fast-redact|quick-format-unescaped|safe-stable-stringify)\/|observability\/(accessLog|lineWriter)/, 'access log'],
  [/node_modules\/prom-client\/|observability\/|cost\//, 'metrics, stats, cost booking'],
  [
    /node_modules\/rate-limiter-flexible\/|security\/(rateCounters|rateLimitPolicy)|middleware\/rateLimit|upstream\/(completionCounter|tokenCount)|limits\//,
    'request and token limits',
  ],
  [/providers\/|upstream\/(providerAnswer|providerCall|providerTarget)|gateway\/bodyJson|middleware\/providerRequest/, 'translation'],
  [/security\/|middleware\/authenticate|node:internal\/crypto/, 'API key'],
  [/runtime\/src\/gateway\/middleware\//, 'other gateway stages'],
  [/runtime\/src\/gateway\/upstream\//, 'upstream attempt loop'],
  [/runtime\/src\//, 'other gateway code'],
  [/node_modules\/undici\/|^wasm:/, 'undici'],
  [/^node:(_http|internal\/http|http)|^RegExp: (\^\[\\\^_`|\[\^\\t)/, 'node http'],
  [/^node:(net|stream|internal\/stream_base|internal\/streams)/, 'node net and streams'],
  [/^node:(internal\/process\/task_queues|internal\/async_hooks|async_hooks)|^(runMicrotasks|enqueueMicrotask)$/, 'promises, microtasks, ticks'],
  [/^node:(events|timers|internal\/timers|internal\/event_target)/, 'EventEmitter, timers'],
  [/^node:(buffer|internal\/buffer)|^(utf8Slice|latin1Slice)$/, 'Buffer'],
];

function groupOf(frame: ProfileNode['callFrame']): string {
  const key = frame.url || frame.functionName.replace(/^\((.*)\)$/, '$1');
  return GROUPS.find(([pattern]) => pattern.test(key))?.[1] ?? 'other (native, node internals, (program))';
}

/** A request-handling frame: the first one ends start-up. */
const FIRST_REQUEST = /^(parserOnHeadersComplete|parserOnIncoming)$/;

/** µs of self time a request by group, from the first request on, idle left out. */
export function timePerRequest(profile: CpuProfile, requests: number): Map<string, number> {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byGroup = new Map<string, number>();
  let serving = false;
  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id);
    if (!frame) return;
    serving ||= FIRST_REQUEST.test(frame.functionName);
    if (!serving || frame.functionName === '(idle)') return;
    const group = groupOf(frame);
    byGroup.set(group, (byGroup.get(group) ?? 0) + (profile.timeDeltas[index] ?? 0) / requests);
  });
  return byGroup;
}

export function gapTable(a: Map<string, number>, b: Map<string, number>): string[] {
  const total = (map: Map<string, number>): number => [...map.values()].reduce((sum, us) => sum + us, 0);
  const rows = [...new Set([...a.keys(), ...b.keys()])].map((group) => ({ group, a: a.get(group) ?? 0, b: b.get(group) ?? 0 }));
  rows.sort((x, y) => y.a - y.b - (x.a - x.b));
  const signed = (us: number): string => `${us >= 0 ? '+' : ''}${us.toFixed(1)}`;
  return [
    '| where (self time) | A µs/req | B µs/req | A - B |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row.group} | ${row.a.toFixed(1)} | ${row.b.toFixed(1)} | ${signed(row.a - row.b)} |`),
    `| total (main thread, busy) | ${total(a).toFixed(1)} | ${total(b).toFixed(1)} | ${signed(total(a) - total(b))} |`,
  ];
}

if (require.main === module) {
  const [fileA, requestsA, fileB, requestsB] = process.argv.slice(2);
  if (!fileA || !fileB || !(Number(requestsA) > 0) || !(Number(requestsB) > 0)) {
    process.stderr.write('usage: cpuProfileGap A.cpuprofile REQUESTS_A B.cpuprofile REQUESTS_B\n');
    process.exitCode = 2;
  } else {
    const read = (file: string): CpuProfile => JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const table = gapTable(timePerRequest(read(fileA), Number(requestsA)), timePerRequest(read(fileB), Number(requestsB)));
    process.stdout.write(`${table.join('\n')}\n`);
  }
}
