// The gateway bench's closing table and goal check. rps ratios are what the issues' goals are written in; on a shared
// 2-core machine they swing with the neighbours, so each row also gives the CPU time per request of the process
// under test, and that divided by the mock's CPU per request in the same run: contention inflates both alike, so the
// quotient stays put from run to run (koa-proxies measured 2.7 and 2.6 mock units in runs 3x apart in µs).

export interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  sequentialMs: number;
  /** CPU time (user + system) of the process under test per request of the measured run, µs. */
  cpuUsPerRequest?: number;
  /** The mock's CPU per request in the same run: it does the same work for every row, so it shows the noise. */
  mockCpuUsPerRequest?: number;
  /** rps of each interleaved round, in order: the spread of the goal ratio is printed from these. */
  roundRps?: number[];
  /** Resident memory of the process under test (with its workers) during the measured run: median sample and peak, MB. */
  rssMb?: number;
  peakRssMb?: number;
  /** CPU its process (with its workers) used per second while the other rows were measured: what it costs idle, ms. */
  idleCpuMsPerSec?: number;
}

/** What the processes not under test used while each row was measured (gateway-bench.ts): the noise every row shares. */
export interface Background {
  /** How many processes were running besides the one under test (mocks included). */
  processes: number;
  /** Their CPU together, ms per second of a measured slice: the median slice, and the busiest. */
  medianMsPerSec: number;
  maxMsPerSec: number;
}

export interface RunSettings {
  connections: number;
  durationSec: number;
  rounds: number;
  sequentialRequests: number;
  /** BENCH_PIN=1 (gateway-bench.ts). */
  pinned?: boolean;
  background?: Background;
}

/** The baseline row given the gateway's own node flags (nodeFlags.ts), so their share of the result is visible. */
export const BASELINE_WITH_GATEWAY_FLAGS = 'bare undici proxy + gateway node flags';

/** The suffix of a row run with gateway.workers: 2; the same name without it is the row in one process. */
export const WORKERS_SUFFIX = ', 2 workers';

/** Issue 20's row: everything users run in production at once (gateway-bench.ts, productionScenario). */
export const PRODUCTION_ROW = 'gateway, production (API key, limits, metrics, log, translated)';

/**
 * The production row built up from routing only, one feature a step, each row with every feature before it; the
 * last step is the production row. The CPU per request a step adds over the one before is that feature's cost.
 */
export const PRODUCTION_STEPS = [
  'production step: routing + API key',
  'production step: + request limit',
  'production step: + token limit',
  'production step: + /metrics scraped 1/s',
  'production step: + info access log to a file',
  PRODUCTION_ROW,
];

/**
 * The production row's floor (floorBench.ts): a hand-written proxy doing its work (with the gateway's node flags, as
 * the production row runs, and without them, as the baseline runs), the same proxy translating only, and the bare
 * proxy in front of the production row's (Anthropic) mock.
 */
export const FLOOR_ROWS = {
  floor: "floor: hand-written proxy doing the production row's work",
  unflagged: "floor, without the gateway's node flags",
  translationOnly: 'floor, translation only',
  bareAnthropic: 'bare proxy in front of the Anthropic mock',
};

interface Goal {
  scenario: RegExp;
  /** Least share of the baseline's rps. */
  ofBaseline: number;
  timesPortkey?: number;
  /** Most p99 latency as a multiple of the baseline's. */
  p99Times?: number;
  /** Most added time of a sequential request over the baseline's added time, ms. */
  sequentialOverBaseMs?: number;
}

/**
 * Goals from issues 2, 3 and 20: a share of the baseline's rps, for routing only a multiple of Portkey's and the
 * sequential added latency over the baseline's, for the production row its p99.
 */
const GOALS: Goal[] = [
  { scenario: /^gateway, routing only$/, ofBaseline: 0.9, timesPortkey: 5, sequentialOverBaseMs: 0.15 },
  { scenario: /^gateway, (JWT|API key)/, ofBaseline: 0.6 },
  { scenario: /^gateway, production \(/, ofBaseline: 0.75, p99Times: 1.25 },
];

/** Column-aligned rows under a header and a rule; the first column left-aligned, the figures right-aligned. */
export function formatTable(header: string[], lines: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)));
  const format = (cells: string[]): string =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...lines.map(format)].join('\n');
}

