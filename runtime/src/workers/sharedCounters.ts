// Rate-limit counters exact across worker processes without Redis: the primary keeps them (the same in-memory
// counters a single process uses, so each operation is atomic there), and a worker's counter is the Redis store's
// interface (`RateCounter`) with every operation asked of the primary over the IPC channel.
import type { Workers } from '../../../common/src/protocol';
import { memoryRateCounters, type RateCounter, type RateCounterFactory } from '../security/rateCounters';
import type { IpcChannel } from './ipcChannel';

/** In the primary: one counter per limit the workers use, made on its first operation. */
export class SharedCounters {
  private readonly counters = new Map<string, RateCounter>();

  consume(operation: Workers.CounterOperation): Promise<Workers.CounterCount> {
    return this.counterFor(operation.counter).consume(operation.key, operation.points);
  }

  adjust(operation: Workers.CounterOperation): Promise<Workers.CounterCount> {
    return this.counterFor(operation.counter).adjust(operation.key, operation.points);
  }

  private counterFor(spec: Workers.CounterSpec): RateCounter {
    const identity = `${spec.keyPrefix}|${spec.limit}|${spec.windowMs}`;
    let counter = this.counters.get(identity);
    if (!counter) {
      counter = memoryRateCounters({ keyPrefix: spec.keyPrefix, limit: spec.limit, windowMs: spec.windowMs });
      this.counters.set(identity, counter);
    }
    return counter;
  }
}

/** In a worker: counters whose every operation the primary performs. */
export function primaryRateCounters(primary: IpcChannel<Workers.PrimaryMethods, Workers.WorkerMethods>): RateCounterFactory {
  return (options) => {
    const counter: Workers.CounterSpec = { keyPrefix: options.keyPrefix, limit: options.limit, windowMs: options.windowMs };
    return {
      limit: options.limit,
      windowMs: options.windowMs,
      consume: (key, points) => primary.call('counter.consume', { counter, key, points }),
      adjust: (key, points) => primary.call('counter.adjust', { counter, key, points }),
    };
  };
}
