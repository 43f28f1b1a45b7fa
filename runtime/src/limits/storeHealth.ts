// The rate limits' shared store as operators see it: one log line when it goes away and one when it comes back
// (StoreAvailability), a gauge, and a counter of the operations the failure policy had to decide.
import type { Logger } from 'pino';
import { Counter, Gauge, register as defaultRegistry, type Registry } from 'prom-client';
import type { StoreFailurePolicy } from '../../../common/src/config';
import { ProcessEvents } from '../../../common/src/protocol';
import { StoreAvailability } from '../stores/storeAvailability';

export const STORE_UNAVAILABLE = ProcessEvents.storeUnavailable;
export const STORE_RECOVERED = ProcessEvents.storeRecovered;

export interface StoreHealthOptions {
  logger: Logger;
  policy: StoreFailurePolicy;
  store: string; // redacted URL, for the log lines
  registry?: Registry;
}

export class StoreHealth extends StoreAvailability {
  private readonly failures: Counter<'policy'>;
  private readonly up: Gauge;

  constructor(private readonly options: StoreHealthOptions) {
    super();
    const registry = options.registry ?? defaultRegistry;
    this.failures = singleMetric(
      registry,
      'ai_gateway_rate_limit_store_failures_total',
      () =>
        new Counter({
          name: 'ai_gateway_rate_limit_store_failures_total',
          help: 'Rate-limit operations the shared store could not answer, decided by the onStoreFailure policy',
          labelNames: ['policy'],
          registers: [registry],
        }),
    );
    this.up = singleMetric(
      registry,
      'ai_gateway_rate_limit_store_up',
      () =>
        new Gauge({ name: 'ai_gateway_rate_limit_store_up', help: '1 while the shared rate-limit store answers, 0 while it does not', registers: [registry] }),
    );
    this.up.set(1);
  }

  /** An operation failed in the store; the policy decides instead. */
  failed(err: unknown): void {
    this.failures.inc({ policy: this.options.policy });
    this.lost(err);
  }

  /** The connection dropped or could not be made (no operation was refused by it yet). */
  lost(err: unknown): void {
    if (!this.markDown()) return;
    this.up.set(0);
    const reason = err instanceof Error ? err.message : String(err);
    this.options.logger.warn({ store: this.options.store, policy: this.options.policy, reason }, STORE_UNAVAILABLE);
  }

  /** The store answered again (a command succeeded or the connection is back). */
  succeeded(): void {
    if (!this.markUp()) return;
    this.up.set(1);
    this.options.logger.info({ store: this.options.store, policy: this.options.policy }, STORE_RECOVERED);
  }
}

// Several stores (tests, restarts in one process) share a registry; a metric is registered once.
function singleMetric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
