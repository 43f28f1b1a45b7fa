// The rate limits of one security rule: a request counter and a token counter, keyed by consumer, client IP
// or route. Requests are counted at admission. Tokens are reserved up front (the prompt's estimate plus the answer's
// `max_tokens`, see middleware/rateLimit.ts) and a request is admitted only when its reservation fits in what is left,
// so concurrent requests cannot all start on the same remaining budget; the reservation is settled to the usage the
// upstream reported (or counted) when the answer ends.
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
  /** Corrects the up-front token reservation to the tokens the request used; call at most once. */
  settleTokens?: (totalTokens: number) => void;
}

export interface CompiledRateLimit {
  config: RateLimitConfig;
  admit(subject: RateLimitSubject, reservedTokens: number): Promise<Admission>;
}

export function compileRateLimit(config: RateLimitConfig, requests: RateCounter | undefined, tokens: RateCounter | undefined): CompiledRateLimit {
  const keyOf = keyFunction(config.by);
  return {
    config,
    async admit(subject, reservedTokens) {
      const key = keyOf(subject);
      let status: RateLimitStatus | undefined;
      if (requests && config.requests) {
        const count = await requests.consume(key, 1);
        status = statusOf(requests, count);
        if (!count.admitted) return { status, refused: refusal('requests', config.requests.source, config.by, count) };
      }
      if (!tokens || !config.tokens) return { status };
      // One atomic add, then look at what was there before it: admitted when the reservation fits in the rest of the
      // budget, or when nothing else is spent or reserved in this window (a reservation larger than the whole budget
      // still gets one request per window, settled to what it really used).
      const reservation = Math.max(0, Math.ceil(reservedTokens));
      const count = await tokens.adjust(key, reservation);
      status ??= statusOf(tokens, count);
      const before = count.consumed - reservation;
      if (count.consumed > tokens.limit && before > 0) {
        await tokens.adjust(key, -reservation);
        return { status, refused: refusal('tokens', config.tokens.source, config.by, count) };
      }
      const windowEndsAt = Date.now() + count.resetMs;
      let settled = false;
      return {
        status,
        settleTokens(totalTokens) {
          if (settled) return;
          settled = true;
          const correction = Math.max(0, Math.ceil(totalTokens)) - reservation;
          // A refund after the window turned over would credit a window that never held the reservation.
          if (correction > 0 || (correction < 0 && Date.now() < windowEndsAt)) tokens.adjust(key, correction).catch(() => undefined);
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
