// `gateway.limits.authFailures`: failed authentication attempts (a wrong key, a bad token) a client address may make
// per window, counted in the rate-limit store (shared through Redis when gateway.store.redis is set). Once an address
// reaches the limit it is refused with 429 on every protected endpoint before its credentials are even checked, so
// guessing costs the guesser the whole window, and a right guess made meanwhile is refused too. The block is kept in
// this process (a Map lookup per request); another replica learns of it at that address's next failure there.
import { LRUCache } from 'lru-cache';
import type { Rate } from '../../../common/src/config';
import type { RateCounter } from './rateCounters';
import type { RateLimitStatus } from './rateLimitPolicy';

/** Addresses remembered as blocked at once, at most (the oldest are forgotten first; their count stays in the store). */
const MAX_BLOCKED_ADDRESSES = 100_000;

export interface AuthFailureLimit {
  readonly rate: Rate;
  /** The status to refuse with when the address is blocked now, else undefined. */
  blocked(ip: string): RateLimitStatus | undefined;
  /** Counts one failed attempt; the status after it (remaining 0: the address is now blocked). */
  failed(ip: string): Promise<RateLimitStatus>;
}

export function createAuthFailureLimit(rate: Rate, counter: RateCounter): AuthFailureLimit {
  const blockedUntil = new LRUCache<string, number>({ max: MAX_BLOCKED_ADDRESSES, ttl: rate.windowMs });
  return {
    rate,
    blocked(ip) {
      const until = blockedUntil.get(ip);
      if (until === undefined) return undefined;
      const resetMs = until - Date.now();
      return resetMs > 0 ? { limit: rate.limit, remaining: 0, resetMs } : undefined;
    },
    async failed(ip) {
      const count = await counter.adjust(`ip:${ip}`, 1);
      const remaining = Math.max(0, rate.limit - count.consumed);
      if (remaining === 0) blockedUntil.set(ip, Date.now() + count.resetMs, { ttl: Math.max(1, count.resetMs) });
      return { limit: rate.limit, remaining, resetMs: count.resetMs };
    },
  };
}
