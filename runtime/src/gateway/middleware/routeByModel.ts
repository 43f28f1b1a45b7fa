// Routes on the JSON body's "model" (`match.model`), after authentication: an authenticated request's body is read
// whole (up to maxBodySize) and kept for the proxy to replay; a request that is not authenticated (a public
// endpoint) is read only up to limits.maxPreAuthBufferSize, its model must appear within that prefix, and the
// rest streams upstream after it. Security rules belong to paths, not models, so no rule depends on the body.
import type { Middleware, Next } from 'koa';
import { bodyTooLargeMessage, readBody } from '../clientBody';
import type { GatewayContext, GatewayState } from '../context';
import { respondWithError } from '../errors';
import type { RouteQuery } from '../routing/compileRoutes';
import { modelInJsonPrefix, modelOfJsonBody } from '../routing/modelField';
import { decideRoute } from './route';

export function routeByModel(): Middleware<GatewayState> {
  // Not async unless a route waits on the model: see normalize.ts.
  return function routeByModelMiddleware(ctx, next) {
    const query = ctx.state.pendingModelRoute;
    return query === undefined ? next() : readModelThenRoute(ctx, next, query);
  };
}

async function readModelThenRoute(ctx: GatewayContext, next: Next, query: RouteQuery): Promise<void> {
  const state = ctx.state;
  const limits = state.snapshot.config.gateway.limits;
  state.pendingModelRoute = undefined;
  const bound = state.authenticated ? limits.maxBodyBytes : Math.min(limits.maxPreAuthBufferBytes, limits.maxBodyBytes);
  const read = await readBody(ctx.req, ctx.res, state, bound);
  if (read.complete) {
    state.body = read.data;
    state.model = modelOfJsonBody(read.data);
  } else if (state.authenticated) {
    return refuse(ctx, 413, 'request_too_large', bodyTooLargeMessage(limits.maxBodyBytes));
  } else {
    const prefix = Buffer.concat(read.prefix, read.size);
    const scanned = modelInJsonPrefix(prefix);
    if (scanned.kind === 'not-within') {
      return refuse(
        ctx,
        413,
        'request_too_large',
        `On an endpoint without authentication the JSON "model" must appear within the first ${bound} bytes of the body (gateway.limits.maxPreAuthBufferSize): send "model" first, or protect the endpoint with auth.`,
      );
    }
    if (scanned.kind === 'ambiguous') return refuse(ctx, 400, 'bad_request', 'The JSON body has more than one "model".');
    state.model = scanned.kind === 'found' ? scanned.model : undefined;
    state.bodyPrefix = [prefix];
  }
  return decideRoute(ctx, next, state.snapshot.routes.find({ ...query, model: state.model }));
}

function refuse(ctx: GatewayContext, status: number, type: string, message: string): Promise<void> {
  respondWithError(ctx, status, type, message);
  ctx.set('connection', 'close'); // the unread rest of the body would otherwise be parsed as the next request
  return Promise.resolve();
}
