// The attempt loop: pick a target, send, and on a connect error, a timeout or a `retryOn` status try the next
// healthy target after a backoff, as long as the body can be replayed, attempts remain and the route's total
// time budget allows. Nothing has been sent to the client while this runs, which is what makes retrying safe.
import type { IncomingMessage } from 'node:http';
import type { RouteConfig } from '../../../../common/src/config';
import { clientFaultOf } from '../clientBody';
import { addTrace, type GatewayState } from '../context';
import type { AttemptOutcome, FailureReason, GatewayEvents } from '../events';
import { AbortSource } from './abortSource';
import { UpstreamExchange } from './exchange';
import type { UpstreamHeaders } from './headers';
import type { OutgoingBody } from './outgoingBody';
import { translatedTarget, type ProviderCall } from './providerCall';
import type { TranslationError } from '../../providers';
import { ABORT_FIRST_BYTE, ABORT_TOTAL_TIMEOUT, classifyFailure, errorCode, isRetryable, nextDelayMs, retryAfterMs } from './retryPolicy';
import type { TargetLease, UpstreamTarget } from './target';
import type { UpstreamGroup } from './upstreamGroup';

export interface ForwardInput {
  requestId: string;
  route: RouteConfig;
  group: UpstreamGroup;
  method: string;
  /** The path the upstream gets (after stripPrefix), without the target's base path. */
  path: string;
  /** The client's query string with its `?`, or ''. */
  search: string;
  headers: UpstreamHeaders;
  /** The client's request: tells a client's fault (gone, too slow, too large) from an upstream's. */
  req: IncomingMessage;
  body: OutgoingBody;
  signal: AbortSource;
  deadline: number; // performance.now() by which the whole request must be done
  events: GatewayEvents;
  state: GatewayState;
}

export type ForwardResult =
  | {
      kind: 'response';
      response: UpstreamExchange;
      target: UpstreamTarget;
      lease: TargetLease;
      ttfbMs: number;
      answeredAt: number;
      attempt: AbortSource;
      /** Set when the target is a provider: the answer is translated back (providerAnswer.ts). */
      call: ProviderCall | undefined;
    }
  /** `param`: the request field no target's provider could be given (a 400 answered without calling anyone). */
  | { kind: 'failed'; status: number; type: string; message: string; clientFault?: true; param?: string }
  | { kind: 'aborted' };

type Failure = Extract<ForwardResult, { kind: 'failed' }>;

