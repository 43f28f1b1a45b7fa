// The Prometheus metric families of one gateway instance, in their own Registry (so several gateways, e.g. in
// tests, never share counters). Labels are route names, configured target URLs and small closed sets, never raw
// request paths or credentials, so cardinality is bounded by the config. Families touched by every request are
// `Hot*` (plain-number children, see hotMetrics.ts); the rarer ones are prom-client's own.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { HotCounter, HotHistogram } from './hotMetrics';

/** prom-client's default gauges whose names end in `_total`, a suffix Prometheus keeps for counters. */
const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

// Few buckets keep every observation cheap; they span a fast cached answer to a long generation.
const REQUEST_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const UPSTREAM_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * How often the event-loop delay behind nodejs_eventloop_lag_* is sampled. prom-client's default (10 ms) wakes an
 * idle gateway 100 times a second: 4.8 ms of CPU a second doing nothing, against 1.5 at 50 ms (docs/decisions.md,
 * "An idle gateway sleeps"). A 15-second scrape still holds 300 samples; a stall longer than 50 ms always delays one,
 * a shorter one is caught in proportion to its length (as stalls under 10 ms were before).
 */
export const EVENT_LOOP_SAMPLE_MS = 50;

export class GatewayMetrics {
  readonly registry = new Registry();

  readonly requests = new HotCounter<'route' | 'method' | 'status'>(
    'ai_gateway_requests_total',
    'Requests answered by the gateway, by route, method and status.',
    this.registry,
  );

  readonly requestDuration = new HotHistogram<'route' | 'provider' | 'model'>(
    'ai_gateway_request_duration_seconds',
    'Time from receiving a request to the end of its response, by route, and the provider and model that served it (empty for a plain target, model (other) outside the known list).',
    REQUEST_BUCKETS,
    this.registry,
  );

  readonly upstreamDuration = new HotHistogram<'route' | 'target' | 'provider' | 'model'>(
    'ai_gateway_upstream_duration_seconds',
    'Time of each upstream attempt until its response headers or its failure, by route, target, provider and model.',
    UPSTREAM_BUCKETS,
    this.registry,
  );

  readonly upstreamErrors = new Counter({
    name: 'ai_gateway_upstream_errors_total',
    help: 'Failed upstream attempts, by route, target and reason (connect-error, timeout, error, http_5xx status).',
    labelNames: ['route', 'target', 'reason'] as const,
    registers: [this.registry],
  });

  readonly timeToFirstByte = new HotHistogram<'route' | 'target' | 'provider' | 'model'>(
    'ai_gateway_upstream_time_to_first_byte_seconds',
    'Time from sending the answering attempt to its response headers, by route, target, provider and model.',
    UPSTREAM_BUCKETS,
    this.registry,
  );

  readonly targetHealthy = new Gauge({
    name: 'ai_gateway_target_healthy',
    help: '1 when the target takes traffic, 0 while its circuit breaker or active health check keeps it out.',
    labelNames: ['route', 'target'] as const,
    registers: [this.registry],
    aggregator: 'min', // gateway.workers: each worker has its own breaker; 0 when any of them keeps the target out
  });

  readonly retries = new Counter({
    name: 'ai_gateway_upstream_retries_total',
    help: 'Upstream attempts that were retries of a failed one, by route and the reason of the failure.',
    labelNames: ['route', 'reason'] as const,
    registers: [this.registry],
  });

  readonly failovers = new Counter({
    name: 'ai_gateway_upstream_failovers_total',
    help: 'Retries sent to another target than the one that failed, by route and the failed target.',
    labelNames: ['route', 'target'] as const,
    registers: [this.registry],
  });

  readonly tokens = new HotCounter<'route' | 'consumer' | 'type' | 'provider' | 'model'>(
    'ai_gateway_tokens_total',
    'Tokens reported in the upstream "usage" (translated for provider targets), by route, consumer, type (prompt, completion, and cached: the prompt tokens read from the provider\'s cache), provider and model.',
    this.registry,
  );

  readonly authFailures = new Counter({
    name: 'ai_gateway_auth_failures_total',
    help: 'Requests refused by authentication, by route and kind (missing, invalid, forbidden, unavailable).',
    labelNames: ['route', 'kind'] as const,
    registers: [this.registry],
  });

  readonly rateLimitRejections = new Counter({
    name: 'ai_gateway_rate_limit_rejections_total',
    help: 'Requests refused with 429 by a rate limit, by route and limit (requests, tokens).',
    labelNames: ['route', 'limit'] as const,
    registers: [this.registry],
  });

  readonly unauthenticatedBuffered = new Counter({
    name: 'ai_gateway_unauthenticated_buffered_bytes_total',
    help: 'Request body bytes held in memory for requests that were not authenticated (public endpoints); at most gateway.limits.maxPreAuthBufferSize per request.',
    registers: [this.registry],
  });

  readonly guardrailActions = new Counter({
    name: 'ai_gateway_guardrail_actions_total',
    help: 'What route guardrails did, by route, guardrail (pii, deny, maxPromptTokens, models, jsonSchema, webhook) and action (block, redact, flag).',
    labelNames: ['route', 'guardrail', 'action'] as const,
    registers: [this.registry],
  });

  readonly streamCuts = new Counter({
    name: 'ai_gateway_stream_cuts_total',
    help: 'Responses cut mid-stream (upstream error, idle or total timeout), by route, target and reason.',
    labelNames: ['route', 'target', 'reason'] as const,
    registers: [this.registry],
  });

  /** Moved twice per request: a plain number, read by the gauge only when /metrics is scraped. */
  readonly inFlight = new InFlightCount();

  private readonly inFlightGauge: Gauge = new Gauge({
    name: 'ai_gateway_requests_in_flight',
    help: 'Requests received and not yet answered.',
    registers: [this.registry],
    collect: () => {
      this.inFlightGauge.set(this.inFlight.value);
    },
  });

  readonly webhookDeliveries = new Counter({
    name: 'ai_gateway_webhook_deliveries_total',
    help: 'Webhook delivery outcomes: delivered, retried, failed (gave up) or dropped (queue full).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly traceSpansExported = new Counter({
    name: 'ai_gateway_trace_spans_exported_total',
    help: 'OpenTelemetry spans the collector accepted.',
    registers: [this.registry],
  });

  readonly traceSpansDropped = new Counter({
    name: 'ai_gateway_trace_spans_dropped_total',
    help: 'OpenTelemetry spans lost: queue_full (the export queue was full; the request did not wait) or export_failed (the collector refused or could not be reached).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics === false) return;
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    // Gauges named like counters fail `promtool check metrics`; the same counts by type stay (nodejs_active_handles{type}).
    for (const name of MISNAMED_DEFAULT_GAUGES) this.registry.removeSingleMetric(name);
  }

  /** The exposition text for `GET /metrics`. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Requests in flight; prom-client's own `Gauge.inc()` validates and hashes labels on every call. */
class InFlightCount {
  value = 0;

  inc(): void {
    this.value += 1;
  }

  dec(): void {
    this.value -= 1;
  }
}
