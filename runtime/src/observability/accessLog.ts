// One structured JSON line per request (pino), written when the response is over: what was asked, which route
// and upstream answered, how long it took, who called and how many bytes went out. No query string and no
// header values are logged, so credentials passed in either never reach the log.
import type { Logger } from 'pino';
import type { GatewayContext } from '../gateway/context';
import { METRICS_PATH } from './metricsEndpoint';
import { ProcessEvents, type Guardrails } from '../../../common/src/protocol';

export const ACCESS_MESSAGE = ProcessEvents.request;

export interface AccessLine {
  requestId: string;
  method: string;
  path: string;
  route: string;
  status: number;
  durationMs: number;
  consumer?: string;
  upstream?: {
    target?: string;
    /** A provider target's provider and the model sent to it. */
    provider?: string;
    model?: string;
    status?: number;
    attempts: number;
    upstreamMs?: number;
    ttfbMs?: number;
    outcome?: string;
  };
  bytesIn?: number;
  bytesOut?: number;
  error?: { type: string; message: string };
  refusedBy?: string;
  /** What the route's guardrails did: kinds and counts, never the matched text. */
  guardrails?: Guardrails.Verdict[];
  /** US dollars the request cost (0 for a cache hit); absent without usage or without a price for its model. */
  costUsd?: number;
  /** What the response cache did (routes with a cache), and why when it was bypassed or did not store. */
  cache?: { result: string; reason?: string; ageSec?: number; savedUsd?: number; similarity?: number };
}

/**
 * Gateway-side failures (5xx) are warnings so that `logLevel: warn` keeps only the requests worth a look;
 * Prometheus scrapes of /metrics are debug, so they do not drown the traffic in the log.
 */
export function accessLevel(status: number, path: string): 'debug' | 'info' | 'warn' {
  if (status >= 500) return 'warn';
  return path === METRICS_PATH ? 'debug' : 'info';
}

export function accessLine(ctx: GatewayContext, route: string, status: number, durationMs: number, bytesOut: number | undefined): AccessLine {
  const state = ctx.state;
  const upstream = state.upstream;
  const timings = state.timings;
  const line: AccessLine = { requestId: state.requestId, method: ctx.method, path: state.path, route, status, durationMs: round(durationMs) };
  if (state.consumer !== undefined) line.consumer = state.consumer;
  if (upstream.attempts > 0) {
    line.upstream = {
      target: upstream.target,
      ...(upstream.provider !== undefined ? { provider: upstream.provider, model: upstream.model } : {}),
      status: upstream.status,
      attempts: upstream.attempts,
      upstreamMs: timings.upstreamMs === undefined ? undefined : round(timings.upstreamMs),
      ttfbMs: timings.firstByteAt === undefined ? undefined : round(timings.firstByteAt - timings.receivedAt),
      outcome: upstream.outcome,
    };
  }
  const bytesIn = Number(ctx.req.headers['content-length'] ?? state.body?.length);
  if (Number.isFinite(bytesIn)) line.bytesIn = bytesIn;
  if (bytesOut !== undefined) line.bytesOut = bytesOut;
  const error = errorOf(ctx.body);
  if (error && status >= 400) line.error = error;
  if (state.rejection) line.refusedBy = state.rejection.by;
  if (state.guardrailVerdicts) {
    line.guardrails = state.guardrailVerdicts;
    if (state.guardrailVerdicts.some((verdict) => verdict.action === 'blocked')) line.refusedBy = 'guardrail';
  }
  const cost = state.cost; // computed by observability before the line is written
  if (cost) line.costUsd = cost.usd;
  else if (state.cache?.result === 'hit') line.costUsd = 0;
  const cache = state.cache;
  if (cache) {
    line.cache = { result: cache.result };
    if (cache.reason !== undefined) line.cache.reason = cache.reason;
    if (cache.ageSec !== undefined) line.cache.ageSec = cache.ageSec;
    if (cache.savedUsd !== undefined) line.cache.savedUsd = cache.savedUsd;
    if (cache.similarity !== undefined) line.cache.similarity = cache.similarity;
  }
  return line;
}

export function writeAccessLine(logger: Logger, level: ReturnType<typeof accessLevel>, line: AccessLine): void {
  logger[level](line, ACCESS_MESSAGE);
}

/** The `{error: {type, message}}` body the gateway answered with, when it answered one itself. */
function errorOf(body: unknown): AccessLine['error'] {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = body.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, message } = error as { type?: unknown; message?: unknown };
  return typeof type === 'string' && typeof message === 'string' ? { type, message } : undefined;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