export async function forwardWithRetries(input: ForwardInput): Promise<ForwardResult> {
  const { route, group, state } = input;
  const maxAttempts = 1 + (input.body.replayable ? route.retries : 0);
  const tried = maxAttempts > 1 ? new Set<UpstreamTarget>() : undefined; // only a retry asks what was tried
  let lastFailure: Failure | undefined;
  let retryFrom: { target: UpstreamTarget; reason: FailureReason; status?: number; delayMs: number } | undefined;

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const sentAt = performance.now();
    let target = group.balancer.pick(sentAt, tried);
    if (!target) return lastFailure ?? noHealthyTarget(route, group);
    let call: ProviderCall | undefined;
    if (target.provider) {
      if (!state.openAIRequest) throw new Error('a provider target was reached without the OpenAI-shaped request (providerRequest middleware)');
      const translating = translatedTarget(target, group.targets, state.openAIRequest, state, sentAt, tried);
      const translated = translating instanceof Promise ? await translating : translating;
      if (translated.kind === 'untranslatable') return untranslatable(translated.error);
      ({ target, call } = translated);
    }
    if (retryFrom && input.events.has('upstream.retry')) {
      const { target: from, reason, status, delayMs } = retryFrom;
      input.events.emit('upstream.retry', {
        requestId: input.requestId,
        route: route.name,
        fromTarget: from.url,
        toTarget: target.url,
        failover: from !== target,
        reason,
        status,
        delayMs,
        attempt,
      });
    }
    tried?.add(target);
    target.breaker.onSend(sentAt);
    const lease = target.lease(); // released here on a failed attempt; the proxy releases the answered one
    state.upstream.attempts = attempt;
    state.upstream.target = target.url;
    state.upstream.provider = call?.binding.name;
    state.upstream.model = call?.exchange.model;
    state.timings.upstreamStartedAt ??= sentAt;

    // One controller per attempt: the request's abort (client gone, total budget) and this attempt's own
    // first-byte timer both end it; the relay later arms the idle timer on it.
    const attemptAbort = new AbortSource();
    const forwardAbort = (): void => attemptAbort.abort(input.signal.reason);
    if (input.signal.aborted) forwardAbort();
    else input.signal.onAbort(forwardAbort);
    // By default the first-byte limit is the route's timeout, which the proxy's budget timer already enforces.
    const firstByteTimer =
      route.firstByteTimeoutMs < input.deadline - sentAt
        ? setTimeout(() => attemptAbort.abort(ABORT_FIRST_BYTE), Math.max(1, route.firstByteTimeoutMs))
        : undefined;
    const streamed = input.body.kind === 'stream' ? input.body.stream : undefined;
    // A body all received by now (a short one comes with its headers) is sent at once; a longer upload is timed to its end.
    let bodySentAt = streamed === undefined || input.req.complete ? sentAt : undefined;
    if (bodySentAt === undefined) streamed!.once('end', () => (bodySentAt = performance.now()));
    const response = new UpstreamExchange(attemptAbort, streamed);
    try {
      target.pool.dispatch(
        call === undefined
          ? {
              method: input.method,
              path: target.basePath + input.path + (target.query === '' ? input.search : withTargetQuery(target.query, input.search)),
              headers: attemptHeaders(input, target, attempt, call),
              body: input.body.kind === 'buffer' ? input.body.data : (streamed ?? null),
              headersTimeout: 0, // timed by firstByteTimer
              bodyTimeout: 0, // timed by the relay's idle timer
            }
          : input.state.span
            ? { ...call.dispatch, headers: attemptHeaders(input, target, attempt, call) }
            : call.dispatch,
        response,
      );
      await response.head;
    } catch (err) {
      clearTimeout(firstByteTimer);
      input.signal.offAbort(forwardAbort);
      lease.release();
      const failedAt = performance.now();
      state.timings.upstreamMs = (state.timings.upstreamMs ?? 0) + (failedAt - sentAt);
      // Only a fault of the upstream counts against it: what the client did is answered, never recorded.
      const fault = clientFaultOf(err, attemptAbort, input.req, streamed !== undefined);
      if (fault) {
        state.span?.attemptFailed(fault.kind === 'gone' ? 'client-gone' : fault.type);
        emitAttempt(input, target, attempt, fault.kind === 'gone' ? 'aborted' : 'client-error', failedAt - sentAt, undefined, errorCode(err));
        if (fault.kind === 'gone') return { kind: 'aborted' };
        addTrace(state, 'upstream', `not completed: ${fault.type}`, fault.message);
        return { kind: 'failed', status: fault.status, type: fault.type, message: fault.message, clientFault: true };
      }
      const outcome = classifyFailure(err, attemptAbort);
      state.span?.attemptFailed(outcome);
      emitAttempt(input, target, attempt, outcome, failedAt - sentAt, undefined, errorCode(err));
      if (outcome === 'aborted') return { kind: 'aborted' };
      target.breaker.recordFailure(failedAt, outcome);
      lastFailure = failureOf(outcome, target, route, input, err, attemptAbort);
      addTrace(state, 'upstream', `${outcome} from ${target.url}`, lastFailure.message);
      const trigger = outcome === 'error' ? undefined : outcome;
      if (!trigger || !isRetryable(route, trigger) || attempt >= maxAttempts) return lastFailure;
      const delayMs = nextDelayMs(route, attempt, undefined);
      if (delayMs === undefined || !(await waitWithinBudget(delayMs, input)))
        return input.signal.aborted ? abortedOrTimeout(input, target, route) : lastFailure;
      retryFrom = { target, reason: trigger, delayMs };
      continue;
    }

    clearTimeout(firstByteTimer);
    const answeredAt = performance.now();
    const ttfbMs = answeredAt - sentAt;
    // The upstream's latency starts when it had the whole body: a slow upload is the client's time, not the target's.
    if (bodySentAt !== undefined) target.recordLatency(answeredAt - bodySentAt);
    state.timings.upstreamMs = (state.timings.upstreamMs ?? 0) + ttfbMs;
    const status = response.statusCode;
    if (status >= 500) target.breaker.recordFailure(answeredAt, `status ${status}`);
    else target.breaker.recordSuccess();
    state.span?.attemptAnswered(status);
    emitAttempt(input, target, attempt, 'response', ttfbMs, status, undefined);
    if (state.trace) addTrace(state, 'upstream', `${status} from ${target.url}`, `attempt ${attempt}, ${ttfbMs.toFixed(1)} ms to first byte`);

    if (attempt < maxAttempts && isRetryable(route, status)) {
      const delayMs = nextDelayMs(route, attempt, retryAfterMs(response.headers['retry-after']));
      if (delayMs !== undefined && answeredAt + delayMs < input.deadline) {
        lease.release();
        input.signal.offAbort(forwardAbort);
        await response.dump();
        lastFailure = { kind: 'failed', status, type: 'upstream_error', message: `upstream ${target.url} answered ${status} on every attempt` };
        if (!(await waitWithinBudget(delayMs, input))) return input.signal.aborted ? abortedOrTimeout(input, target, route) : lastFailure;
        retryFrom = { target, reason: 'status', status, delayMs };
        continue;
      }
    }
    return { kind: 'response', response, target, lease, ttfbMs, answeredAt, attempt: attemptAbort, call };
  }
  return lastFailure ?? noHealthyTarget(route, group);
}

