// `gateway.store.onStoreFailure`: what a rate limit does while its shared store cannot answer.
//   fail-open   admit (the limit is not enforced during the outage)
//   fail-closed refuse with 503 (RateLimitStoreUnavailable), nothing passes unlimited
//   local       count in this process against limit / replicas. In the window the outage begins, a key's local count
//               starts from this replica's share of what Redis last said it had counted, so what was admitted before
//               the outage is not admitted again (docs/deployment.md says exactly what this guarantees).
import { LRUCache } from 'lru-cache';
import type { StoreFailurePolicy } from '../../../common/src/config';
import type { RateCount, RateCounter } from '../security/rateCounters';
import type { StoreHealth } from './storeHealth';

/** Thrown by a fail-closed counter while the store is down; the rate-limit middleware answers 503. */
export class RateLimitStoreUnavailable extends Error {
  readonly retryAfterMs = 1_000;
  constructor() {
    super('the shared rate-limit store is unavailable and onStoreFailure is fail-closed');
  }
}

/** Keys whose last shared count a `local` counter remembers, at most (the least recently used are forgotten). */
const MAX_REMEMBERED_KEYS = 100_000;

interface SharedCount {
  consumed: number;
  windowEndsAt: number;
}

export function withFailurePolicy(shared: RateCounter, policy: StoreFailurePolicy, local: () => RateCounter, health: StoreHealth, replicas = 1): RateCounter {
  const { limit, windowMs } = shared;
  const lastShared = policy === 'local' ? new LRUCache<string, SharedCount>({ max: MAX_REMEMBERED_KEYS }) : undefined;
  const onLocal = async (key: string, operation: (counter: RateCounter) => Promise<RateCount>): Promise<RateCount> => {
    const counter = local();
    const seen = lastShared?.get(key);
    let carried: Promise<RateCount> | undefined;
    if (seen) {
      lastShared?.delete(key); // once per key and outage: later operations count on from there
      const share = Math.ceil(seen.consumed / Math.max(1, replicas));
      // Started before the operation, not awaited first: the in-memory counter applies calls in the order they are made.
      if (seen.windowEndsAt > Date.now() && share > 0) carried = counter.adjust(key, share);
    }
    const result = operation(counter);
    await carried;
    return result;
  };
  const decide = async (err: unknown, key: string, operation: (counter: RateCounter) => Promise<RateCount>): Promise<RateCount> => {
    health.failed(err);
    switch (policy) {
      case 'fail-open':
        return { admitted: true, consumed: 0, remaining: limit, resetMs: windowMs };
      case 'fail-closed':
        throw new RateLimitStoreUnavailable();
      case 'local':
        return onLocal(key, operation);
    }
  };
  const run = async (key: string, operation: (counter: RateCounter) => Promise<RateCount>): Promise<RateCount> => {
    if (!health.shouldTry()) return decide(new Error('store marked unavailable'), key, operation);
    let count: RateCount;
    try {
      count = await operation(shared);
    } catch (err) {
      return decide(err, key, operation);
    }
    health.succeeded();
    lastShared?.set(key, { consumed: count.consumed, windowEndsAt: Date.now() + count.resetMs });
    return count;
  };
  return {
    limit,
    windowMs,
    consume: (key, points) => run(key, (counter) => counter.consume(key, points)),
    adjust: (key, points) => run(key, (counter) => counter.adjust(key, points)),
  };
}

/**
 * A per-process counter of `limit / replicas` presented on the scale of the full limit: `consumed` is shifted
 * so that `limit - consumed` is what is left locally, which is what the RateLimit headers and the token check read.
 */
export function scaledLocalCounter(local: RateCounter, fullLimit: number): RateCounter {
  const shift = fullLimit - local.limit;
  const scale = (count: RateCount): RateCount => ({ ...count, consumed: count.consumed + shift });
  return {
    limit: fullLimit,
    windowMs: local.windowMs,
    consume: async (key, points) => scale(await local.consume(key, points)),
    adjust: async (key, points) => scale(await local.adjust(key, points)),
  };
}

/** The share of a limit one replica may admit alone: never more than limit / replicas, never less than 1. */
export function localShare(limit: number, replicas: number): number {
  return Math.max(1, Math.floor(limit / Math.max(1, replicas)));
}
