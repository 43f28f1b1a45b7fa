// First in the pipeline: gives the request its id, its config snapshot and its clock; turns anything a later
// middleware throws into a JSON 500 without a stack trace (logged with its context); and when the response is
// over, reports it once to observability (metrics, rolling stats, access log, trace store). Every response
// carries x-request-id and Server-Timing; a traced request also gets the pipeline's decisions in a header.
import type { ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import type { Observability } from '../../observability/observability';
import { serverTimingValue } from '../../observability/serverTiming';
import { traceHeaderValue } from '../../observability/traceStore';
import { RequestTrace } from '../../../../common/src/protocol';
import { newRequestState, type GatewayContext, type GatewayState } from '../context';
import { mayReadBody } from '../clientBody';
import { respondWithError } from '../errors';
import { newRequestId } from '../requestId';
import { errorCode } from '../upstream/retryPolicy';
import type { GatewayRuntime } from '../runtime';

/** An incoming x-request-id is kept when it is a sane token, so callers can correlate; anything else is replaced. */
const ACCEPTABLE_REQUEST_ID = /^[\w.:@-]{1,128}$/;
/** The status logged and counted when the client left before any response was sent (nginx's convention). */
const CLIENT_CLOSED = 499;
const TRACE_REFUSED: RequestTrace.Entry[] = [
  { stage: 'trace', outcome: 'refused', detail: `tracing needs the admin key in ${RequestTrace.adminKeyHeader}`, atMs: 0 },
];

export function observe(runtime: GatewayRuntime, observability: Observability): Middleware<GatewayState> {
  const inFlight = observability.metrics.inFlight;
  return async function observeMiddleware(ctx, next) {
    const receivedAt = performance.now();
    const snapshot = runtime.snapshot;
    snapshot.acquire();
    inFlight.inc();
    const incomingId = ctx.req.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && ACCEPTABLE_REQUEST_ID.test(incomingId) ? incomingId : newRequestId();
    const state = newRequestState(requestId, snapshot, ctx.path, receivedAt);
    ctx.state = state;
    const trace = observability.traceAccess.decide(ctx.req);
    if (trace === 'granted') {
      state.trace = [];
      sendTraceWithHeaders(ctx.res, state);
    } else if (trace === 'refused') {
      ctx.set(RequestTrace.traceResponseHeader, traceHeaderValue(TRACE_REFUSED));
    }
    try {
      await next();
    } catch (err) {
      if (clientLeft(ctx, err)) {
        // Not a fault of the gateway: one line saying so, and the access line's 499.
        runtime.logger.debug({ requestId: state.requestId, code: errorCode(err) }, 'the client closed the connection mid-request');
        ctx.respond = false;
        ctx.res.destroy();
      } else {
        runtime.logger.error(
          { err, requestId: state.requestId, method: ctx.method, path: state.path, route: state.route?.name },
          'request failed inside the gateway',
        );
        if (!ctx.headerSent && ctx.respond !== false) respondWithError(ctx, 500, 'internal_error', 'The gateway failed to handle this request.');
        else if (!ctx.res.writableEnded) ctx.res.destroy();
      }
    } finally {
      state.timings.finishedAt = performance.now();
      snapshot.release();
      inFlight.dec();
    }
    const proxied = ctx.respond === false;
    if (!proxied && !ctx.headerSent) {
      const own = state.answerHeaders;
      if (own) for (const name in own) ctx.set(name, own[name]!);
      ctx.set('x-request-id', state.requestId);
      ctx.set('server-timing', serverTimingValue(state.timings, state.timings.finishedAt));
      // Answered before its 100 Continue (401, 413, ...): the client may still send the body, or may not; either way
      // this connection cannot tell where the next request starts.
      if (!mayReadBody(ctx.req)) ctx.set('connection', 'close');
    }
    const status = proxied ? (ctx.res.headersSent ? ctx.res.statusCode : CLIENT_CLOSED) : ctx.status;
    const durationMs = state.timings.finishedAt - receivedAt;
    const bytesOut = proxied ? state.upstream.bytesOut : ctx.response.length; // body bytes, either way
    observability.requestDone(ctx, status, durationMs, bytesOut);
    if (state.trace) observability.traces.add(traceRecord(ctx, observability.routeLabel(ctx), status, durationMs, Date.now() - durationMs));
  };
}

/** The trace header must hold the decisions made until the headers go out, whoever writes them (Koa or the proxy). */
function sendTraceWithHeaders(res: ServerResponse, state: GatewayState): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the response as `this`
  const writeHead = res.writeHead;
  res.writeHead = function writeHeadWithTrace(this: ServerResponse, ...args: unknown[]) {
    if (!this.headersSent && state.trace) this.setHeader(RequestTrace.traceResponseHeader, traceHeaderValue(state.trace));
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  };
}

function traceRecord(ctx: GatewayContext, route: string, status: number, durationMs: number, startedAt: number): RequestTrace.Record {
  const state = ctx.state;
  const { timings, upstream } = state;
  const entries = [...(state.trace ?? [])];
  entries.push({ stage: 'response', outcome: String(status), detail: upstream.outcome, atMs: round(durationMs) });
  return {
    requestId: state.requestId,
    startedAt: new Date(startedAt).toISOString(),
    method: ctx.method,
    path: state.path,
    route,
    ...(state.consumer !== undefined ? { consumer: state.consumer } : {}),
    status,
    durationMs: round(durationMs),
    upstream: {
      target: upstream.target,
      ...(upstream.provider !== undefined ? { provider: upstream.provider } : {}),
      ...(upstream.model !== undefined ? { model: upstream.model } : {}),
      attempts: upstream.attempts,
      upstreamMs: timings.upstreamMs === undefined ? undefined : round(timings.upstreamMs),
      ttfbMs: timings.firstByteAt === undefined ? undefined : round(timings.firstByteAt - timings.receivedAt),
      outcome: upstream.outcome,
    },
    ...(state.cache ? { cache: state.cache.result } : {}),
    ...(state.cost ? { costUsd: state.cost.usd } : state.cache?.result === 'hit' ? { costUsd: 0 } : {}),
    entries,
  };
}

/** The client went away while the gateway was still reading its request (an aborted upload, a reset). */
function clientLeft(ctx: GatewayContext, err: unknown): boolean {
  if (ctx.req.destroyed && !ctx.req.complete) return true;
  const code = errorCode(err);
  return code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
