// The abort signal of a proxied request and of each of its attempts. An AbortController costs an EventTarget, its
// signal and their listeners, and the proxy needs two per request (about 10 µs a request in the CPU profile); an
// EventEmitter still costs its init and a listener map. A request has at most a few listeners, so a small array does.
export class AbortSource {
  aborted = false;
  /** Why it was aborted: one of the ABORT_* reasons of retryPolicy.ts. */
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined;

  /** The first call wins, as with AbortController: later reasons are ignored. Listeners run once, in order. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  onAbort(listener: () => void): void {
    if (this.aborted) return;
    (this.listeners ??= []).push(listener);
  }

  offAbort(listener: () => void): void {
    const listeners = this.listeners;
    if (!listeners) return;
    const at = listeners.lastIndexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  }
}
