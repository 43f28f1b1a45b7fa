// Everything one gateway instance reports about itself: Prometheus metrics, the rolling per-route summary, the
// access log, request traces and webhooks. It listens to the runtime's events (attempts, retries, health, usage,
// config changes) and is told about each finished request by the `observe` middleware.
import type { Logger } from 'pino';
import type { GatewayConfig, LogLevel } from '../../../common/src/config';
import type { GatewayContext } from '../gateway/context';
import type { GatewayEventMap } from '../gateway/events';
import type { GatewayRuntime } from '../gateway/runtime';
import type { ConfigPart } from '../gateway/snapshot';
import { ProcessEnv, type Admin, type RequestTrace, type Webhook, type Workers } from '../../../common/src/protocol';
import { accessLevel, accessLine, writeAccessLine } from './accessLog';
import { ConsumerLabels, GATEWAY_ROUTE, isGatewayEndpoint, NO_ROUTE, providerLabels } from './labels';
import { GatewayMetrics } from './metrics';
import { RequestStats, summarizeWindows } from './requestStats';
import { RouteInstrumentSet } from './routeInstruments';
import { TraceAccess } from './traceAccess';
import { TraceStore } from './traceStore';
import type { DeliveryReport } from './webhooks/deliveryQueue';
import { WebhookDispatcher, type WebhookOptions } from './webhooks/dispatcher';
import { RefusalWindows, type RefusalType } from './webhooks/refusalWindows';
import { createMemorySpendLedger, type SpendLedger } from '../cost/spendLedger';
import { providerOf, requestCost } from '../cost/requestCost';
import { costInNanoUsd, nanoToUsd, pricingPart, providerOfUrl } from '../cost/priceTable';
import type { Embedding } from '../cache/embeddings';
import { SpendMetrics } from './spendMetrics';
import { GatewayTracing } from '../telemetry/tracing';
import { TrafficLog, type TrafficOptions } from '../traffic/trafficLog';

/** The metric's action label: the config's word for what was done. */
const ACTION_LABELS = { blocked: 'block', redacted: 'redact', flagged: 'flag' } as const;

export interface ObservabilityOptions {
  /** Environment to read AI_GATEWAY_API_KEY (enables traces) and `gateway.webhookSecretEnv` from. */
  env?: Record<string, string | undefined>;
  /** Default process metrics (CPU, memory, event loop lag, GC); on unless turned off. */
  processMetrics?: boolean;
  statsWindowSec?: number;
  traceCapacity?: number;
  /** How long auth failures and rate-limit rejections are counted before one webhook event reports them. */
  refusalWindowMs?: number;
  webhooks?: WebhookOptions;
  /** Where this process's webhook events go instead of its own dispatcher (a worker of gateway.workers: the primary). */
  webhookSink?: WebhookSink;
  /** Where each request's cost is booked (default: in this process; startGateway passes Redis's when configured). */
  spend?: SpendLedger;
  /** The Traffic view's ring buffer: bodies only for the editor's local gateway (ProcessEnv.trafficBodies). */
  traffic?: TrafficOptions;
}

/**
 * Webhook events as a gateway process raises them. A worker of gateway.workers hands them to its primary, which
 * counts refusals of all workers in one window and sends each event once; config events are then the primary's.
 */
export interface WebhookSink {
  publish<T extends Webhook.EventType>(type: T, data: Webhook.EventData[T], time?: Date): void;
  refusal(type: RefusalType, route: string, consumer: string, reason: string): void;
  /** Whether this process tells `config.applied` / `config.rejected` (the one that owns the config does). */
  readonly configEvents: boolean;
}

export class Observability {
  readonly metrics: GatewayMetrics;
  readonly stats: RequestStats;
  readonly traces: TraceStore;
  readonly traceAccess: TraceAccess;
  readonly webhooks: WebhookDispatcher;
  readonly instruments: ConfigPart<RouteInstrumentSet>;
  /** The response cache's, cost's and budgets' metric families. */
  readonly spendMetrics: SpendMetrics;
  private spendLedger: SpendLedger;
  /** OpenTelemetry spans exported over OTLP, following `gateway.telemetry` and the OTEL_* variables. */
  readonly tracing: GatewayTracing;
  /** Recent requests for the Traffic view and the fixture recorder. */
  readonly traffic: TrafficLog;
  private readonly refusals: RefusalWindows;
  private readonly sink: WebhookSink;
  private readonly consumers = new ConsumerLabels();
  private readonly env: Record<string, string | undefined>;
  private readonly unsubscribers: (() => void)[] = [];