export function printSummary(rows: Row[], settings: RunSettings): void {
  const baseline = rows[0];
  const portkey = rows.find((row) => row.name.startsWith('portkey'));
  const header = [
    'scenario',
    'rps',
    'p50 ms',
    'p99 ms',
    'p99 vs base',
    'err',
    'rps vs base',
    'vs portkey',
    'CPU µs/req',
    'mock µs/req',
    'CPU/mock',
    'CPU base/this',
    'added ms seq',
    'RSS MB',
    'peak MB',
    'idle ms/s',
  ];
  const lines = rows.map((row) => [
    row.name,
    row.rps.toFixed(0),
    row.p50.toFixed(1),
    row.p99.toFixed(1),
    baseline ? `${(row.p99 / baseline.p99).toFixed(2)}x` : '',
    String(row.errors),
    baseline ? percent(row.rps / baseline.rps) : '',
    portkey ? `${(row.rps / portkey.rps).toFixed(1)}x` : '',
    micros(row.cpuUsPerRequest),
    micros(row.mockCpuUsPerRequest),
    relativeCpu(row)?.toFixed(2) ?? '-',
    baseline ? optionalPercent(cpuShare(baseline, row)) : '-',
    row.sequentialMs.toFixed(3),
    row.rssMb === undefined ? '-' : row.rssMb.toFixed(0),
    row.peakRssMb === undefined ? '-' : row.peakRssMb.toFixed(0),
    row.idleCpuMsPerSec === undefined ? '-' : row.idleCpuMsPerSec.toFixed(1),
  ]);
  const out = [`\n${formatTable(header, lines)}`, ''];
  if (settings.pinned)
    out.push('Pinned (BENCH_PIN=1): the process under test alone on CPU 1, autocannon and the mock on CPU 0; rps is bounded by CPU 0 too, read CPU.');
  out.push(
    `${settings.connections} connections, ${settings.durationSec} s each, in ${settings.rounds} interleaved rounds. CPU = user+system time of the process under test during the measured slices / requests.`,
    `CPU/mock = that over the mock's CPU per request in the same run: the mock does the same work for every row, so contention from other`,
    `processes (which inflates every CPU figure alike) cancels out. "CPU base/this" = baseline CPU/mock over this row's (100% = as cheap as the`,
    `bare proxy): the noise-resistant stand-in for "rps vs base". added ms = mean of ${settings.sequentialRequests} sequential requests minus the mock direct.`,
    `p99 = the median of the rounds' p99. RSS = resident memory of the process under test (with its workers), the median of samples every`,
    `250 ms of its measured slices ("under load"), and the peak sample. idle ms/s = CPU its process used per second while other rows ran.`,
  );
  const background = settings.background;
  if (background)
    out.push(
      `While a row was measured, the ${background.processes} other processes (idle rows, mocks) used ${background.medianMsPerSec.toFixed(0)} ms of CPU per second together (median slice; busiest ${background.maxMsPerSec.toFixed(0)}): ${(background.medianMsPerSec / 20).toFixed(1)}% of the 2 cores.`,
    );
  if (baseline) out.push('', ...goalLines(rows, baseline, portkey), ...tracingGoalLines(rows));
  out.push(...workerLines(rows), ...productionStepLines(rows));
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Each gateway.workers: 2 row against the same row in one process: rps, CPU per request (all processes), p99. */
function workerLines(rows: Row[]): string[] {
  const lines = rows.flatMap((row) => {
    if (!row.name.endsWith(WORKERS_SUFFIX)) return [];
    const single = rows.find((candidate) => candidate.name === row.name.slice(0, -WORKERS_SUFFIX.length));
    if (!single) return [];
    const cpu = row.cpuUsPerRequest && single.cpuUsPerRequest ? `; CPU per request ${micros(row.cpuUsPerRequest)} vs ${micros(single.cpuUsPerRequest)} µs` : '';
    return [
      `workers ${row.name}: rps ${(row.rps / single.rps).toFixed(2)}x one process${roundRatios(row, single)}${cpu}; p99 ${row.p99.toFixed(1)} vs ${single.p99.toFixed(1)} ms`,
    ];
  });
  if (lines.length === 0) return [];
  return [
    '',
    ...lines,
    'gateway.workers rows: CPU is the primary and its workers together. autocannon and the mock share the 2 cores with them, so a second',
    'worker mostly competes with the load generator here; on a machine with cores to spare for the gateway it adds throughput.',
  ];
}

/** What each feature of the production row adds: CPU per request of each step over the step before (routing only first). */
function productionStepLines(rows: Row[]): string[] {
  const steps = ['gateway, routing only', ...PRODUCTION_STEPS].map((name) => rows.find((row) => row.name === name));
  const lines: string[] = [];
  steps.forEach((step, index) => {
    const before = steps[index - 1];
    if (index === 0 || !step?.cpuUsPerRequest || !before?.cpuUsPerRequest) return;
    const added = step.cpuUsPerRequest - before.cpuUsPerRequest;
    const mock =
      step.mockCpuUsPerRequest && before.mockCpuUsPerRequest ? `; mock ${micros(before.mockCpuUsPerRequest)} -> ${micros(step.mockCpuUsPerRequest)}` : '';
    lines.push(
      `  ${step.name.replace(/^production step: /, '')}: ${added >= 0 ? '+' : ''}${added.toFixed(1)} µs (${micros(before.cpuUsPerRequest)} -> ${micros(step.cpuUsPerRequest)}); rps ${percent(step.rps / before.rps)} of the step before${roundRatios(step, before)}${mock}`,
    );
  });
  const floor = floorLines(rows);
  if (lines.length === 0) return floor.length === 0 ? [] : ['', ...floor];
  return ['', 'production row, feature by feature (gateway CPU µs per request added by each step over the one before):', ...lines, ...floor];
}

/**
 * The floor against the baseline (what any proxy doing the production row's work reaches here) and the production row
 * against the floor (what the gateway adds over that work).
 */
function floorLines(rows: Row[]): string[] {
  const baseline = rows[0];
  const floor = rows.find((row) => row.name === FLOOR_ROWS.floor);
  if (!baseline || !floor) return [];
  const cpu = (row: Row): string => (row.cpuUsPerRequest === undefined ? '' : `, CPU ${micros(row.cpuUsPerRequest)} µs/req`);
  const lines = [
    `floor (${floor.name}): rps ${percent(floor.rps / baseline.rps)} of baseline${roundShares(floor, baseline)}${cpu(floor)} (baseline ${micros(baseline.cpuUsPerRequest)}); p99 ${(floor.p99 / baseline.p99).toFixed(2)}x baseline's`,
  ];
  for (const name of [FLOOR_ROWS.unflagged, FLOOR_ROWS.translationOnly, FLOOR_ROWS.bareAnthropic]) {
    const row = rows.find((candidate) => candidate.name === name);
    if (row) lines.push(`  ${name}: rps ${percent(row.rps / baseline.rps)} of baseline${cpu(row)}; p99 ${(row.p99 / baseline.p99).toFixed(2)}x`);
  }
  const production = rows.find((row) => row.name === PRODUCTION_ROW);
  if (production) {
    const over = production.cpuUsPerRequest && floor.cpuUsPerRequest ? production.cpuUsPerRequest - floor.cpuUsPerRequest : undefined;
    const added = over === undefined ? '' : `; CPU ${over >= 0 ? '+' : ''}${over.toFixed(1)} µs/req over the floor`;
    lines.push(
      `production over the floor: rps ${percent(production.rps / floor.rps)}${roundRatios(production, floor)}${added}; p99 ${(production.p99 / floor.p99).toFixed(2)}x the floor's`,
    );
  }
  return lines;
}

function roundRatios(row: Row, single: Row): string {
  if (!row.roundRps || !single.roundRps || row.roundRps.length < 2) return '';
  return ` (rounds ${row.roundRps.map((rps, round) => (rps / (single.roundRps?.[round] ?? Number.NaN)).toFixed(2)).join(', ')})`;
}

function goalLines(rows: Row[], baseline: Row, portkey: Row | undefined): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    if (row.name.endsWith(WORKERS_SUFFIX)) continue; // compared with its one-process row below, not with the goals
    const goal = GOALS.find((candidate) => candidate.scenario.test(row.name));
    if (!goal) continue;
    const share = row.rps / baseline.rps;
    const checks = [
      `rps ${percent(share)} of baseline (goal >= ${percent(goal.ofBaseline)}) ${share >= goal.ofBaseline ? 'PASS' : 'FAIL'}${roundShares(row, baseline)}`,
    ];
    const cpu = cpuShare(baseline, row);
    if (cpu !== undefined) checks.push(`CPU-equivalent ${percent(cpu)} ${cpu >= goal.ofBaseline ? 'PASS' : 'FAIL'}`);
    // Plain µs over µs, without the mock's correction (which favours the slower row a little: the mock is cheaper
    // per request at higher rps); a saturated single-threaded proxy's rps is about 1 / its CPU per request.
    if (baseline.cpuUsPerRequest && row.cpuUsPerRequest) checks.push(`raw CPU share ${percent(baseline.cpuUsPerRequest / row.cpuUsPerRequest)}`);
    const flagged = rows.find((candidate) => candidate.name === BASELINE_WITH_GATEWAY_FLAGS);
    if (flagged) checks.push(`rps ${percent(row.rps / flagged.rps)} of "${flagged.name}"`);
    if (goal.timesPortkey !== undefined && portkey) {
      const times = row.rps / portkey.rps;
      checks.push(`${times.toFixed(1)}x Portkey (goal >= ${goal.timesPortkey}x) ${times >= goal.timesPortkey ? 'PASS' : 'FAIL'}`);
    }
    if (goal.p99Times !== undefined) {
      const times = row.p99 / baseline.p99;
      checks.push(`p99 ${times.toFixed(2)}x baseline's (goal <= ${goal.p99Times}x) ${times <= goal.p99Times ? 'PASS' : 'FAIL'}`);
    }
    if (goal.sequentialOverBaseMs !== undefined) {
      const over = row.sequentialMs - baseline.sequentialMs;
      checks.push(
        `sequential request +${over.toFixed(3)} ms over baseline's (goal <= ${goal.sequentialOverBaseMs} ms) ${over <= goal.sequentialOverBaseMs ? 'PASS' : 'FAIL'}`,
      );
    }
    if (row.rssMb !== undefined && baseline.rssMb !== undefined) checks.push(`RSS under load ${(row.rssMb / baseline.rssMb).toFixed(2)}x baseline's`);
    lines.push(`goal ${row.name}: ${checks.join('; ')}`);
  }
  return lines;
}

