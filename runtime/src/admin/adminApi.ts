// The control plane as one Koa middleware: `/healthz` and `/readyz` without auth, `/api/v1/*` behind the
// gateway's AI_GATEWAY_API_KEY; anything else goes on to the proxy pipeline. Mounted first on the gateway's
// app, or alone on a separate admin listener (gateway.admin.listen).
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import { Admin } from '../../../common/src/protocol';
import { ADMIN_KEY_ENV, adminKeyChecker } from './adminAuth';
import { adminKeyGuesses } from './adminKeyGuesses';
import type { AuthFailureLimit } from '../security/authFailureLimit';
import { AdminError, errorResponse, toAdminError } from './adminErrors';
import { AdminRouter, type AdminContext } from './adminRouter';
import { adminDeps, type AdminDeps, type AdminOptions } from './deps';
import { registerConfigHandlers } from './handlers/config';
import { registerOperationHandlers } from './handlers/operations';
import { registerRouteHandlers } from './handlers/routes';
import { registerSecurityHandlers } from './handlers/security';
import { registerSpendHandlers } from './handlers/spend';
import { registerTrafficHandlers } from './handlers/traffic';

export function adminApi(options: AdminOptions): Middleware {
  const deps = adminDeps(options);
  const router = registerAdminHandlers(new AdminRouter(), deps);
  const checkKey = adminKeyChecker(options.apiKey);
  const guesses = adminKeyGuesses(() => options.runtime.snapshot.config.gateway.limits.authFailures);

  const basePrefix = `${Admin.basePath}/`;
  // Not async, and the path read once, for the requests that only pass through (every proxied one).
  return function adminMiddleware(ctx, next) {
    const path = ctx.path;
    if (path === '/healthz' || path === '/readyz') return health(ctx, next, path === '/readyz');
    if (path !== Admin.basePath && !path.startsWith(basePrefix)) return next();
    return handle(ctx);
  };

  function health(ctx: AdminContext, next: () => Promise<unknown>, readiness: boolean): Promise<unknown> {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const ready = !readiness || options.runtime.hasConfig;
    ctx.status = ready ? 200 : 503;
    ctx.body = (
      !readiness ? { status: 'ok' } : ready ? { status: 'ready', configVersion: options.runtime.snapshot.version } : { status: 'not-ready' }
    ) satisfies Admin.Health;
    return Promise.resolve();
  }

  async function handle(ctx: AdminContext): Promise<void> {
    const requestId = (ctx.state as { requestId?: string }).requestId ?? randomUUID();
    ctx.set('x-request-id', requestId);
    ctx.set('Cache-Control', 'no-store');
    try {
      await authorize(ctx, checkKey, guesses());
      const found = router.match(ctx.method, ctx.path.slice(Admin.basePath.length));
      if (!found) throw new AdminError(404, 'not_found', `No admin endpoint ${ctx.method} ${ctx.path}. See docs/control-plane.md.`);
      if ('allowed' in found) {
        ctx.set('Allow', found.allowed.join(', '));
        throw new AdminError(405, 'method_not_allowed', `${ctx.path} accepts ${found.allowed.join(', ')}, not ${ctx.method}.`);
      }
      await found.handler(ctx, found.params);
    } catch (err) {
      const adminError = toAdminError(err, options.store?.file);
      if (!adminError) {
        options.runtime.logger.error({ requestId, err: err instanceof Error ? err.message : String(err) }, 'admin API request failed');
      }
      const answer = adminError ?? new AdminError(500, 'internal_error', 'The admin API failed to handle this request; the gateway log has the details.');
      ctx.status = answer.status;
      ctx.body = errorResponse(answer, requestId);
    }
  }
}

/** The caller: on the primary's private socket, the address the forwarding worker was connected from. */
function clientAddress(ctx: AdminContext): string {
  return (ctx.state as { clientAddress?: string }).clientAddress ?? ctx.ip;
}

/** Every `/api/v1` endpoint, on `router`; test/contract holds them to schemas/admin-api.openapi.json. */
export function registerAdminHandlers(router: AdminRouter, deps: AdminDeps): AdminRouter {
  registerRouteHandlers(router, deps);
  registerSecurityHandlers(router, deps);
  registerConfigHandlers(router, deps);
  registerOperationHandlers(router, deps);
  registerSpendHandlers(router, deps);
  registerTrafficHandlers(router, deps);
  return router;
}

async function authorize(ctx: AdminContext, checkKey: ReturnType<typeof adminKeyChecker>, guesses: AuthFailureLimit | undefined): Promise<void> {
  const address = clientAddress(ctx);
  const blocked = guesses?.blocked(address);
  if (blocked) {
    const retryAfterSec = Math.max(1, Math.ceil(blocked.resetMs / 1000));
    ctx.set('Retry-After', String(retryAfterSec));
    throw new AdminError(
      429,
      'rate_limited',
      `Too many wrong admin API keys from this address (gateway.limits.authFailures ${guesses!.rate.source}); retry in ${retryAfterSec}s.`,
    );
  }
  const check = checkKey(ctx.get('Authorization') || undefined);
  if (check === 'ok') return;
  if (check === 'wrong' && guesses) await guesses.failed(address);
  if (check === 'disabled') {
    throw new AdminError(
      403,
      'admin_disabled',
      `The admin API is off because ${ADMIN_KEY_ENV} is not set for the gateway: start the gateway with ${ADMIN_KEY_ENV}=<a long random key> and send it as "Authorization: Bearer <key>".`,
    );
  }
  ctx.set('WWW-Authenticate', 'Bearer realm="ai-gateway-admin"');
  throw new AdminError(
    401,
    'unauthorized',
    check === 'missing'
      ? `Missing admin API key: send "Authorization: Bearer $${ADMIN_KEY_ENV}".`
      : `Wrong admin API key: use the ${ADMIN_KEY_ENV} the gateway was started with.`,
  );
}
