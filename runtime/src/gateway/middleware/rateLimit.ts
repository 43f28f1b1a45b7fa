// rate-limit: the security rule's request and token limits (security/rateLimitPolicy.ts), after authenticate so
// that limits can be per consumer. Every limited response carries RateLimit-Limit/-Remaining/-Reset; a refusal
// is a 429 with Retry-After naming the limit hit. Token usage is settled when the response is over, from the
// `usage` the proxy read from the upstream's JSON or SSE answer.
import type { Middleware, Next } from 'koa';
import { RateLimitStoreUnavailable } from '../../limits/failurePolicy';
import type { CompiledSecurity } from '../../security/compileSecurity';
import type { CompiledRateLimit, RateLimitRefusal, RateLimitStatus } from '../../security/rateLimitPolicy';
import type { ConfigPart } from '../snapshot';
import { addTrace, type GatewayContext, type GatewayState } from '../context';
import { respondWithError } from '../errors';

// A rough prompt size in tokens: about four bytes of JSON per token.
const BYTES_PER_TOKEN = 4;

export function rateLimit(security: ConfigPart<CompiledSecurity>): Middleware<GatewayState> {
  // Not async on the way through (no limit on the path): see normalize.ts.
  return function rateLimitMiddleware(ctx, next) {
    const limits = ctx.state.snapshot.part(security).policyFor(ctx.state.path, ctx.method)?.rateLimit;
    if (limits === undefined) return next();
    return admitThenNext(ctx, next, limits);
  };
}

async function admitThenNext(ctx: GatewayContext, next: Next, limits: CompiledRateLimit): Promise<void> {
  const subject = { consumer: ctx.state.consumer, ip: ctx.ip, route: ctx.state.route?.name ?? ctx.state.path };
  const estimate = limits.config.tokens && limits.config.tokenEstimate === 'prompt' ? promptTokenEstimate(ctx) : 0;
  let admission;
  try {
    admission = await limits.admit(subject, estimate);
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
  if (settle) ctx.res.once('close', () => settle(ctx.state.usage?.totalTokens ?? estimate));
  await next();
}

function promptTokenEstimate(ctx: GatewayContext): number {
  const bytes = ctx.state.body?.length ?? Number(ctx.get('content-length') || 0);
  return Number.isFinite(bytes) ? Math.ceil(bytes / BYTES_PER_TOKEN) : 0;
}

function setRateLimitHeaders(ctx: GatewayContext, status: RateLimitStatus): void {
  ctx.set('RateLimit-Limit', String(status.limit));
  ctx.set('RateLimit-Remaining', String(status.remaining));
  ctx.set('RateLimit-Reset', String(Math.ceil(status.resetMs / 1000)));
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
