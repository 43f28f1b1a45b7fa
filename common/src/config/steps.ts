// Long work as a generator that yields between bounded steps: run to the end at once (`runSteps`), or by an editor
// that lets other requests in between (the language server analyzes a large document this way).
export type Steps<T> = Generator<void, T, void>;

export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
