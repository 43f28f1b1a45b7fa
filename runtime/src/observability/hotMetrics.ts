// Counter and histogram families for the per-request hot path, exposed through a prom-client Registry
// (`registerMetric`, the same `get()` contract prom-client's own metrics follow). prom-client's label children
// re-validate and re-hash their labels on every `inc`/`observe` (about 0.3-0.6 µs each); these children are
// plain numbers resolved once, so an observation is an addition and a short bucket search.
import type { Registry } from 'prom-client';

type Labels<L extends string> = Record<L, string>;

/** What a prom-client Registry reads from each registered metric when it renders the exposition. */
interface Exposed {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: { metricName?: string; labels: Record<string, string | number>; value: number }[];
}

export interface CounterChild {
  value: number;
}

export class HotCounter<L extends string> {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  private readonly children = new Map<string, { labels: Labels<L>; child: CounterChild }>();

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The child for these labels; keep it and add to `value` directly. */
  child(labels: Labels<L>): CounterChild {
    const key = keyOf(labels);
    let entry = this.children.get(key);
    if (!entry) {
      entry = { labels, child: { value: 0 } };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  get(): Promise<Exposed> {
    const values = [...this.children.values()].map(({ labels, child }) => ({ labels, value: child.value }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    for (const { child } of this.children.values()) child.value = 0;
  }
}

export class HistogramChild {
  sum = 0;
  count = 0;
  readonly counts: Float64Array; // per bucket, not cumulative; the last slot is +Inf

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

export class HotHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly children = new Map<string, { labels: Labels<L>; child: HistogramChild }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  child(labels: Labels<L>): HistogramChild {
    const key = keyOf(labels);
    let entry = this.children.get(key);
    if (!entry) {
      entry = { labels, child: new HistogramChild(this.buckets) };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  get(): Promise<Exposed> {
    const values: Exposed['values'] = [];
    for (const { labels, child } of this.children.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += child.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: child.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: child.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: child.count });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    for (const { child } of this.children.values()) {
      child.counts.fill(0);
      child.sum = 0;
      child.count = 0;
    }
  }
}

function keyOf(labels: Record<string, string>): string {
  let key = '';
  for (const name in labels) key += `${labels[name]}\u0000`;
  return key;
}
