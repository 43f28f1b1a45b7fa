// rate-limit: the security rule's request and token limits (security/rateLimitPolicy.ts), after authenticate so
// that limits can be per consumer. Every limited response carries RateLimit-Limit/-Remaining/-Reset; a refusal
// is a 429 with Retry-After naming the limit hit. A token limit reserves the request's most (security/tokenReservation.ts)
// before it is forwarded and settles when the response is over: to the `usage` the upstream reported, else to an
// estimate (the prompt's, plus the streamed answer's counted tokens or its body size).
import type { Middleware, Next } from 'koa';
import { RateLimitStoreUnavailable } from '../../limits/failurePolicy';
import type { CompiledSecurity } from '../../security/compileSecurity';
import type { CompiledRateLimit, RateLimitRefusal, RateLimitStatus } from '../../security/rateLimitPolicy';
import { tokenRequestOf, type TokenRequest } from '../../security/tokenReservation';
import type { ConfigSnapshot, ConfigPart } from '../snapshot';
import { addTrace, type GatewayContext, type GatewayState } from '../context';
import { respondWithError } from '../errors';
import { CompletionCounter } from '../upstream/completionCounter';
import { bodyJson } from '../bodyJson';
import { bodyTooLargeMessage, hasRequestBody, readBody } from '../clientBody';

export function rateLimit(security: ConfigPart<CompiledSecurity>): Middleware<GatewayState> {
  // Not async on the way through (no limit on the path): see normalize.ts.
  return function rateLimitMiddleware(ctx, next) {
    const limits = ctx.state.snapshot.part(security).policyFor(ctx.state.path, ctx.method)?.rateLimit;
    if (limits === undefined) return next();
    return admitThenNext(ctx, next, limits);
  };
}

async function admitThenNext(ctx: GatewayContext, next: Next, limits: CompiledRateLimit): Promise<void> {
  const state = ctx.state;
  const subject = { consumer: state.consumer, ip: ctx.ip, route: state.route?.name ?? state.path };
  let tokenRequest: TokenRequest | undefined;
  let reservation = 0;
  if (limits.config.tokens) {
    const body = await bodyOf(ctx, state.snapshot);
    if (body === TOO_LARGE) return;
    tokenRequest = tokenRequestOf(body, Number(ctx.get('content-length') || 0), limits.config.defaultMaxTokens, (bytes) => bodyJson(state, bytes));
    if (limits.config.tokenEstimate === 'prompt') reservation = tokenRequest.promptTokens + tokenRequest.completionTokens;
    state.completion = new CompletionCounter(tokenRequest.model ?? state.model, tokenRequest.streamWithoutUsage);
  }
  let admission;
  try {
    admission = await limits.admit(subject, reservation);
  } catch (err) {
    if (!(err instanceof RateLimitStoreUnavailable)) throw err;
    storeUnavailable(ctx, err); // gateway.store.onStoreFailure: fail-closed
    return;
  }
  if (admission.status) setRateLimitHeaders(ctx, admission.status);
  if (admission.refused) {
    refuse(ctx, admission.refused);
    return;
  }
  const settle = admission.settleTokens;
  if (!settle) {
    await next();
    return;
  }
  try {
    await next();
  } finally {
    // The proxy has relayed the whole answer (or given up on it): charge it before this request is over.
    settle(knownTokensUsed(state) ?? (await countedTokens(state, tokenRequest).catch(() => reservation)));
  }
}

const TOO_LARGE = Symbol('too-large');

/**
 * The request body the reservation reads `max_tokens` from, when no stage has read it yet: up to maxBodySize once
 * authenticated, up to maxPreAuthBufferSize on a public endpoint (a longer body streams on, estimated by its prefix
 * or its declared length).
 */
async function bodyOf(ctx: GatewayContext, snapshot: ConfigSnapshot): Promise<Buffer | undefined | typeof TOO_LARGE> {
  const state = ctx.state;
  if (state.body !== undefined || state.bodyPrefix !== undefined || !hasRequestBody(ctx.req)) return state.body ?? state.bodyPrefix?.[0];
  const limits = snapshot.config.gateway.limits;
  const bound = state.authenticated ? limits.maxBodyBytes : Math.min(limits.maxPreAuthBufferBytes, limits.maxBodyBytes);
  const read = await readBody(ctx.req, ctx.res, state, bound);
  if (read.complete) {
    state.body = read.data;
    return read.data;
  }
  if (state.authenticated) {
    respondWithError(ctx, 413, 'request_too_large', bodyTooLargeMessage(limits.maxBodyBytes));
    ctx.set('connection', 'close'); // the unread rest of the body would otherwise be parsed as the next request
    return TOO_LARGE;
  }
  const prefix = Buffer.concat(read.prefix, read.size);
  state.bodyPrefix = [prefix];
  return prefix;
}

/**
 * What a finished request is charged: the upstream's `usage`; nothing for an answer it refused (or never gave), nor
 * for a cache hit unless its route's cache says `chargeHits`; undefined when it must be counted (countedTokens).
 */
function knownTokensUsed(state: GatewayState): number | undefined {
  if (state.cache?.result === 'hit') return state.cache.chargedTokens ?? 0; // answered from the cache: what `chargeHits` says
  if (state.usage) return state.usage.totalTokens;
  if (state.upstream.status === undefined || state.upstream.status >= 400) return 0;
  return undefined;
}

/** An answer without usage: the prompt estimate plus the answer's counted tokens (security/tokenReservation.ts, upstream/completionCounter.ts). */
async function countedTokens(state: GatewayState, request: TokenRequest | undefined): Promise<number> {
  return (request?.promptTokens ?? 0) + (state.completion ? await state.completion.tokens() : 0);
}

/** The answer's RateLimit-* headers, whichever writes it (GatewayState.answerHeaders); a later status replaces an earlier one. */
export function setRateLimitHeaders(ctx: GatewayContext, status: RateLimitStatus): void {
  const headers = (ctx.state.answerHeaders ??= {});
  headers['RateLimit-Limit'] = String(status.limit);
  headers['RateLimit-Remaining'] = String(status.remaining);
  headers['RateLimit-Reset'] = String(Math.ceil(status.resetMs / 1000));
}

function refuse(ctx: GatewayContext, refusal: RateLimitRefusal): void {
  const retryAfterSec = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
  addTrace(ctx.state, 'rate-limit', 'rejected', `${refusal.limit} ${refusal.rate}`);
  ctx.state.rejection = { by: 'rate-limit', limit: refusal.limit, rate: refusal.rate }; // counted by observe (metrics, webhooks)
  ctx.set('Retry-After', String(retryAfterSec));
  const what = refusal.limit === 'requests' ? 'request' : 'token';
  respondWithError(ctx, 429, 'rate_limited', `${what} rate limit ${refusal.rate} per ${refusal.by} reached; retry in ${retryAfterSec}s`);
}

function storeUnavailable(ctx: GatewayContext, err: RateLimitStoreUnavailable): void {
  addTrace(ctx.state, 'rate-limit', 'rejected', 'store unavailable');
  ctx.set('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
  respondWithError(ctx, 503, 'rate_limit_store_unavailable', 'Rate limits cannot be checked right now (their shared store is unavailable); retry shortly.');
}
