// `/api/v1/routes`: list, read, create (201, 409 on a duplicate), replace and delete routes. Changes go
// through the config store: kept in the YAML file, validated, applied, written atomically.
import type { Diagnostic, GatewayConfig } from '../../../../common/src/config';
import { addRoute, removeRoute, replaceRoute, routeIndex, type RawConfig } from '../../configStore/configEdits';
import type { Admin } from '../../../../common/src/protocol';
import { AdminError } from '../adminErrors';
import type { AdminRouter } from '../adminRouter';
import type { AdminDeps } from '../deps';
import { parseObjectBody, readBodyText } from '../adminBody';
import { fileOf, routeView } from '../views';

export function registerRouteHandlers(router: AdminRouter, deps: AdminDeps): void {
  router
    .on('GET', '/routes', (ctx) => {
      const config = deps.runtime.snapshot.config;
      ctx.body = { routes: config.routes.map((r) => routeView(config, r)) } satisfies Admin.RouteList;
    })
    .on('GET', '/routes/:name', (ctx, { name }) => {
      const config = deps.runtime.snapshot.config;
      const route = config.routes.find((r) => r.name === name);
      if (!route)
        throw notFound(
          name as string,
          config.routes.map((r) => r.name),
        );
      ctx.body = routeView(config, route) satisfies Admin.Route;
    })
    .on('POST', '/routes', async (ctx) => {
      const body = parseObjectBody(await readBodyText(ctx.req), 'a route: { "path": "/predict", "target": "http://ai-service:8080", "method": "POST" }');
      const store = deps.writableStore();
      const applied = await store.edit((data) => addRoute(data, body), refuseShadowedLastRoute);
      // Named by the change itself: concurrent creations each get their own route back.
      const created = applied.config.routes.find((r) => r.name === applied.routes.added[0]) ?? applied.config.routes[applied.config.routes.length - 1];
      if (!created) throw new AdminError(500, 'internal_error', 'The route was written but is not in the applied config.');
      ctx.status = 201;
      ctx.set('Location', `/api/v1/routes/${encodeURIComponent(created.name)}`);
      ctx.body = {
        route: routeView(applied.config, created),
        changes: applied.routes,
        warnings: applied.warnings,
        ...fileOf(store),
      } satisfies Admin.RouteResult;
    })
    .on('PUT', '/routes/:name', async (ctx, { name }) => {
      const body = parseObjectBody(await readBodyText(ctx.req), 'a route');
      const store = deps.writableStore();
      const applied = await store.edit((data) => {
        const index = indexOrThrow(data, name as string);
        const existing = (data.routes as Record<string, unknown>[])[index] ?? {};
        // A route keeps its name unless the body renames it.
        const named = body.name === undefined && typeof existing.name === 'string' ? { name: existing.name, ...body } : body;
        return replaceRoute(data, index, named);
      });
      const finalName = typeof body.name === 'string' ? body.name : (name as string);
      const route = applied.config.routes.find((r) => r.name === finalName) ?? applied.config.routes.find((r) => r.path === body.path);
      if (!route) throw new AdminError(500, 'internal_error', 'The route was written but is not in the applied config.');
      ctx.body = { route: routeView(applied.config, route), changes: applied.routes, warnings: applied.warnings, ...fileOf(store) } satisfies Admin.RouteResult;
    })
    .on('DELETE', '/routes/:name', async (ctx, { name }) => {
      const store = deps.writableStore();
      let removedSecurity: string[] = [];
      const applied = await store.edit((data) => {
        const result = removeRoute(data, indexOrThrow(data, name as string));
        removedSecurity = result.removedSecurity;
        return result.data;
      });
      ctx.body = { removed: name as string, removedSecurity, changes: applied.routes } satisfies Admin.RouteDeleted;
    });
}

/** A new route that an earlier, broader one would always win over could never serve: that is a duplicate too. */
function refuseShadowedLastRoute({ config, warnings }: { config: GatewayConfig; warnings: Diagnostic[] }): void {
  const last = config.routes.length - 1;
  const shadowed = warnings.find((d) => d.code === 'route.shadowed' && d.path[0] === 'routes' && d.path[1] === last);
  if (shadowed) throw new AdminError(409, 'already_exists', `${shadowed.message} Nothing was changed.`, [shadowed]);
}

function indexOrThrow(data: RawConfig, name: string): number {
  const index = routeIndex(data, name);
  if (index < 0) throw notFound(name, []);
  return index;
}

function notFound(name: string, known: string[]): AdminError {
  const list = known.length > 0 ? ` Routes: ${known.join(', ')}.` : ' GET /api/v1/routes lists them.';
  return new AdminError(404, 'route_not_found', `There is no route named "${name}".${list}`);
}
