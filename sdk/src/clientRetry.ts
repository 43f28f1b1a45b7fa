// The product card's error handling: 429 and 503 are retried with exponential backoff (full jitter), honouring the
// gateway's Retry-After up to the cap. A refused connection is retried only for reads, which are safe to repeat.

export interface RetryOptions {
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First backoff in ms (default 200), doubled per retry. */
  baseDelayMs?: number;
  /** Largest single wait in ms (default 5000), Retry-After included. */
  maxDelayMs?: number;
}

export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);

export function backoffDelay(attempt: number, options: RetryOptions, retryAfter: string | null, random = Math.random): number {
  const max = options.maxDelayMs ?? 5_000;
  const fromHeader = parseRetryAfter(retryAfter);
  if (fromHeader !== undefined) return Math.min(max, fromHeader);
  const ceiling = Math.min(max, (options.baseDelayMs ?? 200) * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (a cancelled call does not sit out its backoff). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
