// Knobs of the built-in mock AI backend, set per server (options) or per request (x-mock-* headers) so tests and
// examples can provoke latency, failures, slow streams and cut streams without a real AI service.
import type { IncomingHttpHeaders } from 'node:http';
import { BUILT_IN_MOCKS } from '../../../common/src/config';

/** The wire formats the mock speaks (the config model's list); one mock server speaks one of them (`mock://<provider>`). */
export const MOCK_PROVIDERS = BUILT_IN_MOCKS;
export type MockProvider = (typeof MOCK_PROVIDERS)[number];

export function isMockProvider(value: string): value is MockProvider {
  return (MOCK_PROVIDERS as readonly string[]).includes(value);
}

/** The AWS test credentials the Bedrock mock verifies SigV4 signatures against unless told others. */
export const MOCK_AWS_CREDENTIALS = {
  accessKeyId: 'AKIDMOCKGATEWAY00000',
  secretAccessKey: 'mock-gateway-secret-access-key-for-tests' /* not AWS-shaped: vsce refuses packages with what looks like a real key */,
};

export interface MockOptions {
  /** Sent back as `x-mock-instance`, so a test can tell which backend answered. */
  name: string;
  provider: MockProvider;
  latencyMs: number; // before the response headers
  failureRate: number; // 0..1: share of API requests answered with `failureStatus`
  failureStatus: number;
  status?: number; // force this status on every API request
  healthStatus: number; // what /health answers
  chunkDelayMs: number; // between streamed events
  cutAfterChunks?: number; // destroy the connection after this many streamed events (or half a JSON body)
  retryAfter?: string; // `Retry-After` value on non-2xx answers
  cachedTokens: number; // prompt tokens reported as read from the provider's prompt cache
  /** When set, the provider's key header must carry exactly this; otherwise any non-empty key passes. */
  apiKey?: string;
  /** Bedrock: the credentials SigV4 signatures are checked against. */
  aws: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export const DEFAULT_MOCK_OPTIONS: MockOptions = {
  name: 'mock',
  provider: 'openai',
  latencyMs: 0,
  failureRate: 0,
  failureStatus: 500,
  healthStatus: 200,
  chunkDelayMs: 0,
  cachedTokens: 0,
  aws: MOCK_AWS_CREDENTIALS,
};

/** Per-request overrides: `x-mock-status`, `x-mock-latency`, `x-mock-chunk-delay`, `x-mock-cut-after`,
 * `x-mock-retry-after`, `x-mock-failure-rate`, `x-mock-cached-tokens`. */
export function optionsForRequest(base: MockOptions, headers: IncomingHttpHeaders): MockOptions {
  const status = numberHeader(headers, 'x-mock-status');
  const latency = numberHeader(headers, 'x-mock-latency');
  const chunkDelay = numberHeader(headers, 'x-mock-chunk-delay');
  const cutAfter = numberHeader(headers, 'x-mock-cut-after');
  const failureRate = numberHeader(headers, 'x-mock-failure-rate');
  const cachedTokens = numberHeader(headers, 'x-mock-cached-tokens');
  const retryAfter = headers['x-mock-retry-after'];
  if (
    status === undefined &&
    latency === undefined &&
    chunkDelay === undefined &&
    cutAfter === undefined &&
    failureRate === undefined &&
    retryAfter === undefined &&
    cachedTokens === undefined
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
    cachedTokens: cachedTokens ?? base.cachedTokens,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : base.retryAfter,
  };
}

/** The status the knobs force on this request, if any (a fixed `status`, or a random failure). */
export function forcedStatus(knobs: MockOptions): number | undefined {
  const forced = knobs.status ?? (knobs.failureRate > 0 && Math.random() < knobs.failureRate ? knobs.failureStatus : undefined);
  return forced !== undefined && forced >= 400 ? forced : undefined;
}

function numberHeader(headers: IncomingHttpHeaders, name: string): number | undefined {
  const value = headers[name];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}
