// The spend ledger in Redis, shared by replicas: each replica adds up what it books for a second and sends the sums in
// one pipeline of HINCRBYs (a hash per view and period: nano-dollars, and a second one of request counts). A report
// first sends this replica's unsent sums, then reads the hashes: what every replica booked up to its last second.
// While Redis does not answer the sums wait (up to a bound, then they are dropped and counted as failures).
import type { Redis } from 'ioredis';
import type { StoreOutage } from '../stores/storeOutage';
import { periodAt } from './periods';
import { bookedPeriods, bucketOf, KEEP_DAYS, KEEP_MONTHS, reportOf, SPEND_VIEWS, viewKey, type SpendCounts, type SpendLedger } from './spendLedger';

/** How often a replica sends what it booked: a report may miss another replica's last this-many milliseconds. */
export const SPEND_FLUSH_MS = 1_000;
/** Unsent (bucket, key) sums a replica holds during an outage at most. */
const MAX_PENDING = 50_000;

export function createRedisSpendLedger(client: Redis, keyPrefix: string, outage: StoreOutage): SpendLedger {
  let pending = new Map<string, Map<string, SpendCounts>>();
  let pendingCount = 0;
  let flushing: Promise<void> | undefined;
  const hash = (bucket: string): string => `${keyPrefix}spend:${bucket}`;

  const flush = async (): Promise<void> => {
    if (pendingCount === 0) return;
    const batch = pending;
    pending = new Map<string, Map<string, SpendCounts>>();
    pendingCount = 0;
    try {
      await outage.run(async () => {
        const pipeline = client.pipeline();
        for (const [bucket, keys] of batch) {
          const ttlSec = (isDayBucket(bucket) ? KEEP_DAYS : KEEP_MONTHS * 31) * 86_400;
          for (const [key, counts] of keys) {
            pipeline.hincrby(hash(bucket), key, counts.nanoUsd);
            pipeline.hincrby(`${hash(bucket)}:requests`, key, counts.requests);
          }
          pipeline.expire(hash(bucket), ttlSec);
          pipeline.expire(`${hash(bucket)}:requests`, ttlSec);
        }
        const results = await pipeline.exec();
        const failed = results?.find(([err]) => err);
        if (failed?.[0]) throw failed[0];
      });
    } catch {
      for (const [bucket, keys] of batch) for (const [key, counts] of keys) add(bucket, key, counts.nanoUsd, counts.requests);
    }
  };
  const add = (bucket: string, key: string, nanoUsd: number, requests: number): void => {
    let keys = pending.get(bucket);
    if (!keys) pending.set(bucket, (keys = new Map<string, SpendCounts>()));
    const counts = keys.get(key);
    if (counts) {
      counts.nanoUsd += nanoUsd;
      counts.requests += requests;
    } else if (pendingCount < MAX_PENDING) {
      keys.set(key, { nanoUsd, requests });
      pendingCount += 1;
    }
  };
  const flushSoon = (): Promise<void> => (flushing ??= flush().finally(() => (flushing = undefined)));
  const timer = setInterval(() => void flushSoon(), SPEND_FLUSH_MS);
  timer.unref();

  return {
    kind: 'redis',
    record(entry, at = Date.now()) {
      for (const period of bookedPeriods(at)) for (const by of SPEND_VIEWS) add(bucketOf(period.id, by), viewKey(by, entry), entry.nanoUsd, 1);
    },
    async report(by, period) {
      await flushSoon().catch(() => undefined);
      const bucket = bucketOf(period.id, by);
      const [spent, requests] = await outage.run(() => Promise.all([client.hgetall(hash(bucket)), client.hgetall(`${hash(bucket)}:requests`)]));
      const counts = new Map<string, SpendCounts>();
      for (const [key, nano] of Object.entries(spent)) counts.set(key, { nanoUsd: Number(nano), requests: Number(requests[key] ?? 0) });
      return reportOf(by, period, counts);
    },
    async close() {
      clearInterval(timer);
      await flushSoon().catch(() => undefined);
    },
  };
}

/** A bucket of a day ("2026-07-14:...") is kept KEEP_DAYS, one of a month KEEP_MONTHS. */
function isDayBucket(bucket: string): boolean {
  return bucket.indexOf(':') === periodAt('day', 0).id.length;
}
