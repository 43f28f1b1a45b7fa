// Picks the route: path, method and headers. When the route also depends on the JSON body's model, the choice is
// left to `routeByModel`, which reads the body only once the request is authenticated (or within a small bound
// when it is not). No route -> 404; path known but method not -> 405 + Allow.
import type { Middleware, Next } from 'koa';
import { addTrace, type GatewayContext, type GatewayState } from '../context';
import { respondWithError } from '../errors';
import { MODEL_NOT_READ, type RouteLookup, type RouteQuery } from '../routing/compileRoutes';

export function route(): Middleware<GatewayState> {
  // Not async: see normalize.ts.
  return function routeMiddleware(ctx, next) {
    const query: RouteQuery = { method: ctx.req.method!, path: ctx.state.path, headers: ctx.req.headers, model: MODEL_NOT_READ };
    const found = ctx.state.snapshot.routes.find(query);
    if (found.kind !== 'needs-model') return decideRoute(ctx, next, found);
    ctx.state.pendingModelRoute = query;
    return next();
  };
}

export function decideRoute(ctx: GatewayContext, next: Next, found: RouteLookup): Promise<void> {
  const state = ctx.state;
  switch (found.kind) {
    case 'matched':
      state.route = found.route;
      state.params = found.params;
      // The reason is only worth its string building when the request is traced (the hot path is not).
      if (state.trace)
        addTrace(state, 'route', `matched "${found.route.name}"`, matchReason(found.route.config.path, found.route.headerMatchers.length, state.model));
      return next();
    case 'method-not-allowed':
      ctx.set('allow', found.allow.join(', '));
      addTrace(state, 'route', 'method not allowed', `path matches "${found.route.name}", which accepts ${found.allow.join(', ')}`);
      respondWithError(ctx, 405, 'method_not_allowed', `${ctx.method} is not allowed on ${state.path}; allowed: ${found.allow.join(', ')}.`, found.route.name);
      return Promise.resolve();
    case 'needs-model':
    case 'not-found':
      addTrace(state, 'route', 'no route');
      respondWithError(ctx, 404, 'route_not_found', `No route matches ${ctx.method} ${state.path}.`);
      return Promise.resolve();
  }
}

function matchReason(path: string, headerCount: number, model: string | undefined): string {
  const parts = [`path ${path}`];
  if (headerCount > 0) parts.push(`${headerCount} header condition(s)`);
  if (model !== undefined) parts.push(`model "${model}"`);
  return parts.join(', ');
}
