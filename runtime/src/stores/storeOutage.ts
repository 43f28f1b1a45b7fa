// One use of the shared Redis (the response cache, budgets, the spend ledger) as operators see it: one log line when
// it stops answering and one when it answers again (StoreAvailability), and a counter of the operations that failed.
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { StoreAvailability } from './storeAvailability';

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

export class StoreOutage extends StoreAvailability {
  constructor(private readonly options: StoreOutageOptions) {
    super();
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
    if (!this.markDown()) return;
    const reason = err instanceof Error ? err.message : String(err);
    this.options.logger.warn({ store: this.options.store, reason }, `${this.options.what} store unavailable`);
  }

  succeeded(): void {
    if (!this.markUp()) return;
    this.options.logger.info({ store: this.options.store }, `${this.options.what} store recovered`);
  }
}
