// The counters behind rate limits: `rate-limiter-flexible` limiters behind a small interface, so the in-memory
// store used here and the Redis store of a scaled-out gateway are a choice of constructor, not of code path.
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** The state of one key's window after an operation. */
export interface RateCount {
  /** False when this operation took the key over its limit (the points are still counted). */
  admitted: boolean;
  consumed: number;
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

/** `limit` points per `windowMs`, per key. Every operation is atomic in the store. */
export interface RateCounter {
  readonly limit: number;
  readonly windowMs: number;
  /** Counts `points` and says whether the key is still within its limit. */
  consume(key: string, points: number): Promise<RateCount>;
  /** Adds (or, negative, gives back) points without refusing: charges for work already done. */
  adjust(key: string, points: number): Promise<RateCount>;
}

export interface RateCounterOptions {
  /** Separates the counters of different limits in a shared store. */
  keyPrefix: string;
  limit: number;
  windowMs: number;
}

/** Makes a counter: the in-memory one by default; the scale-out store passes a Redis-backed one. */
export type RateCounterFactory = (options: RateCounterOptions) => RateCounter;

export const memoryRateCounters: RateCounterFactory = (options) =>
  rateCounterOf(new RateLimiterMemory({ keyPrefix: options.keyPrefix, points: options.limit, duration: options.windowMs / 1000 }), options);

/** Wraps any `rate-limiter-flexible` limiter (Memory, Redis, ...) built with `points: limit, duration: windowMs / 1000`. */
export function rateCounterOf(limiter: RateLimiterAbstract, options: RateCounterOptions): RateCounter {
  const { limit, windowMs } = options;
  const countOf = (res: RateLimiterRes, admitted: boolean): RateCount => ({
    admitted,
    consumed: res.consumedPoints,
    remaining: Math.max(0, limit - res.consumedPoints),
    resetMs: res.msBeforeNext >= 0 ? res.msBeforeNext : windowMs,
  });
  return {
    limit,
    windowMs,
    // Once per limited request: one `then` on the library's promise rather than an async wrapper around it.
    consume(key, points) {
      let consumed: Promise<RateLimiterRes>;
      try {
        consumed = limiter.consume(key, points);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err))); // a store failing synchronously still fails as a rejection, as before
      }
      return consumed.then(
        (res) => countOf(res, true),
        (refusal: unknown) => {
          // The library rejects with a RateLimiterRes when over the limit, with an Error when the store fails.
          if (refusal instanceof RateLimiterRes) return countOf(refusal, false);
          throw refusal;
        },
      );
    },
    async adjust(key, points) {
      const res = points >= 0 ? await limiter.penalty(key, points) : await limiter.reward(key, -points);
      return countOf(res, res.consumedPoints <= limit);
    },
  };
}
