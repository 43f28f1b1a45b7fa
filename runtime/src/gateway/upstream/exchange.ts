// One upstream attempt as an undici dispatch handler: status and headers when they arrive, then the body handed
// chunk by chunk to whoever takes it (the relay, or a drain before a retry), with pause/resume for back-pressure.
// `pool.request()` did the same through a Readable and an AsyncResource per response, which the profile showed.
// Semantics follow `request()`: the attempt's AbortSource aborts it at any point with its reason as the error,
// and a failed exchange destroys a streamed request body.
import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { stopReadingBody } from '../clientBody';
import type { AbortSource } from './abortSource';

/** Takes the response body; `data` returns false to pause the upstream until `UpstreamExchange.resume()`. */
export interface BodySink {
  data(chunk: Buffer): boolean;
  end(): void;
  error(err: unknown): void;
}

/** As undici's `body.dump()`: past this many bytes the connection is closed rather than drained. */
const DUMP_LIMIT_BYTES = 128 * 1024;
/** Body bytes held while nobody takes them yet (between the headers and the relay); past it the upstream pauses. */
const EARLY_LIMIT_BYTES = 64 * 1024;

type Finish = { kind: 'end' } | { kind: 'error'; err: unknown };

export class UpstreamExchange implements Dispatcher.DispatchHandler {
  statusCode = 0;
  headers: IncomingHttpHeaders = {};
  /** Settles when the response headers arrive, or rejects with the error that ended the attempt before them. */
  readonly head: Promise<void>;
  private resolveHead!: () => void;
  private rejectHead!: (err: unknown) => void;
  private headReceived = false;
  private controller: Dispatcher.DispatchController | undefined;
  private abortReason: unknown = undefined;
  private listening = false;
  private sink: BodySink | undefined;
  private early: Buffer[] | undefined;
  private earlyBytes = 0;
  private finish: Finish | undefined;

  constructor(
    private readonly signal: AbortSource,
    private readonly requestBody: Readable | undefined,
  ) {
    this.head = new Promise((resolve, reject) => {
      this.resolveHead = resolve;
      this.rejectHead = reject;
    });
    if (signal.aborted) this.abortReason = signal.reason;
    else {
      signal.onAbort(this.onSignal);
      this.listening = true;
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason !== undefined) controller.abort(this.abortReason as Error);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx informational: the final answer follows
    this.statusCode = statusCode;
    this.headers = headers;
    this.headReceived = true;
    this.resolveHead();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.sink) {
      if (!this.sink.data(chunk)) controller.pause();
      return;
    }
    (this.early ??= []).push(chunk);
    this.earlyBytes += chunk.length;
    if (this.earlyBytes > EARLY_LIMIT_BYTES) controller.pause();
  }

  onResponseEnd(): void {
    this.done({ kind: 'end' });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    const body = this.requestBody;
    if (body && !body.destroyed) {
      body.on('error', noop);
      if (body instanceof IncomingMessage) stopReadingBody(body, err);
      else body.destroy(err instanceof Error ? err : undefined);
    }
    if (!this.headReceived) {
      this.stopListening();
      this.finish = { kind: 'error', err };
      this.rejectHead(err);
      return;
    }
    this.done({ kind: 'error', err });
  }

  /** Hands the body to `sink`: what already arrived first, then the rest as it comes, then its end or error. */
  attach(sink: BodySink): void {
    this.sink = sink;
    const early = this.early;
    this.early = undefined;
    let flowing = true;
    if (early) for (const chunk of early) flowing = sink.data(chunk);
    if (this.finish) return this.deliver(this.finish);
    if (flowing) this.controller?.resume();
    else this.controller?.pause();
  }

  /**
   * The whole body, when it has all arrived before anyone took it (a short answer usually comes in the same read as
   * its headers): handed over at once, so the relay can write it without waiting on anything. Undefined while more
   * may come, or when the exchange failed; the body is then taken with `attach`.
   */
  takeCompleteBody(): Buffer[] | undefined {
    if (this.finish?.kind !== 'end' || this.sink) return undefined;
    const chunks = this.early ?? [];
    this.early = undefined;
    return chunks;
  }

  resume(): void {
    this.controller?.resume();
  }

  /** Ends the attempt (the client left): undici closes the upstream connection and reports `reason` as the error. */
  abort(reason: unknown): void {
    if (this.finish) return;
    this.abortReason = reason;
    this.controller?.abort(reason as Error);
  }

  /** Reads and discards the body so the connection can be reused, as `body.dump()`; never rejects. */
  dump(): Promise<void> {
    return new Promise((resolve) => {
      let bytes = 0;
      this.attach({
        data: (chunk) => {
          bytes += chunk.length;
          if (bytes > DUMP_LIMIT_BYTES) {
            this.abort(new Error('body dumped'));
            resolve();
          }
          return true;
        },
        end: () => resolve(),
        error: () => resolve(),
      });
    });
  }

  private readonly onSignal = (): void => {
    this.listening = false;
    this.abortReason = this.signal.reason;
    if (this.finish) return;
    this.controller?.abort(this.signal.reason as Error);
  };

  private done(finish: Finish): void {
    if (this.finish) return;
    this.finish = finish;
    this.stopListening();
    if (this.sink) this.deliver(finish);
  }

  private deliver(finish: Finish): void {
    const sink = this.sink;
    this.sink = undefined;
    if (!sink) return;
    if (finish.kind === 'end') sink.end();
    else sink.error(finish.err);
  }

  private stopListening(): void {
    if (!this.listening) return;
    this.listening = false;
    this.signal.offAbort(this.onSignal);
  }
}

function noop(): void {}
