// Knobs of the built-in mock AI backend, set per server (options) or per request (x-mock-* headers) so tests and
// examples can provoke latency, failures, slow streams and cut streams without a real AI service.
import type { IncomingHttpHeaders } from 'node:http';

export interface MockOptions {
  /** Sent back as `x-mock-instance`, so a test can tell which backend answered. */
  name: string;
  latencyMs: number; // before the response headers
  failureRate: number; // 0..1: share of API requests answered with `failureStatus`
  failureStatus: number;
  status?: number; // force this status on every API request
  healthStatus: number; // what /health answers
  chunkDelayMs: number; // between SSE events
  cutAfterChunks?: number; // destroy the connection after this many SSE events (or half a JSON body)
  retryAfter?: string; // `Retry-After` value on non-2xx answers
}

export const DEFAULT_MOCK_OPTIONS: MockOptions = {
  name: 'mock',
  latencyMs: 0,
  failureRate: 0,
  failureStatus: 500,
  healthStatus: 200,
  chunkDelayMs: 0,
};

/** Per-request overrides: `x-mock-status`, `x-mock-latency`, `x-mock-chunk-delay`, `x-mock-cut-after`,
 * `x-mock-retry-after`, `x-mock-failure-rate`. */
export function optionsForRequest(base: MockOptions, headers: IncomingHttpHeaders): MockOptions {
  const status = numberHeader(headers, 'x-mock-status');
  const latency = numberHeader(headers, 'x-mock-latency');
  const chunkDelay = numberHeader(headers, 'x-mock-chunk-delay');
  const cutAfter = numberHeader(headers, 'x-mock-cut-after');
  const failureRate = numberHeader(headers, 'x-mock-failure-rate');
  const retryAfter = headers['x-mock-retry-after'];
  if (
    status === undefined &&
    latency === undefined &&
    chunkDelay === undefined &&
    cutAfter === undefined &&
    failureRate === undefined &&
    retryAfter === undefined
  ) {
    return base;
  }
  return {
    ...base,
    status: status ?? base.status,
    latencyMs: latency ?? base.latencyMs,
    chunkDelayMs: chunkDelay ?? base.chunkDelayMs,
    cutAfterChunks: cutAfter ?? base.cutAfterChunks,
    failureRate: failureRate ?? base.failureRate,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : base.retryAfter,
  };
}

function numberHeader(headers: IncomingHttpHeaders, name: string): number | undefined {
  const value = headers[name];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}