/** The routing-only row with OpenTelemetry tracing on (issue 19), per OTLP encoding: at least 85% of routing only's rps in the same run. */
export function tracedRowName(ratio: number, protocol: 'protobuf' | 'JSON'): string {
  return `gateway, routing only + tracing (sample ratio ${ratio === 1 ? '1.0' : ratio}, OTLP ${protocol})`;
}
const TRACING_GOAL = 0.85;

function tracingGoalLines(rows: Row[]): string[] {
  const routing = rows.find((row) => row.name === 'gateway, routing only');
  if (!routing) return [];
  const lines: string[] = [];
  for (const traced of rows.filter((row) => row.name === tracedRowName(1, 'protobuf') || row.name === tracedRowName(1, 'JSON'))) {
    const share = traced.rps / routing.rps;
    const cpu = cpuShare(routing, traced);
    const checks = [
      `rps ${percent(share)} of routing only (goal >= ${percent(TRACING_GOAL)}) ${share >= TRACING_GOAL ? 'PASS' : 'FAIL'}${roundShares(traced, routing)}`,
      ...(cpu !== undefined ? [`CPU-equivalent ${percent(cpu)} ${cpu >= TRACING_GOAL ? 'PASS' : 'FAIL'}`] : []),
    ];
    lines.push(`goal ${traced.name}: ${checks.join('; ')}`);
  }
  return lines;
}

