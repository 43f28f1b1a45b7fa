// limit-body: gateway.limits.maxBodySize for every request. A declared Content-Length over the limit is a 413
// before a byte is read (and before any 100 Continue). A chunked body has no length to check: it is counted while
// it streams (clientBody.ts) and stopped with a 413 when it grows past the limit.
import type { Middleware } from 'koa';
import { bodyTooLargeMessage } from '../clientBody';
import type { GatewayState } from '../context';
import { respondWithError } from '../errors';

export function limitBody(): Middleware<GatewayState> {
  return function limitBodyMiddleware(ctx, next) {
    const declared = ctx.req.headers['content-length'];
    if (declared === undefined) return next();
    const limit = ctx.state.snapshot.config.gateway.limits.maxBodyBytes;
    if (!(Number(declared) > limit)) return next();
    respondWithError(ctx, 413, 'request_too_large', bodyTooLargeMessage(limit));
    // The unread body would otherwise be parsed as the next request on this connection.
    ctx.set('connection', 'close');
    return Promise.resolve();
  };
}