  constructor(
    readonly runtime: GatewayRuntime,
    options: ObservabilityOptions = {},
  ) {
    this.env = options.env ?? process.env;
    this.metrics = new GatewayMetrics({ processMetrics: options.processMetrics });
    this.spendMetrics = new SpendMetrics(this.metrics.registry);
    this.spendLedger = options.spend ?? createMemorySpendLedger();
    this.stats = new RequestStats({ windowSec: options.statsWindowSec });
    this.traces = new TraceStore(options.traceCapacity);
    this.traceAccess = new TraceAccess(this.env[ProcessEnv.apiKey]);
    this.tracing = new GatewayTracing(runtime.logger, this.metrics, this.env);
    this.traffic = new TrafficLog(options.traffic);
    this.webhooks = new WebhookDispatcher({
      ...options.webhooks,
      onReport: (report) => {
        reportDelivery(this.metrics, runtime.logger, report);
        options.webhooks?.onReport?.(report);
      },
    });
    this.refusals = new RefusalWindows(options.refusalWindowMs ?? 10_000, (type, data, time) => this.webhooks.publish(type, data, time));
    this.sink = options.webhookSink ?? {
      publish: (type, data, time) => this.webhooks.publish(type, data, time),
      refusal: (type, route, consumer, reason) => this.refusals.record(type, route, consumer, reason),
      configEvents: true,
    };
    const metrics = this.metrics;
    this.instruments = { name: 'observability', compile: (config, previous) => new RouteInstrumentSet(metrics, config, previous) };
    runtime.registerPart(this.instruments);
    this.subscribe();
    if (runtime.hasConfig) this.followConfig();
  }

  /** A webhook event raised by a request (a budget's): sent from here, or by the primary of gateway.workers. */
  publish<T extends Webhook.EventType>(type: T, data: Webhook.EventData[T]): void {
    this.sink.publish(type, data);
  }

  /** What was spent, by consumer, route and model (`GET /api/v1/spend`). */
  get spend(): SpendLedger {
    return this.spendLedger;
  }

  /** Books spending in `ledger` from now on (the shared one, once the gateway's stores are made). */
  useSpendLedger(ledger: SpendLedger): void {
    if (ledger !== this.spendLedger) void this.spendLedger.close();
    this.spendLedger = ledger;
  }

  /** `PUT /api/v1/log-level`: takes effect at once; a later config change applies its own `gateway.logLevel`. */
  setLogLevel(level: LogLevel): void {
    this.runtime.logger.level = level;
  }

  get logLevel(): LogLevel {
    return this.runtime.logger.level as LogLevel;
  }

  /** `GET /api/v1/metrics`: the rolling window per configured route (idle ones included) with target health. */
  summary(): Admin.MetricsSummary {
    return summarizeWindows([this.window()]);
  }

  /** The figures behind `summary()`, in the form that adds up across worker processes (gateway.workers). */
  window(): Workers.StatsWindow {
    const snapshot = this.runtime.hasConfig ? this.runtime.snapshot : undefined;
    const names = snapshot?.config.routes.map((route) => route.name) ?? [];
    const window = this.stats.window(names);
    for (const route of window.routes) {
      const group = snapshot?.upstreams.get(route.route);
      if (group) route.targets = group.targets.map((target) => ({ url: target.url, healthy: target.healthy }));
    }
    return window;
  }

  /** `GET /api/v1/traces/{requestId}`. */
  trace(requestId: string): RequestTrace.Record | undefined {
    return this.traces.get(requestId);
  }

  /** The route label of a request: its route's name, or one of the fixed pseudo-routes. */
  routeLabel(ctx: GatewayContext): string {
    return ctx.state.route?.name ?? (isGatewayEndpoint(ctx.state.path || ctx.path) ? GATEWAY_ROUTE : NO_ROUTE);
  }

  /** Called once per request by `observe`, when the response is over. */
  requestDone(ctx: GatewayContext, status: number, durationMs: number, bytesOut: number | undefined): void {
    const state = ctx.state;
    const route = this.routeLabel(ctx);
    const instruments = state.snapshot.part(this.instruments).for(route);
    instruments.requests(ctx.method, status).value += 1;
    const served = state.upstream.provider;
    (served === undefined ? instruments.duration : instruments.durationFor(providerLabels(served, state.upstream.model))).observe(durationMs / 1000);
    this.stats.recordRequest(route, status, durationMs);
    if (state.usage) this.bookCost(state, route);
    if (state.cache) {
      this.spendMetrics.cacheRequests.child({ route, result: state.cache.result }).value += 1;
      this.stats.recordCache(route, state.cache.result);
    }
    if (state.rejection) this.countRejection(ctx, route);
    if (state.guardrailVerdicts) this.countGuardrails(ctx, route);
    if (state.unauthenticatedBufferedBytes > 0) this.metrics.unauthenticatedBuffered.inc(state.unauthenticatedBufferedBytes);
    const logger = this.runtime.logger;
    const level = accessLevel(status, state.path);
    if (logger.isLevelEnabled(level)) writeAccessLine(logger, level, accessLine(ctx, route, status, durationMs, bytesOut));
    if (state.span !== undefined || this.traffic.active) this.finishInspection(ctx, route, status, durationMs);
  }