/** The share in each round, e.g. " (rounds 78%, 81%, 74%)": how much of the result is the machine's noise. */
function roundShares(row: Row, baseline: Row): string {
  if (!row.roundRps || !baseline.roundRps || row.roundRps.length < 2) return '';
  return ` (rounds ${row.roundRps.map((rps, round) => percent(rps / (baseline.roundRps?.[round] ?? Number.NaN))).join(', ')})`;
}

/** CPU per request in units of the mock's CPU per request of the same run; falls back to µs when the mock's is unknown. */
function relativeCpu(row: Row): number | undefined {
  if (row.cpuUsPerRequest === undefined) return undefined;
  return row.mockCpuUsPerRequest ? row.cpuUsPerRequest / row.mockCpuUsPerRequest : undefined;
}

function cpuShare(baseline: Row, row: Row): number | undefined {
  const base = relativeCpu(baseline);
  const own = relativeCpu(row);
  if (base !== undefined && own !== undefined) return base / own;
  return baseline.cpuUsPerRequest && row.cpuUsPerRequest ? baseline.cpuUsPerRequest / row.cpuUsPerRequest : undefined;
}

function optionalPercent(ratio: number | undefined): string {
  return ratio === undefined ? '-' : percent(ratio);
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(0)}%`;
}

function micros(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(0);
}
