// `PUT /api/v1/log-level` and `GET /api/v1/metrics`: turning up logging while running, and the per-route
// summary over the recent window that the CLI and the editor's panels show.
import { setLogLevel } from '../../configStore/configEdits';
import { LOG_LEVELS, type LogLevel } from '../../../../common/src/config';
import type { Admin } from '../../../../common/src/protocol';
import { AdminError } from '../adminErrors';
import type { AdminRouter } from '../adminRouter';
import type { AdminDeps } from '../deps';
import { parseObjectBody, readBodyText } from '../adminBody';

const METRIC_TYPES = ['latency', 'requests', 'errors', 'tokens'] as const;

export function registerOperationHandlers(router: AdminRouter, deps: AdminDeps): void {
  router
    .on('PUT', '/log-level', async (ctx) => {
      const body = parseObjectBody(await readBodyText(ctx.req), '{ "level": "debug" }');
      const level = body.level;
      if (typeof level !== 'string' || !LOG_LEVELS.includes(level as LogLevel)) {
        throw new AdminError(400, 'bad_request', `"level" must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(level)}.`);
      }
      // A read-only or file-less gateway still takes a level for the running process.
      const persist = body.persist !== false && deps.store !== undefined && !deps.store.readOnly;
      if (persist) await deps.writableStore().edit((data) => setLogLevel(data, level as LogLevel));
      else deps.runtime.logger.level = level;
      ctx.body = { level: level as LogLevel, persisted: persist } satisfies Admin.LogLevelResult;
    })
    .on('GET', '/metrics', async (ctx) => {
      const type = ctx.query.type;
      if (type !== undefined && !METRIC_TYPES.includes(type as (typeof METRIC_TYPES)[number])) {
        throw new AdminError(400, 'bad_request', `"type" must be one of ${METRIC_TYPES.join(', ')}; got ${JSON.stringify(type)}.`);
      }
      const config = deps.runtime.snapshot.config;
      const unknown = [ctx.query.route].flat().find((name) => name !== undefined && !config.routes.some((r) => r.name === name));
      if (unknown !== undefined)
        throw new AdminError(404, 'route_not_found', `There is no route named "${unknown}". Routes: ${config.routes.map((r) => r.name).join(', ') || 'none'}.`);
      const wanted = new Set(config.routes.filter((r) => matches(ctx.query.route, r.name) && matches(ctx.query.endpoint, r.path)).map((r) => r.name));
      const summary = (await deps.observability?.summary()) ?? { windowSeconds: 0, routes: [] };
      ctx.body = { windowSeconds: summary.windowSeconds, routes: summary.routes.filter((r) => wanted.has(r.route)) } satisfies Admin.MetricsSummary;
    })
    .on('GET', '/traces/:requestId', async (ctx, { requestId }) => {
      const trace = await deps.observability?.trace(requestId as string);
      if (!trace)
        throw new AdminError(
          404,
          'trace_not_found',
          `No trace for request ${requestId}: send the request with "x-gateway-trace: 1" and "x-gateway-admin-key", and read it soon (the last few hundred are kept).`,
        );
      ctx.body = trace;
    });
}

function matches(filter: string | string[] | undefined, value: string): boolean {
  if (filter === undefined) return true;
  return (Array.isArray(filter) ? filter : [filter]).includes(value);
}
