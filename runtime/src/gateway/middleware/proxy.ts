// Last in the pipeline: sends the request to the route's upstream (balanced, retried, failed over) and streams the
// answer back. Errors before the first byte reach the client as JSON (502/503/504); after it, as a cut stream.
import type { Middleware } from 'koa';
import { serverTimingValue } from '../../observability/serverTiming';
import { clientFaultOf } from '../clientBody';
import { addTrace, type GatewayState } from '../context';
import { respondInClientApi } from '../clientApiErrors';
import { respondWithError } from '../errors';
import type { UsageEvent } from '../events';
import type { GatewayRuntime } from '../runtime';
import { AbortSource } from '../upstream/abortSource';
import { checkAnswer } from '../upstream/checkedAnswer';
import { forwardWithRetries } from '../upstream/forward';
import { clientResponseHeaders, upstreamRequestHeaders } from '../upstream/headers';
import { passesThrough, relayProviderAnswer } from '../upstream/providerAnswer';
import { relayBody } from '../upstream/relay';
import type { TargetLease } from '../upstream/target';
import { prepareOutgoingBody } from '../upstream/outgoingBody';
import { ABORT_CLIENT_GONE, ABORT_TOTAL_TIMEOUT } from '../upstream/retryPolicy';
import { createUsageTap } from '../upstream/usageTap';

const NO_HEADERS = Object.freeze({});

