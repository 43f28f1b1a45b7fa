// `gateway.store.onStoreFailure`: what a rate limit does while its shared store cannot answer.
//   fail-open   admit (the limit is not enforced during the outage)
//   fail-closed refuse with 503 (RateLimitStoreUnavailable), nothing passes unlimited
//   local       count in this process against limit / replicas, so the replicas together stay within the limit
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

export function withFailurePolicy(shared: RateCounter, policy: StoreFailurePolicy, local: () => RateCounter, health: StoreHealth): RateCounter {
  const { limit, windowMs } = shared;
  const decide = async (err: unknown, onLocal: (counter: RateCounter) => Promise<RateCount>): Promise<RateCount> => {
    health.failed(err);
    switch (policy) {
      case 'fail-open':
        return { admitted: true, consumed: 0, remaining: limit, resetMs: windowMs };
      case 'fail-closed':
        throw new RateLimitStoreUnavailable();
      case 'local':
        return onLocal(local());
    }
  };
  const run = async (operation: (counter: RateCounter) => Promise<RateCount>): Promise<RateCount> => {
    if (!health.shouldTry()) return decide(new Error('store marked unavailable'), operation);
    let count: RateCount;
    try {
      count = await operation(shared);
    } catch (err) {
      return decide(err, operation);
    }
    health.succeeded();
    return count;
  };
  return {
    limit,
    windowMs,
    consume: (key, points) => run((counter) => counter.consume(key, points)),
    adjust: (key, points) => run((counter) => counter.adjust(key, points)),
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
