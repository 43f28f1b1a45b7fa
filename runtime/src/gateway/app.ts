// The gateway's request path, as a list: each stage is one middleware in ./middleware, testable on
// `app.callback()` without opening a port. Per-config state (routes, pools, key hashes, limiters) is compiled
// at apply time by the runtime, never per request.
import Koa from 'koa';
import { adminApi, type AdminOptions } from '../admin';
import { serveMetrics, type MetricsSource } from '../observability/metricsEndpoint';
import { Observability } from '../observability/observability';
import { createGuardrailsPart } from '../guardrails/compileGuardrails';
import { createSecurityPart, type SecurityOptions } from '../security/compileSecurity';
import { DEFAULT_CACHE_MEMORY_BYTES } from '../../../common/src/config';
import { memoryStores, type GatewayStores } from '../stores/gatewayStores';
import type { GatewayContext, GatewayState } from './context';
import { guardAdminKey } from './middleware/adminKey';
import { inspect } from './middleware/inspect';
import { authenticate } from './middleware/authenticate';
import { budget } from './middleware/budget';
import { cache } from './middleware/cache';
import { guardrails } from './middleware/guardrails';
import { limitBody } from './middleware/limitBody';
import { normalize } from './middleware/normalize';
import { observe } from './middleware/observe';
import { providerRequest } from './middleware/providerRequest';
import { proxy } from './middleware/proxy';
import { rateLimit } from './middleware/rateLimit';
import { checkRequestHead } from './middleware/requestHead';
import { route } from './middleware/route';
import { routeByModel } from './middleware/routeByModel';
import type { GatewayRuntime } from './runtime';

export interface GatewayAppOptions {
  security?: SecurityOptions;
  /** Metrics, access log, traces, webhooks; one per gateway instance (created with defaults when absent). */
  observability?: Observability;
  /** The admin API (/api/v1, /healthz, /readyz) on this app; absent when it has its own listener (gateway.admin.listen). */
  admin?: Omit<AdminOptions, 'runtime' | 'observability'>;
  /** The admin key (AI_GATEWAY_API_KEY) wherever the admin API listens: never forwarded upstream. */
  adminKey?: string;
  /** A worker of gateway.workers: the admin API is the primary's, and this forwards its requests there. */
  adminForward?: Koa.Middleware<GatewayState>;
  /** A worker of gateway.workers: /metrics answers with every worker's metrics, added up by the primary. */
  metrics?: MetricsSource;
  /** Where the response cache and budgets keep their state (default: in this process). */
  stores?: Pick<GatewayStores, 'answers' | 'budgets'>;
}

