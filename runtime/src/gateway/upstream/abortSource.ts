// The abort signal of a proxied request and of each of its attempts. undici accepts an EventEmitter with `aborted`
// and `reason` as a request signal; an AbortController costs an EventTarget, its signal and their listeners, and
// the proxy needed two per request, which showed in the CPU profile (about 10 µs a request).
import { EventEmitter } from 'node:events';

export class AbortSource extends EventEmitter {
  aborted = false;
  /** Why it was aborted: one of the ABORT_* reasons of retryPolicy.ts. */
  reason: unknown = undefined;

  /** The first call wins, as with AbortController: later reasons are ignored. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }

  onAbort(listener: () => void): void {
    this.on('abort', listener);
  }

  offAbort(listener: () => void): void {
    this.removeListener('abort', listener);
  }
}