function untranslatable(error: TranslationError): Failure {
  return { kind: 'failed', status: 400, type: 'invalid_request_error', message: error.message, param: error.field, clientFault: true };
}

/**
 * The headers this attempt is sent with (the client's with the target's own, or a provider call's), and the attempt's
 * span as their `traceparent` when tracing is on.
 */
function attemptHeaders(input: ForwardInput, target: UpstreamTarget, attempt: number, call: ProviderCall | undefined): UpstreamHeaders {
  const headers = call ? call.dispatch.headers : target.fixedHeaders === undefined ? input.headers : { ...input.headers, ...target.fixedHeaders };
  const span = input.state.span;
  if (!span) return headers;
  return call
    ? span.startAttempt(input.state, target, attempt, call.dispatch.method, call.dispatch.path, headers)
    : span.startAttempt(input.state, target, attempt, input.method, input.path, headers);
}

/** The target URL's own query first, then the client's. */
function withTargetQuery(targetQuery: string, search: string): string {
  return search.length > 1 ? `?${targetQuery}&${search.slice(1)}` : `?${targetQuery}`;
}

function emitAttempt(
  input: ForwardInput,
  target: UpstreamTarget,
  attempt: number,
  outcome: AttemptOutcome,
  durationMs: number,
  status: number | undefined,
  code: string | undefined,
): void {
  if (!input.events.has('upstream.attempt')) return;
  input.events.emit('upstream.attempt', {
    requestId: input.requestId,
    route: input.route.name,
    target: target.url,
    attempt,
    outcome,
    status,
    durationMs,
    errorCode: code,
    provider: input.state.upstream.provider,
    model: input.state.upstream.model,
  });
}

/** Waits `delayMs` unless that would cross the deadline or the request is aborted; true when the wait completed. */
async function waitWithinBudget(delayMs: number, input: ForwardInput): Promise<boolean> {
  if (performance.now() + delayMs >= input.deadline || input.signal.aborted) return false;
  if (delayMs <= 0) return true;
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      input.signal.offAbort(onAbort);
      resolve(true);
    }, delayMs);
    input.signal.onAbort(onAbort);
  });
}

function abortedOrTimeout(input: ForwardInput, target: UpstreamTarget, route: RouteConfig): ForwardResult {
  return classifyFailure(undefined, input.signal) === 'timeout' ? failureOf('timeout', target, route, input, undefined) : { kind: 'aborted' };
}

function failureOf(
  outcome: Exclude<AttemptOutcome, 'response' | 'aborted' | 'client-error'>,
  target: UpstreamTarget,
  route: RouteConfig,
  input: ForwardInput,
  err: unknown,
  attempt?: AbortSource,
): Failure {
  const code = errorCode(err);
  if (outcome === 'timeout') {
    const what =
      input.signal.aborted || attempt?.reason === ABORT_TOTAL_TIMEOUT
        ? `the route's total timeout of ${route.timeoutMs} ms ran out`
        : code === 'UND_ERR_CONNECT_TIMEOUT'
          ? `no connection within ${route.connectTimeoutMs} ms`
          : `no response headers within ${route.firstByteTimeoutMs} ms`;
    return { kind: 'failed', status: 504, type: 'upstream_timeout', message: `Upstream ${target.url} is too slow: ${what}.` };
  }
  if (outcome === 'connect-error') {
    return {
      kind: 'failed',
      status: 502,
      type: 'upstream_unreachable',
      message: `Upstream ${target.url} could not be reached (${code ?? 'connection failed'}).`,
    };
  }
  return { kind: 'failed', status: 502, type: 'upstream_error', message: `Upstream ${target.url} failed (${code ?? 'unexpected error'}).` };
}

function noHealthyTarget(route: RouteConfig, group: UpstreamGroup): Failure {
  const count = group.targets.length;
  return {
    kind: 'failed',
    status: 503,
    type: 'no_healthy_target',
    message:
      count === 1
        ? `The target of route "${route.name}" is unhealthy; try again later.`
        : `All ${count} targets of route "${route.name}" are unhealthy; try again later.`,
  };
}
