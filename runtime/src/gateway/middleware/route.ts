// Picks the route: path, method, headers, and the JSON body's model (the body is read only when a candidate
// route needs it, and kept for the proxy to replay). No route -> 404; path known but method not -> 405 + Allow.
import type { Middleware } from 'koa';
import { addTrace, type GatewayState } from '../context';
import { respondWithError } from '../errors';
import { MODEL_NOT_READ } from '../routing/compileRoutes';
import { modelOfJsonBody, readBodyUpTo } from '../upstream/requestBody';

export function route(): Middleware<GatewayState> {
  return async (ctx, next) => {
    const state = ctx.state;
    const table = state.snapshot.routes;
    const query = { method: ctx.method, path: state.path, headers: ctx.req.headers, model: MODEL_NOT_READ as string | undefined | typeof MODEL_NOT_READ };
    let found = table.find(query);
    if (found.kind === 'needs-model') {
      const limit = state.snapshot.config.gateway.limits.maxBodyBytes;
      const read = await readBodyUpTo(ctx.req, limit);
      if (!read.complete) {
        respondWithError(ctx, 413, 'request_too_large', `The request body is larger than gateway.limits.maxBodyBytes (${limit} bytes).`);
        ctx.set('connection', 'close');
        return;
      }
      state.body = read.data;
      state.model = modelOfJsonBody(read.data);
      found = table.find({ ...query, model: state.model });
    }
    switch (found.kind) {
      case 'matched':
        state.route = found.route;
        state.params = found.params;
        addTrace(state, 'route', `matched "${found.route.name}"`, matchReason(found.route.config.path, found.route.headerMatchers.length, state.model));
        return next();
      case 'method-not-allowed':
        ctx.set('allow', found.allow.join(', '));
        addTrace(state, 'route', 'method not allowed', `path matches "${found.route.name}", which accepts ${found.allow.join(', ')}`);
        respondWithError(ctx, 405, 'method_not_allowed', `${ctx.method} is not allowed on ${state.path}; allowed: ${found.allow.join(', ')}.`, found.route.name);
        return;
      case 'needs-model':
      case 'not-found':
        addTrace(state, 'route', 'no route');
        respondWithError(ctx, 404, 'route_not_found', `No route matches ${ctx.method} ${state.path}.`);
        return;
    }
  };
}

function matchReason(path: string, headerCount: number, model: string | undefined): string {
  const parts = [`path ${path}`];
  if (headerCount > 0) parts.push(`${headerCount} header condition(s)`);
  if (model !== undefined) parts.push(`model "${model}"`);
  return parts.join(', ');
}
