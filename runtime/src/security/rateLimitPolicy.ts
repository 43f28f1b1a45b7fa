// The rate limits of one security rule: a request counter and a token counter, keyed by consumer, client IP
// or route. Requests are counted at admission. Tokens are charged an estimate up front (so concurrent streams
// cannot all start on the same remaining budget), then corrected to the upstream's reported usage.
import type { RateLimitConfig, RateLimitKey } from '../../../common/src/config';
import type { RateCount, RateCounter } from './rateCounters';

export interface RateLimitSubject {
  consumer: string | undefined;
  ip: string;
  route: string;
}

export interface RateLimitRefusal {
  limit: 'requests' | 'tokens';
  rate: string; // as the user wrote it, e.g. "100/min"
  by: RateLimitKey;
  retryAfterMs: number;
}

/** What the client is told in RateLimit-* headers: the request limit when there is one, else the token limit. */
export interface RateLimitStatus {
  limit: number;
  remaining: number;
  resetMs: number;
}

export interface Admission {
  refused?: RateLimitRefusal;
  status?: RateLimitStatus;
  /** Corrects the up-front token estimate to the usage the upstream reported; call at most once. */
  settleTokens?: (totalTokens: number) => void;
}

export interface CompiledRateLimit {
  config: RateLimitConfig;
  admit(subject: RateLimitSubject, estimatedTokens: number): Promise<Admission>;
}

export function compileRateLimit(config: RateLimitConfig, requests: RateCounter | undefined, tokens: RateCounter | undefined): CompiledRateLimit {
  const keyOf = keyFunction(config.by);
  return {
    config,
    async admit(subject, estimatedTokens) {
      const key = keyOf(subject);
      let status: RateLimitStatus | undefined;
      if (requests && config.requests) {
        const count = await requests.consume(key, 1);
        status = statusOf(requests, count);
        if (!count.admitted) return { status, refused: refusal('requests', config.requests.source, config.by, count) };
      }
      if (!tokens || !config.tokens) return { status };
      // One atomic add; the budget was already spent if what others consumed before us reached the limit.
      const estimate = Math.max(0, Math.ceil(estimatedTokens));
      const count = await tokens.adjust(key, estimate);
      status ??= statusOf(tokens, count);
      if (count.consumed - estimate >= tokens.limit) {
        await tokens.adjust(key, -estimate);
        return { status, refused: refusal('tokens', config.tokens.source, config.by, count) };
      }
      let settled = false;
      return {
        status,
        settleTokens(totalTokens) {
          if (settled) return;
          settled = true;
          const correction = Math.max(0, Math.ceil(totalTokens)) - estimate;
          if (correction !== 0) tokens.adjust(key, correction).catch(() => undefined);
        },
      };
    },
  };
}

function keyFunction(by: RateLimitKey): (subject: RateLimitSubject) => string {
  switch (by) {
    case 'ip':
      return (subject) => `ip:${subject.ip}`;
    case 'route':
      return (subject) => `route:${subject.route}`;
    case 'consumer':
      // Anonymous callers (auth: none) are limited per client address rather than sharing one bucket.
      return (subject) => (subject.consumer !== undefined ? `consumer:${subject.consumer}` : `ip:${subject.ip}`);
  }
}

function statusOf(counter: RateCounter, count: RateCount): RateLimitStatus {
  return { limit: counter.limit, remaining: Math.max(0, counter.limit - count.consumed), resetMs: count.resetMs };
}

function refusal(limit: RateLimitRefusal['limit'], rate: string, by: RateLimitKey, count: RateCount): RateLimitRefusal {
  return { limit, rate, by, retryAfterMs: count.resetMs };
}
