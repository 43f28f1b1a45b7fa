// normalize: the first decision of the pipeline. The path is made canonical once (security/normalizePath.ts)
// and everything after it (routing, security, the proxy) sees only that form, so no spelling of a path can
// be routed one way and secured another; what cannot be made canonical is refused with a 400.
import type { Middleware } from 'koa';
import { normalizeRequestUrl } from '../../security/normalizePath';
import type { GatewayState } from '../context';
import { respondWithError } from '../errors';

export function normalize(): Middleware<GatewayState> {
  // Plain functions returning `next()` on the pass-through path (here and in the other middleware): an async
  // wrapper per stage adds a promise and its resolution hops to every request.
  return function normalizeMiddleware(ctx, next) {
    const normalized = normalizeRequestUrl(ctx.url);
    if (!normalized.ok) {
      respondWithError(ctx, 400, 'bad_request', `invalid request path: ${normalized.reason}`);
      return Promise.resolve();
    }
    if (normalized.changed) ctx.url = normalized.path + normalized.search;
    ctx.state.path = normalized.path;
    ctx.state.search = normalized.search;
    return next();
  };
}
