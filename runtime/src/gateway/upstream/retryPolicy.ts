// When and how long to wait before trying again: failure classification, exponential backoff with jitter and
// Retry-After, all bounded by the route's total time budget.
import type { RetryTrigger, RouteConfig } from '../../../../common/src/config';
import type { AttemptOutcome } from '../events';

/** Why the request signal was aborted. */
export const ABORT_TOTAL_TIMEOUT = 'total-timeout';
export const ABORT_CLIENT_GONE = 'client-gone';
/** undici's own header/body timeouts tick every ~0.5 s, too coarse for sub-second limits: the gateway times them. */
export const ABORT_FIRST_BYTE = 'first-byte-timeout';
export const ABORT_IDLE = 'idle-timeout';

const CONNECT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ETIMEDOUT']);

export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function classifyFailure(
  err: unknown,
  signal: { readonly aborted: boolean; readonly reason: unknown },
): Exclude<AttemptOutcome, 'response' | 'client-error'> {
  if (signal.aborted) return signal.reason === ABORT_CLIENT_GONE ? 'aborted' : 'timeout';
  const code = errorCode(err);
  if (code && TIMEOUT_CODES.has(code)) return 'timeout';
  if (code && CONNECT_ERROR_CODES.has(code)) return 'connect-error';
  return 'error';
}

export function isRetryable(route: RouteConfig, trigger: RetryTrigger): boolean {
  return route.retryOn.includes(trigger);
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": half the step is fixed, half random, so waits grow yet spread out. */
export function backoffMs(route: RouteConfig, retryNumber: number, random: () => number = Math.random): number {
  const { baseMs, maxMs } = route.retryBackoff;
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * The wait before the next attempt, or undefined when no retry should happen: a Retry-After beyond the cap means
 * the upstream asked for more patience than the route allows, so its answer goes back to the client.
 */
export function nextDelayMs(route: RouteConfig, retryNumber: number, retryAfter: number | undefined): number | undefined {
  const backoff = backoffMs(route, retryNumber);
  if (retryAfter === undefined) return backoff;
  if (retryAfter > route.retryBackoff.maxRetryAfterMs) return undefined;
  return Math.max(backoff, retryAfter);
}