function gatewayPipeline(runtime: GatewayRuntime, options: GatewayAppOptions = {}): Koa.Middleware<GatewayState>[] {
  const security = createSecurityPart(options.security);
  runtime.registerPart(security);
  const guardrailsPart = createGuardrailsPart();
  runtime.registerPart(guardrailsPart);
  const observability = options.observability ?? new Observability(runtime);
  const adminKey = options.adminKey ?? options.admin?.apiKey;
  const adminHere = options.admin !== undefined || options.adminForward !== undefined;
  const stores = options.stores ?? memoryStores(runtime.hasConfig ? runtime.snapshot.config.gateway.cache.maxMemoryBytes : DEFAULT_CACHE_MEMORY_BYTES);
  const logger = runtime.logger;
  let embeddingsFailureLoggedAt = -Infinity;
  return [
    observe(runtime, observability), // request id, config snapshot, clock, JSON 500 on a bug, metrics, access log
    inspect(observability), // OpenTelemetry span and Traffic view capture, when either is on
    checkRequestHead(), // HTTP/1.x, one Host, header block within maxHeaderSize: else 400 / 431
    serveMetrics(observability, options.metrics), // GET /metrics (Prometheus)
    ...(options.admin ? [adminApi({ cache: stores.answers, ...options.admin, runtime, observability }) as Koa.Middleware<GatewayState>] : []), // control plane
    ...(options.adminForward ? [options.adminForward] : []), // or the control plane of the workers' primary
    ...(adminKey ? [guardAdminKey(adminKey, !adminHere)] : []), // the admin key never reaches a route: removed, or 421 when the admin API is elsewhere
    normalize(), // canonical path, or 400
    route(), // route table: 404 / 405 / matched (or waits for the model)
    authenticate(security), // 401 / 403, sets the consumer
    limitBody(), // 413 over gateway.limits.maxBodySize, before any byte of the body is read
    routeByModel(), // match.model: reads the body (bounded while unauthenticated), then 404 / 405 / matched
    rateLimit(security), // 429 with Retry-After
    providerRequest(), // routes with provider targets: the body read and parsed as OpenAI's API (or Anthropic's, translated), else 400 / 404 / 413
    guardrails(guardrailsPart), // the route's request guardrails on the OpenAI-shaped body (a provider route's, before translation): 400 / 403 guardrail_blocked, redaction; sets the answer's checks
    cache({
      store: stores.answers,
      onStored: (route, bytes) => {
        observability.spendMetrics.cacheWrites.labels({ route }).inc();
        observability.spendMetrics.cacheWrittenBytes.labels({ route }).inc(bytes);
      },
      onEmbedded: (state, route, embedding) => observability.bookEmbedding(state, route, embedding),
      onEmbeddingsFailure: (err) => {
        if (performance.now() - embeddingsFailureLoggedAt < 60_000) return; // at most a line a minute, whatever the traffic
        embeddingsFailureLoggedAt = performance.now();
        logger.warn({ reason: err.message }, 'semantic cache: prompts cannot be embedded (exact lookups go on)');
      },
    }), // a route's response cache: a hit answered here (x-gateway-cache) through the answer guardrails, a miss recorded for storing; keyed on the body after request guardrails
    budget(security, { counters: stores.budgets, publish: (type, event) => observability.publish(type, event) }), // 429 budget_exceeded; the request's most reserved, settled to its cost
    proxy(runtime), // balance, retry, fail over, stream (through the answer's guardrails)
  ];
}

export function createGatewayApp(runtime: GatewayRuntime, options: GatewayAppOptions = {}): Koa<GatewayState> {
  const app = new GatewayApp();
  for (const middleware of gatewayPipeline(runtime, options)) app.use(middleware);
  app.silent = true; // errors are logged by `observe` with their request id, not printed by Koa
  return app;
}

type Pipeline = (ctx: GatewayContext) => Promise<void>;
/** Koa's request handler (lib/application.js): called by `callback()` per request, absent from Koa's type declarations. */
type HandleRequest = (this: Koa<GatewayState>, ctx: GatewayContext, pipeline: Pipeline) => Promise<void>;
const koaHandleRequest = (Koa.prototype as unknown as { handleRequest?: HandleRequest }).handleRequest;

/**
 * Koa, with one per-request cost taken off the proxied path. Koa's `handleRequest` hangs `on-finished` on every
 * response (an AsyncResource and listeners on the socket and the response, the largest allocation site left per
 * request) only so that an error of a streamed `ctx.body` reaches `ctx.onerror`. A proxied answer is not a Koa body:
 * the proxy writes it itself (`ctx.respond = false`) and handles its errors. So the pipeline runs first, and what
 * Koa answers (errors, the admin API, metrics) then goes through Koa's own `handleRequest` and `respond`, with the
 * status the pipeline set. 9-14% less CPU per proxied request in three pinned A/B runs
 * of the change as first tried (docs/decisions.md, "Koa's on-finished is skipped for proxied answers").
 */
export class GatewayApp extends Koa<GatewayState> {
  constructor() {
    super();
    if (!koaHandleRequest) throw new Error('koa no longer has Application#handleRequest: update GatewayApp (runtime/src/gateway/app.ts) for this koa version');
  }

  handleRequest(ctx: GatewayContext, pipeline: Pipeline): Promise<void> {
    const res = ctx.res;
    res.statusCode = 404; // Koa's answer until a middleware gives another
    return pipeline(ctx).then(
      () => {
        if (ctx.respond === false) return undefined; // proxied: written (or abandoned) by the proxy
        const status = res.statusCode;
        return koaHandleRequest!.call(this, ctx, () => {
          res.statusCode = status; // Koa's handler resets it to 404 before running its pipeline: this one
          return Promise.resolve();
        });
      },
      (err: Error) => ctx.onerror(err),
    );
  }
}
