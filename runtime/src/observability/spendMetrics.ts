// The metric families of the response cache, cost and budgets, in the gateway's registry. Labels stay bounded: route
// names and closed sets from the config, consumers and models capped (ConsumerLabels, BoundedLabels).
import { Counter, Gauge, type Registry } from 'prom-client';
import { HotCounter, type CounterChild } from './hotMetrics';

/** Values of an open-ended label (model names a price glob accepts) up to a cap; the rest share one. */
export class BoundedLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly max = 200) {}

  label(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return '(other)';
    this.seen.add(value);
    return value;
  }
}

export interface CacheUsage {
  usage(): { entries: number; bytes: number } | undefined;
}

/**
 * The in-memory answer store's size, as gauges (set at each scrape; absent with Redis). With gateway.workers the
 * primary holds the store and reports it; the workers' gauges stay 0, and /metrics adds them up.
 */
export function cacheUsageGauges(registry: Registry, usage: () => { entries: number; bytes: number } | undefined): void {
  const entries = new Gauge({
    name: 'ai_gateway_cache_entries',
    help: 'Answers and embedding sets held by the in-memory response cache (absent with Redis).',
    registers: [registry],
    collect: () => {
      const now = usage();
      if (now) entries.set(now.entries);
    },
  });
  const bytes = new Gauge({
    name: 'ai_gateway_cache_bytes',
    help: 'Bytes held by the in-memory response cache, at most gateway.cache.maxMemory (absent with Redis).',
    registers: [registry],
    collect: () => {
      const now = usage();
      if (now) bytes.set(now.bytes);
    },
  });
}

export class SpendMetrics {
  readonly cacheRequests: HotCounter<'route' | 'result'>;
  readonly cacheWrites: Counter<'route'>;
  readonly cacheWrittenBytes: Counter<'route'>;
  readonly storeFailures: Counter<'store'>;
  readonly cost: HotCounter<'route' | 'consumer' | 'provider' | 'model'>;
  readonly unpriced: HotCounter<'route' | 'provider'>;
  readonly budgetRejections: Counter<'route' | 'by'>;
  readonly models = new BoundedLabels();
  private cacheStore: CacheUsage | undefined;
  private readonly costChildren = new Map<string, CounterChild>();
  private readonly unpricedChildren = new Map<string, Map<string, CounterChild>>();

  constructor(registry: Registry) {
    this.cacheRequests = new HotCounter('ai_gateway_cache_requests_total', 'Requests on cached routes, by route and result (hit, miss, bypass).', registry);
    this.cacheWrites = new Counter({
      name: 'ai_gateway_cache_writes_total',
      help: 'Answers stored in the response cache, by route.',
      labelNames: ['route'] as const,
      registers: [registry],
    });
    this.cacheWrittenBytes = new Counter({
      name: 'ai_gateway_cache_written_bytes_total',
      help: 'Bytes of answers stored in the response cache, by route.',
      labelNames: ['route'] as const,
      registers: [registry],
    });
    cacheUsageGauges(registry, () => this.cacheStore?.usage());
    this.storeFailures = new Counter({
      name: 'ai_gateway_shared_store_failures_total',
      help: 'Operations of the response cache, budgets and spend ledger that the shared store (Redis, or the primary of gateway.workers) did not answer, by store.',
      labelNames: ['store'] as const,
      registers: [registry],
    });
    this.cost = new HotCounter(
      'ai_gateway_cost_usd_total',
      "US dollars spent, from each answer's usage at its model's price, by route, consumer, provider and model.",
      registry,
    );
    this.unpriced = new HotCounter(
      'ai_gateway_cost_unpriced_requests_total',
      'Answers with token usage whose model has no price (add it under pricing:), by route and provider.',
      registry,
    );
    this.budgetRejections = new Counter({
      name: 'ai_gateway_budget_rejections_total',
      help: 'Requests refused with 429 budget_exceeded, by route and the budget\'s "by".',
      labelNames: ['route', 'by'] as const,
      registers: [registry],
    });
  }

  /** The in-memory answer store whose size the gauges report. */
  watchCache(store: CacheUsage): void {
    this.cacheStore = store;
  }

  /** Per request without a price (a plain target's every answer, unless priced): kept, not looked up by labels. */
  unpricedOf(route: string, provider: string): CounterChild {
    // Found level by level: a key string built per request had to be hashed and compared each time.
    let byProvider = this.unpricedChildren.get(route);
    if (!byProvider) {
      byProvider = new Map();
      this.unpricedChildren.set(route, byProvider);
    }
    let child = byProvider.get(provider);
    if (!child) {
      child = this.unpriced.child({ route, provider });
      byProvider.set(provider, child);
    }
    return child;
  }

  /** The cost counter's child for one label set, kept (route, consumer and model labels are already bounded). */
  costOf(route: string, consumer: string, provider: string, model: string): CounterChild {
    const key = `${route}\n${consumer}\n${provider}\n${model}`;
    let child = this.costChildren.get(key);
    if (!child) {
      child = this.cost.child({ route, consumer, provider, model });
      this.costChildren.set(key, child);
    }
    return child;
  }
}
