// `gateway.store`: where request and token counters live. Without `redis`, in this process (or, with
// gateway.workers, in the primary process for all workers). With it, in Redis through rate-limiter-flexible's
// RateLimiterRedis (one Lua script per operation: atomic, no read-modify-write race between replicas), wrapped in
// the onStoreFailure policy.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { StoreConfig } from '../../../common/src/config';
import { memoryRateCounters, rateCounterOf, type RateCounter, type RateCounterFactory, type RateCounterOptions } from '../security/rateCounters';
import { localShare, scaledLocalCounter, withFailurePolicy } from './failurePolicy';
import { createRedisClient, describeRedisTarget, waitUntilReady } from './redisClient';
import { StoreHealth } from './storeHealth';

export interface RateLimitStore {
  readonly kind: 'memory' | 'primary' | 'redis';
  /** Pass to the security part (`SecurityOptions.counters`): makes one counter per configured limit. */
  readonly counters: RateCounterFactory;
  /** Resolves true once the store answers, false after `timeoutMs` (the policy applies meanwhile). */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface RateLimitStoreOptions {
  logger: Logger;
  registry?: Registry;
  /** A worker of gateway.workers: counters its primary keeps for every worker, used instead of this process's. */
  primaryCounters?: RateCounterFactory;
}

export function createRateLimitStore(config: StoreConfig, options: RateLimitStoreOptions): RateLimitStore {
  const inProcess = options.primaryCounters;
  if (!config.redis) {
    return {
      kind: inProcess ? 'primary' : 'memory',
      counters: inProcess ?? memoryRateCounters,
      ready: () => Promise.resolve(true),
      close: () => Promise.resolve(),
    };
  }
  const { keyPrefix } = config.redis;
  const store = describeRedisTarget(config.redis);
  const client = createRedisClient(config.redis);
  const health = new StoreHealth({ logger: options.logger, policy: config.onStoreFailure, store, ...(options.registry ? { registry: options.registry } : {}) });
  watchConnection(client, health);

  const counters: RateCounterFactory = (counter) => {
    const shared = rateCounterOf(redisLimiter(client, keyPrefix, counter), counter);
    let local: RateCounter | undefined;
    const localCounter = (): RateCounter => (local ??= makeLocalCounter(counter, config.replicas, inProcess));
    return withFailurePolicy(shared, config.onStoreFailure, localCounter, health, config.replicas);
  };

  options.logger.info({ store, keyPrefix, onStoreFailure: config.onStoreFailure, replicas: config.replicas }, 'rate limits shared through Redis');
  return {
    kind: 'redis',
    counters,
    ready: (timeoutMs) => waitUntilReady(client, timeoutMs),
    close: async () => {
      // Quitting is not an outage: no "unavailable" line, and a late socket error is not news.
      for (const event of ['error', 'close', 'ready']) client.removeAllListeners(event);
      client.on('error', () => undefined);
      await client.quit().catch(() => client.disconnect());
    },
  };
}

function redisLimiter(client: Redis, keyPrefix: string, counter: RateCounterOptions): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: client,
    keyPrefix: `${keyPrefix}${counter.keyPrefix}`,
    points: counter.limit,
    duration: Math.max(1, Math.round(counter.windowMs / 1000)),
    rejectIfRedisNotReady: true, // fail at once while disconnected, rather than queue behind a dead socket
  });
}

/** This replica's share of a limit while Redis is down: in this process, or in the primary for all its workers. */
function makeLocalCounter(counter: RateCounterOptions, replicas: number, inProcess: RateCounterFactory | undefined): RateCounter {
  const share = localShare(counter.limit, replicas);
  const options = { keyPrefix: `local:${counter.keyPrefix}`, limit: share, windowMs: counter.windowMs };
  const local = inProcess
    ? inProcess(options)
    : rateCounterOf(new RateLimiterMemory({ ...options, points: share, duration: counter.windowMs / 1000 }), options);
  return scaledLocalCounter(local, counter.limit);
}

// The connection's own events mark the outage and the recovery even when no request is in flight.
function watchConnection(client: Redis, health: StoreHealth): void {
  client.on('error', (err: Error) => health.lost(err));
  client.on('close', () => health.lost(new Error('connection closed')));
  client.on('ready', () => health.succeeded());
}
