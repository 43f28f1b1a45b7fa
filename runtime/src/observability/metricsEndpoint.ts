// `GET /metrics`: the Prometheus exposition of this gateway's registry (or, in a worker of gateway.workers, of all
// workers added up by the primary). Open like any scrape target: it carries route names, target URLs and counts,
// never a credential or a raw request path.
import type { Middleware } from 'koa';
import type { GatewayState } from '../gateway/context';
import type { Observability } from './observability';

export const METRICS_PATH = '/metrics';

/** The exposition text and its content type. */
export type MetricsSource = () => Promise<{ contentType: string; text: string }>;

export function serveMetrics(observability: Observability, source?: MetricsSource): Middleware<GatewayState> {
  const exposition = source ?? (async () => ({ contentType: observability.metrics.contentType, text: await observability.metrics.render() }));
  // Not async: every proxied request passes through, and an async wrapper around `next()` costs promise hops.
  return function metricsMiddleware(ctx, next) {
    if (ctx.path !== METRICS_PATH || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    return exposition().then(({ contentType, text }) => {
      ctx.set('cache-control', 'no-store');
      ctx.type = contentType;
      ctx.body = text;
    });
  };
}
