// The ioredis connection behind shared rate limits: commands fail fast while Redis is away (no offline queue,
// a command timeout) so that a request never waits on a dead store, and the client keeps reconnecting in the
// background so that limits go back to Redis on their own when it returns.
import { Redis, type RedisOptions } from 'ioredis';

/** Redis commands on the request path give up after this long and the onStoreFailure policy applies. */
export const COMMAND_TIMEOUT_MS = 500;
/** Longest pause between reconnection attempts. */
export const MAX_RECONNECT_DELAY_MS = 1_000;

export function createRedisClient(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS),
    lazyConnect: false,
    ...extra,
  });
}

/** The URL with any password replaced, fit for logs and error messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparsable url)';
  }
}

/** Resolves true once the client is connected, false if it is not within `timeoutMs`. */
export function waitUntilReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = (): void => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}