export function proxy(runtime: GatewayRuntime): Middleware<GatewayState> {
  return async function proxyMiddleware(ctx) {
    const state = ctx.state;
    const route = state.route;
    const group = route && state.snapshot.upstreams.get(route.name);
    if (!route || !group) throw new Error('proxy reached without a routed request');
    const config = route.config;
    const limits = state.snapshot.config.gateway.limits;

    const abort = new AbortSource();
    const deadline = state.timings.receivedAt + config.timeoutMs;
    const budget = setTimeout(() => abort.abort(ABORT_TOTAL_TIMEOUT), Math.max(1, deadline - performance.now()));
    const onClientClose = (): void => {
      if (!ctx.res.writableFinished) abort.abort(ABORT_CLIENT_GONE);
    };
    ctx.res.on('close', onClientClose); // removed in `finally`; `once` would wrap it per request
    let lease: TargetLease | undefined;
    try {
      const prepared = prepareOutgoingBody(ctx.req, ctx.res, state, config.retries > 0 || state.capture?.wantsRequestBody === true, limits);
      const body = prepared instanceof Promise ? await prepared : prepared;
      if (state.capture && body.kind === 'buffer') state.capture.requestBody = body.data;
      const result = await forwardWithRetries({
        requestId: state.requestId,
        route: config,
        group,
        method: ctx.req.method!,
        path: upstreamPath(state, config.stripPrefix),
        search: state.search.length > 1 ? state.search : '',
        headers: route.hasPlainTargets
          ? upstreamRequestHeaders(
              ctx.req,
              state.requestId,
              body.kind === 'buffer' ? body.data.length : undefined,
              route.droppedHeaders,
              config.forwardCredentials ? undefined : state.credentialHeader,
            )
          : NO_HEADERS, // provider targets are sent their translated request's own
        req: ctx.req,
        body,
        signal: abort,
        deadline,
        events: runtime.events,
        state,
      });
      if (result.kind === 'aborted') {
        state.upstream.outcome = 'client-gone';
        ctx.respond = false;
        return;
      }
      if (result.kind === 'failed') {
        state.upstream.outcome = result.type;
        if (route.hasProviderTargets) respondInClientApi(ctx, config.frontDoor, result.status, result.type, result.message, result.param);
        else respondWithError(ctx, result.status, result.type, result.message);
        // The rest of an unfinished upload would otherwise be read as the next request on this connection.
        if (result.clientFault && !ctx.req.complete) ctx.set('connection', 'close');
        return;
      }

      const { response, target, ttfbMs, attempt, answeredAt, call } = result;
      lease = result.lease;
      state.timings.firstByteAt = answeredAt;
      state.upstream.status = response.statusCode;
      if (runtime.events.has('upstream.first-byte')) {
        runtime.events.emit('upstream.first-byte', {
          requestId: state.requestId,
          route: route.name,
          target: target.url,
          ttfbMs,
          provider: state.upstream.provider,
          model: state.upstream.model,
        });
      }
      const contentTypeText = response.headers['content-type'];
      const sse = contentTypeText?.includes('text/event-stream') ?? false;
      const translated = call !== undefined && !passesThrough(call, config.frontDoor, response.statusCode);
      // The answer as it came (a plain target, or an OpenAI-shaped provider's success), its usage read on the way.
      const usageTap =
        !translated && (runtime.events.has('usage') || state.snapshot.needsUsage) ? createUsageTap(contentTypeText, state.completion) : undefined;
      state.answerTap = usageTap; // the answer's model, read only if its usage is priced (cost/requestCost.ts)
      const tap = state.capture && !translated ? state.capture.answer(response.statusCode, response.headers, usageTap) : usageTap;

      // The route's answer guardrails: a JSON answer is checked whole before its head goes out, a stream as it flows
      // (a translated answer's are applied by providerAnswer.ts, to the answer as translated).
      const plan = translated ? undefined : state.answerGuard?.plan(response.statusCode, response.headers);
      let checkedBody: Buffer | undefined;
      let upstreamBody: Buffer | undefined;
      if (plan?.kind === 'whole' || plan?.kind === 'refuse') {
        const checked = await checkAnswer(ctx, plan, response);
        if (checked.kind === 'failed') {
          state.upstream.outcome = abort.aborted && abort.reason === ABORT_CLIENT_GONE ? 'client-gone' : 'upstream-error';
          respondWithError(ctx, abort.reason === ABORT_TOTAL_TIMEOUT ? 504 : 502, 'upstream_error', `Upstream ${target.url} failed mid-answer.`);
          return;
        }
        if (checked.kind === 'refused') {
          // A refused answer's tokens were spent upstream: token limits, budgets and metrics count them (as a translated one's are).
          if (checked.upstream) {
            usageTap?.push(checked.upstream);
            recordUsage(runtime, state, usageTap?.result());
          }
          return;
        }
        checkedBody = checked.body;
        upstreamBody = checked.upstream;
      }
      const transform = plan?.kind === 'stream' ? plan.transform : undefined;
      ctx.respond = false;
      if (!translated) {
        const headers = clientResponseHeaders(response.headers, state.requestId, serverTimingValue(state.timings), state.answerHeaders);
        if (checkedBody) headers['content-length'] = checkedBody.length;
        else if (transform) delete headers['content-length'];
        ctx.res.writeHead(response.statusCode, headers);
        if (checkedBody) {
          tap?.push(upstreamBody ?? checkedBody); // a capture keeps what the upstream said (a fixture replays it as the upstream)
          recordUsage(runtime, state, tap?.result());
          ctx.res.end(checkedBody);
          state.upstream.outcome = 'complete';
          state.upstream.bytesOut = checkedBody.length;
          return;
        }
        if (sse) ctx.res.flushHeaders();
      }
      let relayed;
      try {
        const relaying = translated
          ? relayProviderAnswer({
              res: ctx.res,
              response,
              call,
              frontDoor: config.frontDoor,
              attempt,
              idleTimeoutMs: config.idleTimeoutMs,
              deadline,
              now: answeredAt,
              route: route.name,
              requestId: state.requestId,
              serverTiming: serverTimingValue(state.timings),
              answerHeaders: state.answerHeaders,
              observer: state.completion,
              onUsage: (usage) => recordUsage(runtime, state, usage),
              guard: state.answerGuard,
              capture: state.capture,
            })
          : relayBody({
              res: ctx.res,
              body: response,
              sse,
              attempt,
              idleTimeoutMs: config.idleTimeoutMs,
              deadline,
              now: answeredAt,
              tap,
              route: route.name,
              requestId: state.requestId,
              beforeEnd: () => recordUsage(runtime, state, tap?.result()),
              transform,
            });
        relayed = relaying instanceof Promise ? await relaying : relaying;
      } finally {
        lease.release(); // the target is free once its answer is through
      }
      state.upstream.outcome = relayed.kind;
      state.upstream.bytesOut = relayed.bytes;
      if (relayed.kind === 'cut') {
        addTrace(state, 'response', `stream cut: ${relayed.reason}`, relayed.message);
        runtime.events.emit('stream.cut', {
          requestId: state.requestId,
          route: route.name,
          target: target.url,
          reason: relayed.reason,
          sse,
          message: relayed.message,
        });
        const clientsFault = clientFaultOf(relayed.cause, attempt, ctx.req, body.kind === 'stream') !== undefined;
        if (relayed.reason !== 'total-timeout' && !clientsFault) target.breaker.recordFailure(performance.now(), `stream cut: ${relayed.reason}`);
      }
    } finally {
      lease?.release(); // also when the answer never reached the relay (a head that could not be written)
      clearTimeout(budget);
      ctx.res.off('close', onClientClose);
    }
  };
}

export function upstreamPath(state: GatewayState, stripPrefix: string | undefined): string {
  // Routes match in any letter case: the upstream gets the route's own spelling of what it matched.
  let path = state.route ? state.route.pattern.canonical(state.path) : state.path;
  if (stripPrefix && path.startsWith(stripPrefix)) path = path.slice(stripPrefix.length) || '/';
  return path.startsWith('/') ? path : `/${path}`;
}

function recordUsage(runtime: GatewayRuntime, state: GatewayState, usage: GatewayState['usage']): void {
  if (!usage) return;
  state.usage = usage;
  // Field by field: a spread of `usage` into the literal went through the runtime's generic property copy.
  const event: UsageEvent = {
    requestId: state.requestId,
    route: state.route?.name ?? '',
    consumer: state.consumer,
    model: state.upstream.model ?? state.model,
    provider: state.upstream.provider,
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    totalTokens: usage.totalTokens,
  };
  if (usage.cachedTokens !== undefined) event.cachedTokens = usage.cachedTokens;
  runtime.events.emit('usage', event);
}
