// The ioredis connection behind shared rate limits: commands fail fast while Redis is away (no offline queue,
// a command timeout) so that a request never waits on a dead store, and the client keeps reconnecting in the
// background so that limits go back to Redis on their own when it returns.
import type { Redis, RedisOptions } from 'ioredis';

/** ioredis, loaded by the first config that uses Redis: a gateway without Redis does not load it (~5 MB of RSS). */
function redisClass(): typeof Redis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at start
  return (require('ioredis') as typeof import('ioredis')).Redis;
}

/** Redis commands on the request path give up after this long and the onStoreFailure policy applies. */
export const COMMAND_TIMEOUT_MS = 500;
/** Longest pause between reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 1_000;

/** Where Redis is: a URL, or with `sentinels` a master group the sentinels point at (the URL's host names it). */
export interface RedisTarget {
  url: string;
  sentinels?: readonly { host: string; port: number }[];
}

export function createRedisClient(target: RedisTarget, extra: RedisOptions = {}): Redis {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS),
    lazyConnect: false,
    ...extra,
  };
  if (!target.sentinels?.length) return new (redisClass())(target.url, options);
  // Sentinel mode: the sentinels say which server is the master, and ioredis follows a failover to the new one.
  const url = new URL(target.url);
  const db = Number(url.pathname.slice(1));
  return new (redisClass())({
    ...options,
    sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
    name: masterGroupOf(target.url),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    sentinelRetryStrategy: (attempt) => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS),
  });
}

/** The host part of the URL as written: a master group name keeps its letter case (URL parsing would lower it). */
function masterGroupOf(url: string): string {
  const host = /^rediss?:\/\/(?:[^@/]*@)?([^:/?#]+)/i.exec(url)?.[1];
  return host === undefined ? '(unparsable url)' : decodeURIComponent(host);
}

/** For logs and error messages: the URL without its password, or the master group and its sentinels. */
export function describeRedisTarget(target: RedisTarget): string {
  if (!target.sentinels?.length) return redactRedisUrl(target.url);
  return `sentinel master "${masterGroupOf(target.url)}" via ${target.sentinels.map(({ host, port }) => `${host}:${port}`).join(', ')}`;
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
