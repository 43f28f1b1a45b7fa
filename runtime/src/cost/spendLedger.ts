// What was spent, by consumer, route and model, per UTC day and month: the admin API's `GET /spend`. Each costed
// request adds to six counters (three views, two periods). In this process they are Maps; with Redis (spendRedis.ts)
// each replica adds up its requests for a second and sends them in one pipeline, so every replica's spend is counted
// once and the report is the sum of all of them.
import type { Admin } from '../../../common/src/protocol';
import type { BudgetPeriod } from '../../../common/src/config';
import { NANO_USD_PER_USD, nanoToUsd } from './priceTable';
import { periodAt, type Period } from './periods';

export type SpendBy = Admin.SpendBy;
export const SPEND_VIEWS: readonly SpendBy[] = ['consumer', 'route', 'model'];
/** The consumer a request without one is booked to. */
export const ANONYMOUS = '(anonymous)';
/** Keys one view of one period holds at most in memory; later ones are booked together under this. */
export const OTHER = '(other)';
const MAX_KEYS = 10_000;
/** How long reports of past periods stay available. */
export const KEEP_DAYS = 62;
export const KEEP_MONTHS = 13;

export interface SpendRecord {
  route: string;
  consumer: string | undefined;
  provider: string;
  model: string;
  nanoUsd: number;
}

export interface SpendCounts {
  nanoUsd: number;
  requests: number;
}

export interface SpendLedger {
  readonly kind: 'memory' | 'redis';
  /** Books one request's cost (at once in memory; batched to Redis). */
  record(entry: SpendRecord, at?: number): void;
  report(by: SpendBy, period: Period): Promise<Admin.SpendReport>;
  close(): Promise<void>;
}

/** The view key a record is booked under. */
export function viewKey(by: SpendBy, entry: SpendRecord): string {
  if (by === 'consumer') return entry.consumer ?? ANONYMOUS;
  return by === 'route' ? entry.route : `${entry.provider}/${entry.model}`;
}

/** Where one view of one period is kept: "2026-07:consumer". */
export function bucketOf(period: string, by: SpendBy): string {
  return `${period}:${by}`;
}

export function bookedPeriods(at: number): Period[] {
  return (['day', 'month'] as BudgetPeriod[]).map((kind) => periodAt(kind, at));
}

export function reportOf(by: SpendBy, period: Period, counts: Map<string, SpendCounts>): Admin.SpendReport {
  let nano = 0;
  let requests = 0;
  const entries = [...counts.entries()]
    .map(([key, count]) => {
      nano += count.nanoUsd;
      requests += count.requests;
      return { key, usd: nanoToUsd(count.nanoUsd), requests: count.requests };
    })
    .sort((a, b) => b.usd - a.usd || a.key.localeCompare(b.key));
  return { by, period: period.id, periodKind: period.kind, totalUsd: nanoToUsd(nano), requests, entries };
}

/** One report from several (the workers' of gateway.workers, each of its own requests): entries of a key add up. */
export function mergeSpendReports(by: SpendBy, period: Period, reports: readonly Admin.SpendReport[]): Admin.SpendReport {
  const counts = new Map<string, SpendCounts>();
  for (const report of reports) {
    for (const entry of report.entries) {
      const count = counts.get(entry.key) ?? { nanoUsd: 0, requests: 0 };
      count.nanoUsd += Math.round(entry.usd * NANO_USD_PER_USD);
      count.requests += entry.requests;
      counts.set(entry.key, count);
    }
  }
  return reportOf(by, period, counts);
}

export function createMemorySpendLedger(): SpendLedger {
  const buckets = new Map<string, Map<string, SpendCounts>>();
  /** The buckets of a period by view (in SPEND_VIEWS order), found by name once per period rather than per request. */
  const viewsOf = new WeakMap<Period, { name: string; bucket: Map<string, SpendCounts> }[]>();
  const bucketsOf = (period: Period, at: number): { name: string; bucket: Map<string, SpendCounts> }[] => {
    const known = viewsOf.get(period);
    // A bucket dropped as too old since (a request booked at a much later time) is made anew.
    if (known?.every((view) => buckets.get(view.name) === view.bucket)) return known;
    const views = SPEND_VIEWS.map((by) => {
      const name = bucketOf(period.id, by);
      let bucket = buckets.get(name);
      if (!bucket) {
        buckets.set(name, (bucket = new Map<string, SpendCounts>()));
        forgetOld(buckets, at);
      }
      return { name, bucket };
    });
    viewsOf.set(period, views);
    return views;
  };
  const book = (period: Period, keys: readonly string[], entry: SpendRecord, at: number): void => {
    const views = bucketsOf(period, at);
    for (let view = 0; view < views.length; view++) {
      const bucket = views[view]!.bucket;
      let key = keys[view]!;
      if (!bucket.has(key) && bucket.size >= MAX_KEYS) key = OTHER;
      const counts = bucket.get(key);
      if (counts) {
        counts.nanoUsd += entry.nanoUsd;
        counts.requests += 1;
      } else bucket.set(key, { nanoUsd: entry.nanoUsd, requests: 1 });
    }
  };
  return {
    kind: 'memory',
    record(entry, at = Date.now()) {
      const keys = SPEND_VIEWS.map((by) => viewKey(by, entry));
      book(periodAt('day', at), keys, entry, at);
      book(periodAt('month', at), keys, entry, at);
    },
    report: (by, period) => Promise.resolve(reportOf(by, period, buckets.get(bucketOf(period.id, by)) ?? new Map<string, SpendCounts>())),
    close: () => Promise.resolve(),
  };
}

/** Drops the buckets of days and months older than what reports keep. */
function forgetOld(buckets: Map<string, unknown>, now: number): void {
  const oldestDay = periodAt('day', now - KEEP_DAYS * 86_400_000).id;
  const oldestMonth = periodAt('month', now - KEEP_MONTHS * 31 * 86_400_000).id;
  for (const name of buckets.keys()) {
    const period = name.slice(0, name.indexOf(':'));
    if (period < (period.length > 7 ? oldestDay : oldestMonth)) buckets.delete(name);
  }
}
