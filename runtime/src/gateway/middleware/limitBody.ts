// limit-body: gateway.limits.maxBodyBytes for every request. A declared Content-Length over the limit is a 413
// before a byte is read; a chunked body (no length to check) is read up to the limit and kept for the proxy to
// replay, since the proxy streams `req` as is and a stream cut mid-upload could not become a clean 413.
import type { Middleware, Next } from 'koa';
import type { GatewayContext, GatewayState } from '../context';
import { respondWithError } from '../errors';
import { readBodyUpTo } from '../upstream/outgoingBody';

export function limitBody(): Middleware<GatewayState> {
  return function limitBodyMiddleware(ctx, next) {
    const state = ctx.state;
    if (state.body !== undefined) return next();
    const limit = state.snapshot.config.gateway.limits.maxBodyBytes;
    const declared = ctx.req.headers['content-length'];
    if (declared !== undefined) {
      if (Number(declared) > limit) return tooLarge(ctx, limit);
      return next();
    }
    if (ctx.req.headers['transfer-encoding'] !== undefined) return readChunked(ctx, next, limit);
    return next();
  };
}

async function readChunked(ctx: GatewayContext, next: Next, limit: number): Promise<void> {
  const read = await readBodyUpTo(ctx.req, limit);
  if (!read.complete) return tooLarge(ctx, limit);
  ctx.state.body = read.data;
  await next();
}

function tooLarge(ctx: GatewayContext, limit: number): Promise<void> {
  respondWithError(ctx, 413, 'request_too_large', `The request body is larger than gateway.limits.maxBodyBytes (${limit} bytes).`);
  // The unread body would otherwise be parsed as the next request on this connection.
  ctx.set('connection', 'close');
  return Promise.resolve();
}
