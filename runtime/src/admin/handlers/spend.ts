// `GET /api/v1/spend` (what was spent, by consumer, route or model, in a UTC day or month) and
// `DELETE /api/v1/routes/{name}/cache` (a route's stored answers removed, every replica's with Redis).
import type { Admin } from '../../../../common/src/protocol';
import { cachePrefix } from '../../cache/compileCache';
import { parsePeriod } from '../../cost/periods';
import { SPEND_VIEWS, type SpendBy } from '../../cost/spendLedger';
import { StoreUnavailable } from '../../stores/storeOutage';
import { AdminError } from '../adminErrors';
import type { AdminRouter } from '../adminRouter';
import type { AdminDeps } from '../deps';

export function registerSpendHandlers(router: AdminRouter, deps: AdminDeps): void {
  router
    .on('GET', '/spend', async (ctx) => {
      const by = single(ctx.query.by, 'by') ?? 'consumer';
      if (!SPEND_VIEWS.includes(by as SpendBy))
        throw new AdminError(400, 'bad_request', `"by" must be one of ${SPEND_VIEWS.join(', ')}; got ${JSON.stringify(by)}.`);
      const periodText = single(ctx.query.period, 'period') ?? 'month';
      const period = parsePeriod(periodText);
      if (!period) {
        throw new AdminError(
          400,
          'bad_request',
          `"period" must be day, month, a UTC day (2026-07-14) or a month (2026-07); got ${JSON.stringify(periodText)}.`,
        );
      }
      const ledger = deps.observability?.spend;
      ctx.body = (
        ledger
          ? await unlessStoreDown(() => ledger.report(by as SpendBy, period))
          : { by: by as SpendBy, period: period.id, periodKind: period.kind, totalUsd: 0, requests: 0, entries: [] }
      ) satisfies Admin.SpendReport;
    })
    .on('DELETE', '/routes/:name/cache', async (ctx, { name }) => {
      const route = deps.runtime.snapshot.config.routes.find((candidate) => candidate.name === name);
      if (!route) {
        const names = deps.runtime.snapshot.config.routes.map((r) => r.name).join(', ') || 'none';
        throw new AdminError(404, 'route_not_found', `There is no route named "${name}". Routes: ${names}.`);
      }
      const store = deps.cache;
      const purged = store ? await unlessStoreDown(() => store.purge(cachePrefix(route.name, route.cache ?? { by: 'consumer' }))) : 0;
      ctx.body = { route: route.name, purged } satisfies Admin.CachePurged;
    });
}

function single(value: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(value)) throw new AdminError(400, 'bad_request', `"${name}" may be given once.`);
  return value;
}

async function unlessStoreDown<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof StoreUnavailable)
      throw new AdminError(503, 'store_unavailable', `The shared store (Redis) does not answer: ${err.message}. Retry shortly.`);
    throw err;
  }
}
