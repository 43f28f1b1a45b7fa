// `GET /metrics`: the Prometheus exposition of this gateway's registry. Open like any scrape target: it carries
// route names, target URLs and counts, never a credential or a raw request path.
import type { Middleware } from 'koa';
import type { GatewayState } from '../gateway/context';
import type { Observability } from './observability';

export const METRICS_PATH = '/metrics';

export function serveMetrics(observability: Observability): Middleware<GatewayState> {
  // Not async: every proxied request passes through, and an async wrapper around `next()` costs promise hops.
  return function metricsMiddleware(ctx, next) {
    if (ctx.path !== METRICS_PATH || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    return render(ctx, observability);
  };
}

async function render(ctx: Parameters<Middleware<GatewayState>>[0], observability: Observability): Promise<void> {
  ctx.set('cache-control', 'no-store');
  ctx.type = observability.metrics.contentType;
  ctx.body = await observability.metrics.render();
}
