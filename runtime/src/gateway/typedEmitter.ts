// A tiny typed emitter for the runtime's own events (the gateway's, the config store's). Unlike node's, a listener
// that throws is reported and skipped: an observer's bug must never fail a request or a config change.

export class TypedEmitter<M extends { [K in keyof M]: object }> {
  private readonly listeners: { [K in keyof M]?: ((event: M[K]) => void)[] } = {};

  /** Returns the function that removes the listener. */
  on<K extends keyof M>(name: K, listener: (event: M[K]) => void): () => void {
    const list = (this.listeners[name] ??= []);
    list.push(listener);
    return () => {
      const index = list.indexOf(listener);
      if (index >= 0) list.splice(index, 1);
    };
  }

  /** Lets a hot path skip building an event nobody listens to. */
  has(name: keyof M): boolean {
    return (this.listeners[name]?.length ?? 0) > 0;
  }

  emit<K extends keyof M>(name: K, event: M[K]): void {
    const list = this.listeners[name];
    if (!list) return;
    for (const listener of list) {
      try {
        listener(event);
      } catch (err) {
        process.emitWarning(`listener for "${String(name)}" threw: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
