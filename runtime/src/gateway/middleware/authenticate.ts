// authenticate: who is calling, per the security rule of the routed path (security/compileSecurity.ts).
// 401 with WWW-Authenticate when credentials are missing or bad, 403 when they are good but not for this
// endpoint (or no rule covers it and gateway.defaultAuth is deny), 503 when the identity provider's keys cannot be
// fetched. Sets `state.consumer` on success, and which header held the credential: the proxy does not send it
// upstream unless the route says `forwardCredentials`. Bad credentials count against the client address's
// gateway.limits.authFailures (security/authFailureLimit.ts): past it, 429 before any credential is checked.
import type { Middleware, Next } from 'koa';
import { AuthFailure } from '../../security/authFailure';
import type { AuthFailureLimit } from '../../security/authFailureLimit';
import type { CompiledSecurity, SecurityPolicy } from '../../security/compileSecurity';
import type { RateLimitStatus } from '../../security/rateLimitPolicy';
import type { ConfigPart } from '../snapshot';
import { addTrace, type GatewayContext, type GatewayState } from '../context';
import { respondWithError } from '../errors';
import { setRateLimitHeaders } from './rateLimit';

const REALM = 'ai-gateway';
const BEARER = /^Bearer +(\S+) *$/i;

export function authenticate(security: ConfigPart<CompiledSecurity>): Middleware<GatewayState> {
  // Not async on the way through (a public route): see normalize.ts.
  return function authenticateMiddleware(ctx, next) {
    const compiled = ctx.state.snapshot.part(security);
    const policy = compiled.policyFor(ctx.state.path, ctx.method);
    if (policy === undefined) return ctx.state.snapshot.config.gateway.defaultAuth === 'deny' ? closedByDefault(ctx) : next();
    if (policy.rule.auth === 'none') return next();
    const blocked = compiled.authFailures?.blocked(ctx.ip);
    if (blocked) return tooManyFailures(ctx, compiled.authFailures!, blocked);
    return authenticateWith(ctx, next, policy, compiled.authFailures);
  };
}

async function authenticateWith(ctx: GatewayContext, next: Next, policy: SecurityPolicy, failures: AuthFailureLimit | undefined): Promise<void> {
  let consumer: string;
  try {
    const verified = consumerOf(ctx, policy);
    consumer = typeof verified === 'string' ? verified : await verified;
    if (policy.rule.consumers && !policy.rule.consumers.includes(consumer)) {
      throw new AuthFailure('forbidden', 'this consumer is not allowed on this endpoint');
    }
  } catch (err) {
    if (!(err instanceof AuthFailure)) throw err;
    // Only wrong credentials are guesses: none at all, or good ones for another endpoint, are not counted.
    if (err.kind === 'invalid' && failures) await countFailure(ctx, failures);
    refuse(ctx, policy, err);
    return;
  }
  ctx.state.consumer = consumer;
  ctx.state.authenticated = true;
  if (ctx.state.trace) addTrace(ctx.state, 'auth', 'accepted', `${policy.rule.auth} consumer ${consumer}`);
  await next();
}

async function countFailure(ctx: GatewayContext, failures: AuthFailureLimit): Promise<void> {
  try {
    setRateLimitHeaders(ctx, await failures.failed(ctx.ip));
  } catch {
    // The store could not count it (onStoreFailure): the 401 stands, uncounted.
  }
}

/** The address has used up gateway.limits.authFailures: refused before its credentials are looked at. */
function tooManyFailures(ctx: GatewayContext, failures: AuthFailureLimit, status: RateLimitStatus): Promise<void> {
  const retryAfterSec = Math.max(1, Math.ceil(status.resetMs / 1000));
  addTrace(ctx.state, 'auth', 'rejected', 'too many failed attempts from this address');
  ctx.state.rejection = { by: 'rate-limit', limit: 'auth-failures', rate: failures.rate.source };
  setRateLimitHeaders(ctx, status);
  ctx.set('Retry-After', String(retryAfterSec));
  respondWithError(
    ctx,
    429,
    'rate_limited',
    `too many failed authentication attempts from this address (gateway.limits.authFailures ${failures.rate.source}); retry in ${retryAfterSec}s`,
  );
  return Promise.resolve();
}

/** The consumer; a JWT may need its issuer's keys fetched, an API key is checked at once (no promise to wait on). */
function consumerOf(ctx: GatewayContext, policy: SecurityPolicy): string | Promise<string> {
  const bearer = BEARER.exec(ctx.get('authorization'))?.[1];
  if (policy.jwt) {
    if (bearer === undefined) throw new AuthFailure('missing', 'a JWT is required in Authorization: Bearer');
    ctx.state.credentialHeader = 'authorization';
    return policy.jwt.verify(bearer).then((verified) => verified.consumer);
  }
  if (policy.apiKeys) {
    const headerKey = ctx.get('x-api-key');
    const key = headerKey || bearer;
    if (!key) throw new AuthFailure('missing', 'an API key is required in x-api-key or Authorization: Bearer');
    ctx.state.credentialHeader = headerKey ? 'x-api-key' : 'authorization';
    return policy.apiKeys.verify(key);
  }
  throw new Error(`${policy.label}: auth ${policy.rule.auth} has no verifier`);
}

/** gateway.defaultAuth: deny, and no security rule covers this path and method. */
function closedByDefault(ctx: GatewayContext): Promise<void> {
  const failure = new AuthFailure('forbidden', 'no security rule covers this path and method, and gateway.defaultAuth is deny');
  addTrace(ctx.state, 'auth', 'rejected', failure.reason);
  ctx.state.rejection = { by: 'auth', kind: failure.kind, reason: failure.reason };
  respondWithError(ctx, 403, 'forbidden', `${ctx.method} ${ctx.state.path} is closed: ${failure.reason}.`);
  return Promise.resolve();
}

function refuse(ctx: GatewayContext, policy: SecurityPolicy, failure: AuthFailure): void {
  addTrace(ctx.state, 'auth', 'rejected', failure.reason);
  ctx.state.rejection = { by: 'auth', kind: failure.kind, reason: failure.reason }; // counted by observe (metrics, webhooks)
  if (failure.kind === 'missing') ctx.set('WWW-Authenticate', `Bearer realm="${REALM}"`);
  if (failure.kind === 'invalid') {
    ctx.set('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token", error_description="${failure.reason.replace(/["\\]/g, '')}"`);
  }
  const type = failure.kind === 'forbidden' ? 'forbidden' : failure.kind === 'unavailable' ? 'auth_unavailable' : 'unauthorized';
  const message = failure.kind === 'missing' ? failure.reason : `${policy.rule.auth === 'jwt' ? 'JWT' : 'API key'} refused: ${failure.reason}`;
  respondWithError(ctx, failure.status, type, message);
}
