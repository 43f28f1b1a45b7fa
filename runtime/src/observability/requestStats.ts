// A rolling-window summary per route (count, rate, latency percentiles, error ratio, tokens) for the admin API's
// `GET /api/v1/metrics`, the editor's metrics panel and CodeLens. One slot per second in a ring; latencies go
// into log-spaced bins, so recording is O(1) and a percentile is exact to within one bin (about 15%).
import type { Admin, Workers } from '../../../common/src/protocol';

const BIN_GROWTH = 1.15;
const FIRST_BIN_MS = 0.25;
const BIN_COUNT = 96; // the last bin's upper bound is about 170 s; anything slower lands in it

const BIN_UPPER_MS = Array.from({ length: BIN_COUNT }, (_, i) => FIRST_BIN_MS * BIN_GROWTH ** i);
const LOG_GROWTH = Math.log(BIN_GROWTH);

function binOf(ms: number): number {
  if (ms <= FIRST_BIN_MS) return 0;
  return Math.min(BIN_COUNT - 1, Math.ceil(Math.log(ms / FIRST_BIN_MS) / LOG_GROWTH));
}

class Slot {
  second = -1;
  count = 0;
  errors = 0; // answers with status >= 500
  maxMs = 0;
  promptTokens = 0;
  completionTokens = 0;
  costNanoUsd = 0;
  cacheHits = 0;
  cacheMisses = 0;
  readonly latencyBins = new Uint32Array(BIN_COUNT);

  resetTo(second: number): void {
    this.second = second;
    this.count = 0;
    this.errors = 0;
    this.maxMs = 0;
    this.promptTokens = 0;
    this.completionTokens = 0;
    this.costNanoUsd = 0;
    this.cacheHits = 0;
    this.cacheMisses = 0;
    this.latencyBins.fill(0);
  }
}

class RouteWindow {
  readonly slots: Slot[];

  constructor(windowSec: number) {
    this.slots = Array.from({ length: windowSec }, () => new Slot());
  }

  slotAt(second: number): Slot {
    const slot = this.slots[second % this.slots.length]!;
    if (slot.second !== second) slot.resetTo(second);
    return slot;
  }
}

export interface RequestStatsOptions {
  windowSec?: number;
  now?: () => number; // ms clock, injectable so tests can move time
}

export class RequestStats {
  readonly windowSec: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly routes = new Map<string, RouteWindow>();

