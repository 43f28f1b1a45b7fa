// Per-call controls every SDK method takes last: the caller's AbortSignal and a timeout for this call alone.

export interface CallOptions {
  /** Aborts the call, retries and backoff waits included; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Per attempt, in ms; overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

/** One attempt ends at the timeout or when the caller aborts, whichever comes first. */
export function attemptSignal(timeoutMs: number, signal: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([timeout, signal]) : timeout;
}