  /** The request's spans end, and it joins the Traffic view's recent requests. */
  private finishInspection(ctx: GatewayContext, route: string, status: number, durationMs: number): void {
    const { span, capture } = ctx.state;
    span?.end(
      ctx.state,
      status,
      capture && capture.chunks.length > 0 ? { body: capture.body(), contentType: capture.contentType, truncated: capture.truncated } : undefined,
    );
    // The gateway's own endpoints (admin API, metrics, health) are not traffic: the editor polls them every second.
    if (this.traffic.active && route !== GATEWAY_ROUTE) this.traffic.record(ctx, ctx.state.route ? route : undefined, status, durationMs);
  }

  /** Stops listening; open refusal windows are published and pending webhooks get `graceMs` to go out. */
  async close(graceMs = 1_000): Promise<void> {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.traffic.close();
    await this.tracing.close();
    this.refusals.flushAll();
    await this.spendLedger.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.webhooks.idle(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.webhooks.close();
  }

  /** A request's cost into the cost metric, the spend ledger and the route's window; unpriced usage is counted. */
  private bookCost(state: GatewayContext['state'], route: string): void {
    const cost = requestCost(state);
    if (!cost) {
      this.spendMetrics.unpricedOf(route, providerOf(state)).value += 1; // the provider alone: the answer's model is not read for it
      return;
    }
    const consumer = this.consumers.label(state.consumer);
    this.spendMetrics.costOf(route, consumer, cost.provider, this.spendMetrics.models.label(cost.model)).value += cost.usd;
    this.spendLedger.record({ route, consumer: state.consumer, provider: cost.provider, model: cost.model, nanoUsd: cost.nanoUsd });
    this.stats.recordCost(route, cost.nanoUsd);
  }

  /** A semantic cache's embeddings request: booked to the embeddings route, for the consumer whose prompt it was. */
  bookEmbedding(state: GatewayContext['state'], route: string, embedding: Embedding): void {
    const provider = embedding.provider ?? providerOfUrl(embedding.target);
    const price = embedding.model === undefined ? undefined : state.snapshot.part(pricingPart).priceOf(provider, embedding.model);
    const nanoUsd = price && costInNanoUsd({ promptTokens: embedding.promptTokens ?? 0, completionTokens: 0 }, price);
    if (nanoUsd === undefined || embedding.model === undefined) {
      if (embedding.promptTokens) this.spendMetrics.unpricedOf(route, provider).value += 1;
      return;
    }
    const consumer = this.consumers.label(state.consumer);
    this.spendMetrics.costOf(route, consumer, provider, this.spendMetrics.models.label(embedding.model)).value += nanoToUsd(nanoUsd);
    this.spendLedger.record({ route, consumer: state.consumer, provider, model: embedding.model, nanoUsd });
    this.stats.recordCost(route, nanoUsd);
  }

  private countRejection(ctx: GatewayContext, route: string): void {
    const rejection = ctx.state.rejection!;
    const consumer = this.consumers.label(ctx.state.consumer);
    if (rejection.by === 'auth') {
      this.metrics.authFailures.labels({ route, kind: rejection.kind }).inc();
      this.sink.refusal('auth.failed', route, consumer, rejection.kind);
    } else if (rejection.by === 'budget') {
      this.spendMetrics.budgetRejections.labels({ route, by: rejection.scope }).inc();
    } else {
      this.metrics.rateLimitRejections.labels({ route, limit: rejection.limit }).inc();
      this.sink.refusal('ratelimit.exceeded', route, consumer, rejection.limit);
    }
  }

  private countGuardrails(ctx: GatewayContext, route: string): void {
    for (const verdict of ctx.state.guardrailVerdicts!) {
      this.metrics.guardrailActions.labels({ route, guardrail: verdict.guardrail, action: ACTION_LABELS[verdict.action] }).inc();
      if (verdict.action === 'blocked') this.sink.refusal('guardrail.blocked', route, this.consumers.label(ctx.state.consumer), verdict.guardrail);
    }
  }

  private on<K extends keyof GatewayEventMap>(name: K, listener: (event: GatewayEventMap[K]) => void): void {
    this.unsubscribers.push(this.runtime.events.on(name, listener));
  }

  private routeInstruments(route: string): ReturnType<RouteInstrumentSet['for']> {
    return this.runtime.snapshot.part(this.instruments).for(route);
  }

  private subscribe(): void {
    const metrics = this.metrics;
    this.on('upstream.attempt', (event) => {
      // An attempt the client spoiled (too large, too slow, gone) says nothing about the upstream: not in its figures.
      if (event.outcome === 'client-error') return;
      this.routeInstruments(event.route)
        .upstreamDuration(event.target, event.provider === undefined ? undefined : providerLabels(event.provider, event.model))
        .observe(event.durationMs / 1000);
      const reason = event.outcome === 'response' ? (event.status !== undefined && event.status >= 500 ? `http_${event.status}` : undefined) : event.outcome;
      if (reason !== undefined && reason !== 'aborted') metrics.upstreamErrors.labels({ route: event.route, target: event.target, reason }).inc();
    });
    this.on('upstream.retry', (event) => {
      metrics.retries.labels({ route: event.route, reason: event.reason }).inc();
      if (event.failover) metrics.failovers.labels({ route: event.route, target: event.fromTarget }).inc();
    });
    this.on('upstream.first-byte', (event) =>
      this.routeInstruments(event.route)
        .timeToFirstByte(event.target, event.provider === undefined ? undefined : providerLabels(event.provider, event.model))
        .observe(event.ttfbMs / 1000),
    );
    this.on('stream.cut', (event) => metrics.streamCuts.labels({ route: event.route, target: event.target, reason: event.reason }).inc());
    this.on('usage', (event) => {
      const servedBy = event.provider === undefined ? undefined : providerLabels(event.provider, event.model);
      const tokens = this.routeInstruments(event.route).tokens(this.consumers.label(event.consumer), servedBy);
      tokens.prompt.value += event.promptTokens;
      tokens.completion.value += event.completionTokens;
      if (event.cachedTokens) tokens.cached.value += event.cachedTokens;
      this.stats.recordTokens(event.route, event.promptTokens, event.completionTokens);
    });
    this.on('target.health', (event) => {
      metrics.targetHealthy.labels({ route: event.route, target: event.target }).set(event.healthy ? 1 : 0);
      const change = { route: event.route, target: event.target, source: event.source, detail: event.detail };
      this.sink.publish(event.healthy ? 'target.up' : 'target.down', change);
    });
    this.on('config.applied', (event) => {
      this.followConfig();
      if (this.sink.configEvents)
        this.webhooks.publish('config.applied', { version: event.version, routes: event.routes, ...(event.source ? { source: event.source } : {}) });
    });
    this.on('config.rejected', (event) => {
      if (!this.sink.configEvents) return;
      const diagnostics = event.diagnostics
        .filter((diagnostic) => diagnostic.severity === 'error')
        .map((diagnostic) => ({
          message: diagnostic.message,
          code: diagnostic.code,
          line: diagnostic.range.start.line + 1,
          character: diagnostic.range.start.character + 1,
        }));
      this.webhooks.publish('config.rejected', { ...(event.source ? { source: event.source } : {}), diagnostics });
    });
  }

  /** Webhook targets and secret, and the health gauge's label set, follow the applied config. */
  private followConfig(): void {
    const snapshot = this.runtime.snapshot;
    this.tracing.configure(snapshot.config.gateway.telemetry);
    if (this.sink.configEvents) configureWebhooks(this.webhooks, snapshot.config, this.env, this.runtime.logger);
    this.metrics.targetHealthy.reset();
    for (const group of snapshot.upstreams.values()) {
      for (const target of group.targets) this.metrics.targetHealthy.labels({ route: group.route, target: target.url }).set(target.healthy ? 1 : 0);
    }
  }
}

/** The dispatcher follows the config's `callback` URLs and signing secret; unsigned deliveries are warned about. */
export function configureWebhooks(webhooks: WebhookDispatcher, config: GatewayConfig, env: Record<string, string | undefined>, logger: Logger): void {
  const secretEnv = config.gateway.webhookSecretEnv;
  const secret = secretEnv ? env[secretEnv] : undefined;
  if (config.callbacks.length > 0 && !secret) {
    logger.warn({ webhookSecretEnv: secretEnv }, 'webhooks are sent unsigned: set gateway.webhookSecretEnv to a variable holding the signing secret');
  }
  webhooks.configure(config.callbacks, secret);
}

/** A webhook delivery's outcome: counted, and a warning when an event was given up or dropped. */
export function reportDelivery(metrics: GatewayMetrics, logger: Logger, report: DeliveryReport): void {
  metrics.webhookDeliveries.labels({ outcome: report.outcome }).inc();
  if (report.outcome === 'failed' || report.outcome === 'dropped') {
    logger.warn(
      { url: report.url, event: report.event.type, attempt: report.attempt, status: report.status, error: report.error },
      `webhook ${report.outcome}`,
    );
  }
}
