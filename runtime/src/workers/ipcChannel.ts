// Calls between the primary and a worker over node:cluster's IPC channel, typed by `Workers` in the protocol
// module. What one side sends during an event-loop turn (calls and answers) leaves as one message when the turn
// ends: under load a worker's rate-limit operations share a message, so the channel costs a few µs per call rather
// than a round trip each (measured in docs/decisions.md, "gateway.workers").
import { Workers } from '../../../common/src/protocol';

/** Either end of the channel: `process` in a worker, a `cluster.Worker` in the primary. */
export interface IpcEndpoint {
  send(message: Workers.Batch, callback: (error: Error | null) => void): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/** A side's methods: each with the parameters it takes and the result it answers. */
export type Methods<M> = { [K in keyof M]: { params: unknown; result: unknown } };

export type Handlers<M extends Methods<M>> = {
  [K in keyof M]: (params: M[K]['params']) => M[K]['result'] | Promise<M[K]['result']>;
};

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

/** A call the other side did not answer within its time (it is busy or hung); a late answer is dropped. */
export class IpcTimeout extends Error {}

/** `Out`: the methods the other side answers; `In`: the ones this side answers with `handlers`. */
export class IpcChannel<Out extends Methods<Out>, In extends Methods<In>> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private calls: Workers.Call[] = [];
  private results: Workers.Result[] = [];
  private scheduled = false;
  private closedWith: Error | undefined;

  constructor(
    private readonly endpoint: IpcEndpoint,
    private readonly handlers: Handlers<In>,
  ) {
    endpoint.on('message', this.receive);
  }

  /** `timeoutMs`: reject with IpcTimeout when no answer came by then (else wait as long as the other side lives). */
  call<K extends keyof Out & string>(method: K, params: Out[K]['params'], timeoutMs?: number): Promise<Out[K]['result']> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    this.calls.push({ id, method, params });
    this.schedule();
    return new Promise((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      if (timeoutMs !== undefined) {
        pending.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new IpcTimeout(`${method}: no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.pending.set(id, pending);
    });
  }

  /** Rejects what is pending and refuses new calls (the other side is gone). */
  close(reason: Error): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    this.endpoint.off('message', this.receive);
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(reason);
    }
    this.pending.clear();
  }

  /** Sends what is queued now rather than at the end of the turn (before the process exits). */
  flush(): Promise<void> {
    this.scheduled = false;
    if (this.calls.length === 0 && this.results.length === 0) return Promise.resolve();
    const batch: Workers.Batch = { type: Workers.batchType };
    if (this.calls.length > 0) batch.calls = this.calls;
    if (this.results.length > 0) batch.results = this.results;
    this.calls = [];
    this.results = [];
    return new Promise((resolve) =>
      this.endpoint.send(batch, (error) => {
        if (error) for (const call of batch.calls ?? []) this.settle({ id: call.id, error: `the other process is gone: ${error.message}` });
        resolve();
      }),
    );
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void (this.scheduled && this.flush()));
  }

  private readonly receive = (message: unknown): void => {
    if (!isBatch(message)) return; // node:cluster's own messages share the channel
    for (const result of message.results ?? []) this.settle(result);
    for (const call of message.calls ?? []) this.answer(call);
  };

  private settle(result: Workers.Result): void {
    const pending = this.pending.get(result.id);
    if (!pending) return;
    this.pending.delete(result.id);
    clearTimeout(pending.timer);
    if (result.error !== undefined) pending.reject(new Error(result.error));
    else pending.resolve(result.result ?? null);
  }

  private answer(call: Workers.Call): void {
    const reply = (result: Workers.Result): void => {
      if (this.closedWith) return;
      this.results.push(result);
      this.schedule();
    };
    const handler = (this.handlers as Record<string, ((params: unknown) => unknown) | undefined>)[call.method];
    if (!handler) return reply({ id: call.id, error: `no method ${call.method}` });
    try {
      const value = handler(call.params);
      if (value instanceof Promise) {
        value.then(
          (result: unknown) => reply({ id: call.id, result: result ?? null }),
          (err: unknown) => reply({ id: call.id, error: err instanceof Error ? err.message : String(err) }),
        );
      } else {
        reply({ id: call.id, result: value ?? null });
      }
    } catch (err) {
      reply({ id: call.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
}

function isBatch(message: unknown): message is Workers.Batch {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === Workers.batchType;
}