  constructor(options: RequestStatsOptions = {}) {
    this.windowSec = options.windowSec ?? 60;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  recordRequest(route: string, status: number, durationMs: number): void {
    const slot = this.slot(route);
    slot.count += 1;
    if (status >= 500) slot.errors += 1;
    slot.latencyBins[binOf(durationMs)]! += 1;
    if (durationMs > slot.maxMs) slot.maxMs = durationMs;
  }

  recordTokens(route: string, promptTokens: number, completionTokens: number): void {
    const slot = this.slot(route);
    slot.promptTokens += promptTokens;
    slot.completionTokens += completionTokens;
  }

  recordCost(route: string, nanoUsd: number): void {
    this.slot(route).costNanoUsd += nanoUsd;
  }

  recordCache(route: string, result: 'hit' | 'miss' | 'bypass'): void {
    const slot = this.slot(route);
    if (result === 'hit') slot.cacheHits += 1;
    else if (result === 'miss') slot.cacheMisses += 1;
  }

  /** The window's figures for each route seen or listed in `routes` (configured ones show even when idle). */
  summary(routes: readonly string[] = []): Admin.MetricsSummary {
    return summarizeWindows([this.window(routes)]);
  }

  /** The same figures before percentiles are read from them: the form that adds up across worker processes. */
  window(routes: readonly string[] = []): Workers.StatsWindow {
    const nowMs = this.now();
    const second = Math.floor(nowMs / 1000);
    const spanSeconds = Math.max(1, Math.min(this.windowSec, (nowMs - this.startedAt) / 1000));
    const names = new Set([...routes, ...this.routes.keys()]);
    return { windowSeconds: this.windowSec, spanSeconds, routes: [...names].map((name) => routeWindow(name, this.liveSlots(name, second))) };
  }

  private slot(route: string): Slot {
    let window = this.routes.get(route);
    if (!window) {
      window = new RouteWindow(this.windowSec);
      this.routes.set(route, window);
    }
    return window.slotAt(Math.floor(this.now() / 1000));
  }

  private liveSlots(route: string, second: number): Slot[] {
    const window = this.routes.get(route);
    if (!window) return [];
    return window.slots.filter((slot) => slot.second > second - this.windowSec && slot.second <= second);
  }
}

function routeWindow(route: string, slots: Slot[]): Workers.RouteWindow {
  const bins = new Array<number>(BIN_COUNT).fill(0);
  const figures: Workers.RouteWindow = {
    route,
    count: 0,
    errors: 0,
    maxMs: 0,
    promptTokens: 0,
    completionTokens: 0,
    latencyBins: bins,
    costNanoUsd: 0,
    cacheHits: 0,
    cacheMisses: 0,
  };
  for (const slot of slots) {
    figures.count += slot.count;
    figures.errors += slot.errors;
    figures.maxMs = Math.max(figures.maxMs, slot.maxMs);
    figures.promptTokens += slot.promptTokens;
    figures.completionTokens += slot.completionTokens;
    figures.costNanoUsd += slot.costNanoUsd;
    figures.cacheHits += slot.cacheHits;
    figures.cacheMisses += slot.cacheMisses;
    for (let i = 0; i < BIN_COUNT; i++) bins[i]! += slot.latencyBins[i]!;
  }
  return figures;
}

/** One summary from the windows of one or more processes: counts and bins add up, percentiles are read after. */
export function summarizeWindows(windows: readonly Workers.StatsWindow[]): Admin.MetricsSummary {
  const merged = new Map<string, Workers.RouteWindow>();
  for (const window of windows) {
    for (const figures of window.routes) {
      const into = merged.get(figures.route);
      if (!into) {
        merged.set(figures.route, { ...figures, latencyBins: [...figures.latencyBins] });
        continue;
      }
      into.targets = mergeTargets(into.targets, figures.targets);
      into.count += figures.count;
      into.errors += figures.errors;
      into.maxMs = Math.max(into.maxMs, figures.maxMs);
      into.promptTokens += figures.promptTokens;
      into.completionTokens += figures.completionTokens;
      into.costNanoUsd += figures.costNanoUsd;
      into.cacheHits += figures.cacheHits;
      into.cacheMisses += figures.cacheMisses;
      figures.latencyBins.forEach((count, bin) => (into.latencyBins[bin] = (into.latencyBins[bin] ?? 0) + count));
    }
  }
  const spanSec = Math.max(1, ...windows.map((window) => window.spanSeconds));
  return { windowSeconds: windows[0]?.windowSeconds ?? 0, routes: [...merged.values()].map((figures) => routeSummary(figures, spanSec)) };
}

/** A target is healthy when every process sends it traffic (each has its own breaker and health checks). */
function mergeTargets(a: Workers.RouteWindow['targets'], b: Workers.RouteWindow['targets']): Workers.RouteWindow['targets'] {
  if (!a || !b) return a ?? b;
  return a.map((target) => ({ url: target.url, healthy: target.healthy && b.find((other) => other.url === target.url)?.healthy !== false }));
}

function routeSummary(figures: Workers.RouteWindow, spanSec: number): Admin.RouteMetricsSummary {
  const { route, count, errors, maxMs, promptTokens, completionTokens, latencyBins, targets, costNanoUsd, cacheHits, cacheMisses } = figures;
  return {
    route,
    count,
    rate: round(count / spanSec),
    p50: percentile(latencyBins, count, 0.5, maxMs),
    p95: percentile(latencyBins, count, 0.95, maxMs),
    p99: percentile(latencyBins, count, 0.99, maxMs),
    errors,
    errorRatio: count === 0 ? 0 : round(errors / count, 4),
    tokens: { prompt: promptTokens, completion: completionTokens, total: promptTokens + completionTokens },
    ...(targets ? { targets } : {}),
    costUsd: costNanoUsd / 1e9,
    cache: { hits: cacheHits, misses: cacheMisses },
  };
}

/** The upper bound of the bin holding the q-th sample, never above the largest sample seen. */
function percentile(bins: readonly number[], count: number, q: number, maxMs: number): number {
  if (count === 0) return 0;
  const rank = Math.ceil(q * count);
  let seen = 0;
  for (let i = 0; i < BIN_COUNT; i++) {
    seen += bins[i]!;
    if (seen >= rank) return round(Math.min(BIN_UPPER_MS[i]!, maxMs));
  }
  return round(maxMs);
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
