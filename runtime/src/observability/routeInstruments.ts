// The metric children a request touches on the hot path, resolved once per route (targets when a config is
// applied, method/status and consumer pairs on first use), so a request costs map lookups and additions.
import { redactUrl, type GatewayConfig } from '../../../common/src/config';
import type { CounterChild, HistogramChild } from './hotMetrics';
import { methodLabel } from './labels';
import type { GatewayMetrics } from './metrics';

export class RouteInstruments {
  readonly duration: HistogramChild;
  private readonly requestCounters = new Map<string, Map<number, CounterChild>>();
  private readonly upstreamTimers = new Map<string, HistogramChild>();
  private readonly firstByteTimers = new Map<string, HistogramChild>();
  private readonly tokenCounters = new Map<string, { prompt: CounterChild; completion: CounterChild }>();

  constructor(
    private readonly metrics: GatewayMetrics,
    readonly route: string,
  ) {
    this.duration = metrics.requestDuration.child({ route });
  }

  requests(method: string, status: number): CounterChild {
    const byStatus = cached(this.requestCounters, method, () => new Map<number, CounterChild>());
    return cached(byStatus, status, () => this.metrics.requests.child({ route: this.route, method: methodLabel(method), status: String(status) }));
  }

  upstreamDuration(target: string): HistogramChild {
    return cached(this.upstreamTimers, target, () => this.metrics.upstreamDuration.child({ route: this.route, target }));
  }

  timeToFirstByte(target: string): HistogramChild {
    return cached(this.firstByteTimers, target, () => this.metrics.timeToFirstByte.child({ route: this.route, target }));
  }

  /** `consumer` is already a bounded label (labels.ts ConsumerLabels). */
  tokens(consumer: string): { prompt: CounterChild; completion: CounterChild } {
    return cached(this.tokenCounters, consumer, () => ({
      prompt: this.metrics.tokens.child({ route: this.route, consumer, type: 'prompt' }),
      completion: this.metrics.tokens.child({ route: this.route, consumer, type: 'completion' }),
    }));
  }
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
        instruments.upstreamDuration(label);
        instruments.timeToFirstByte(label);
      }
    }
  }

  for(route: string): RouteInstruments {
    return cached(this.byRoute, route, () => new RouteInstruments(this.metrics, route));
  }
}
