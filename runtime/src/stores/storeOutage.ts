// Whether one use of the shared Redis (the response cache, budgets, the spend ledger) is answering, as operators see
// it: one log line when it stops and one when it answers again (not one per request), a counter of the operations
// that failed, and during an outage one probe a second, so a hung Redis costs one request the command timeout.
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';

const PROBE_INTERVAL_MS = 1_000;

export class StoreUnavailable extends Error {
  constructor(what: string, cause?: unknown) {
    super(`the ${what} store is unavailable${cause instanceof Error ? `: ${cause.message}` : ''}`);
  }
}

export interface StoreOutageOptions {
  /** What uses the store, in the log lines: "response cache", "budget", "spend ledger". */
  what: string;
  logger: Logger;
  /** Redacted store address, for the log lines. */
  store: string;
  failures?: Counter<'store'>;
}

export class StoreOutage {
  private available = true;
  private lastProbe = 0;

  constructor(private readonly options: StoreOutageOptions) {}

  get isAvailable(): boolean {
    return this.available;
  }

  /** Whether to send an operation to the store now: always while it answers, one probe per interval while not. */
  shouldTry(now = Date.now()): boolean {
    if (this.available || now - this.lastProbe >= PROBE_INTERVAL_MS) {
      this.lastProbe = now;
      return true;
    }
    return false;
  }

  /** Runs `operation` against the store, or throws StoreUnavailable at once during an outage. */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    if (!this.shouldTry()) {
      this.options.failures?.inc({ store: this.options.what });
      throw new StoreUnavailable(this.options.what);
    }
    let result: T;
    try {
      result = await operation();
    } catch (err) {
      this.failed(err);
      throw new StoreUnavailable(this.options.what, err);
    }
    this.succeeded();
    return result;
  }

  failed(err: unknown): void {
    this.options.failures?.inc({ store: this.options.what });
    if (!this.available) return;
    this.available = false;
    const reason = err instanceof Error ? err.message : String(err);
    this.options.logger.warn({ store: this.options.store, reason }, `${this.options.what} store unavailable`);
  }

  succeeded(): void {
    if (this.available) return;
    this.available = true;
    this.options.logger.info({ store: this.options.store }, `${this.options.what} store recovered`);
  }
}
