// The metric children a request touches on the hot path, resolved once per route (targets when a config is
// applied, method/status and consumer pairs on first use), so a request costs map lookups and additions.
import { redactUrl, type GatewayConfig } from '../../../common/src/config';
import type { CounterChild, HistogramChild } from './hotMetrics';
import { methodLabel, providerLabels } from './labels';
import type { GatewayMetrics } from './metrics';

/** The `provider` and `model` labels of an observation (labels.ts providerLabels): empty for a plain target. */
export interface ServedBy {
  provider: string;
  model: string;
}

const PLAIN: ServedBy = { provider: '', model: '' };

export class RouteInstruments {
  /** Request duration of requests no provider served (plain targets, or answered by the gateway). */
  readonly duration: HistogramChild;
  // Children a provider served are found by label value, level by level: a key string built per request cost more.
  private readonly durations = new Map<string, Map<string, HistogramChild>>();
  private readonly requestCounters = new Map<string, Map<number, CounterChild>>();
  private readonly upstreamTimers = new Map<string, HistogramChild>();
  private readonly servedUpstreamTimers = new Map<string, Map<string, Map<string, HistogramChild>>>();
  private readonly firstByteTimers = new Map<string, HistogramChild>();
  private readonly servedFirstByteTimers = new Map<string, Map<string, Map<string, HistogramChild>>>();
  private readonly tokenCounters = new Map<string, Map<string, Map<string, TokenCounters>>>();

  constructor(
    private readonly metrics: GatewayMetrics,
    readonly route: string,
  ) {
    this.duration = metrics.requestDuration.child({ route, ...PLAIN });
  }

  requests(method: string, status: number): CounterChild {
    const byStatus = cached(this.requestCounters, method, () => new Map<number, CounterChild>());
    return cached(byStatus, status, () => this.metrics.requests.child({ route: this.route, method: methodLabel(method), status: String(status) }));
  }

  /** Request duration of a request a provider served. */
  durationFor(servedBy: ServedBy): HistogramChild {
    return cached(byServer(this.durations, servedBy), servedBy.model, () => this.metrics.requestDuration.child({ route: this.route, ...servedBy }));
  }

  upstreamDuration(target: string, servedBy: ServedBy = PLAIN): HistogramChild {
    const make = (): HistogramChild => this.metrics.upstreamDuration.child({ route: this.route, target, ...servedBy });
    if (servedBy === PLAIN) return cached(this.upstreamTimers, target, make);
    return cached(byServer(cached(this.servedUpstreamTimers, target, newMap<string, Map<string, HistogramChild>>), servedBy), servedBy.model, make);
  }

  timeToFirstByte(target: string, servedBy: ServedBy = PLAIN): HistogramChild {
    const make = (): HistogramChild => this.metrics.timeToFirstByte.child({ route: this.route, target, ...servedBy });
    if (servedBy === PLAIN) return cached(this.firstByteTimers, target, make);
    return cached(byServer(cached(this.servedFirstByteTimers, target, newMap<string, Map<string, HistogramChild>>), servedBy), servedBy.model, make);
  }

  /** `consumer` is already a bounded label (labels.ts ConsumerLabels). */
  tokens(consumer: string, servedBy: ServedBy = PLAIN): TokenCounters {
    return cached(byServer(cached(this.tokenCounters, consumer, newMap<string, Map<string, TokenCounters>>), servedBy), servedBy.model, () => ({
      prompt: this.metrics.tokens.child({ route: this.route, consumer, type: 'prompt', ...servedBy }),
      completion: this.metrics.tokens.child({ route: this.route, consumer, type: 'completion', ...servedBy }),
      cached: this.metrics.tokens.child({ route: this.route, consumer, type: 'cached', ...servedBy }),
    }));
  }
}

type TokenCounters = { prompt: CounterChild; completion: CounterChild; cached: CounterChild };

/** The children of one provider, by model label. */
function byServer<T>(map: Map<string, Map<string, T>>, servedBy: ServedBy): Map<string, T> {
  return cached(map, servedBy.provider, newMap<string, T>);
}

function newMap<K, V>(): Map<K, V> {
  return new Map<K, V>();
}

function cached<K, T>(map: Map<K, T>, key: K, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** Instruments for every configured route (kept across reloads by name); other names get theirs on first use. */
export class RouteInstrumentSet {
  private readonly byRoute = new Map<string, RouteInstruments>();

  constructor(
    private readonly metrics: GatewayMetrics,
    config: GatewayConfig,
    previous: RouteInstrumentSet | undefined,
  ) {
    for (const route of config.routes) {
      const instruments = previous?.byRoute.get(route.name) ?? new RouteInstruments(metrics, route.name);
      this.byRoute.set(route.name, instruments);
      for (const target of route.targets) {
        const label = redactUrl(target.url); // as UpstreamTarget.url: never a credential in a label
        // A provider target's model is known ahead only when it aliases one; else its series appear with its first request.
        if (target.provider && target.provider.model === undefined) continue;
        const servedBy = target.provider ? providerLabels(target.provider.name, target.provider.model) : undefined;
        instruments.upstreamDuration(label, servedBy);
        instruments.timeToFirstByte(label, servedBy);
      }
    }
  }

  for(route: string): RouteInstruments {
    return cached(this.byRoute, route, () => new RouteInstruments(this.metrics, route));
  }
}
