// The shared rate-limit store against a real redis-server: several store instances (one per replica, each with
// its own connection) count exactly together; when Redis dies each onStoreFailure policy does what it says, is
// logged once and counted; when Redis comes back the limits go back to it without a restart.
import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { StoreConfig, StoreFailurePolicy } from '../../common/src/config/types';
import { RateLimitStoreUnavailable, STORE_RECOVERED, STORE_UNAVAILABLE, createRateLimitStore, type RateLimitStore } from '../../runtime/src/limits';
import type { RateCounter } from '../../runtime/src/security/rateCounters';
import { COMMAND_TIMEOUT_MS, redactRedisUrl } from '../../runtime/src/limits/redisClient';
import { startRedisServer, type RedisServer } from '../support/redisServer';

interface LoggedStore {
  store: RateLimitStore;
  registry: Registry;
  lines: Record<string, unknown>[];
  /** Resolves when a line with this msg has been logged (now or later). */
  logged(msg: string): Promise<void>;
}

function storeFor(redis: RedisServer, policy: StoreFailurePolicy, replicas = 1, keyPrefix = 'test:'): LoggedStore {
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    stream.emit('line');
  });
  const registry = new Registry();
  const config: StoreConfig = { redis: { url: redis.url, keyPrefix }, onStoreFailure: policy, replicas };
  const store = createRateLimitStore(config, { logger: pino(stream), registry });
  const logged = (msg: string): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (!lines.some((line) => line.msg === msg)) return;
        stream.off('line', check);
        resolve();
      };
      stream.on('line', check);
      check();
    });
  return { store, registry, lines, logged };
}

async function metric(registry: Registry, name: string): Promise<number> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.reduce((sum, v) => sum + v.value, 0);
}

async function admittedOf(counters: RateCounter[], requests: number, key: string): Promise<number> {
  const results = await Promise.all(Array.from({ length: requests }, (_, i) => counters[i % counters.length]!.consume(key, 1)));
  return results.filter((r) => r.admitted).length;
}

describe('shared rate-limit store on a real Redis', function () {
  this.timeout(30_000);
  let redis: RedisServer;
  const stores: RateLimitStore[] = [];
  const track = (logged: LoggedStore): LoggedStore => {
    stores.push(logged.store);
    return logged;
  };

  before(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    redis.freeze(false);
    await redis.start();
  });
  after(async () => {
    await redis?.stop();
  });

  it('three replicas (three connections) admit exactly N of 4N concurrent requests', async () => {
    const replicas = [1, 2, 3].map(() => track(storeFor(redis, 'fail-closed')));
    await Promise.all(replicas.map((r) => r.store.ready(5_000)));
    const N = 50;
    const counters = replicas.map((r) => r.store.counters({ keyPrefix: 'req:/predict', limit: N, windowMs: 60_000 }));
    assert.equal(await admittedOf(counters, 4 * N, 'consumer:alice'), N);
    // A different key has its own budget; the keys live in Redis under the configured prefix.
    assert.equal(await admittedOf(counters, 3, 'consumer:bob'), 3);
    const client = new Redis(redis.url);
    try {
      assert.equal(await client.get('test:req:/predict:consumer:alice'), String(4 * N));
    } finally {
      client.disconnect();
    }
  });

  it('token budgets are charged across replicas', async () => {
    const [a, b] = [track(storeFor(redis, 'fail-closed')), track(storeFor(redis, 'fail-closed'))];
    await Promise.all([a.store.ready(5_000), b.store.ready(5_000)]);
    const options = { keyPrefix: 'tokens:/chat', limit: 1_000, windowMs: 60_000 };
    const [onA, onB] = [a.store.counters(options), b.store.counters(options)];
    await onA.adjust('consumer:team-a', 700);
    const after = await onB.adjust('consumer:team-a', 400);
    assert.equal(after.consumed, 1_100);
    assert.equal(after.admitted, false);
    assert.equal(after.remaining, 0);
    const refunded = await onA.adjust('consumer:team-a', -400);
    assert.equal(refunded.consumed, 700);
    assert.equal(refunded.remaining, 300);
  });

  it('fail-open admits while Redis is down, logs the outage once and counts each decision', async () => {
    const replica = track(storeFor(redis, 'fail-open'));
    await replica.store.ready(5_000);
    const counter = replica.store.counters({ keyPrefix: 'open', limit: 2, windowMs: 60_000 });
    assert.equal(await admittedOf([counter], 5, 'k'), 2);
    await redis.stop();
    assert.equal(await admittedOf([counter], 10, 'k'), 10);
    await replica.logged(STORE_UNAVAILABLE);
    assert.equal(replica.lines.filter((l) => l.msg === STORE_UNAVAILABLE).length, 1);
    assert.equal(await metric(replica.registry, 'ai_gateway_rate_limit_store_failures_total'), 10);
    assert.equal(await metric(replica.registry, 'ai_gateway_rate_limit_store_up'), 0);
  });

  it('fail-closed refuses with RateLimitStoreUnavailable while Redis is down', async () => {
    const replica = track(storeFor(redis, 'fail-closed'));
    await replica.store.ready(5_000);
    const counter = replica.store.counters({ keyPrefix: 'closed', limit: 100, windowMs: 60_000 });
    assert.equal((await counter.consume('k', 1)).admitted, true);
    await redis.stop();
    await assert.rejects(counter.consume('k', 1), RateLimitStoreUnavailable);
    await assert.rejects(counter.adjust('k', 10), RateLimitStoreUnavailable);
  });

  it('local falls back to limit / replicas in this process, and goes back to Redis when it returns', async () => {
    const replica = track(storeFor(redis, 'local', 3));
    await replica.store.ready(5_000);
    const counter = replica.store.counters({ keyPrefix: 'local', limit: 10, windowMs: 60_000 });
    assert.equal(await admittedOf([counter], 1, 'k'), 1);
    assert.equal(await admittedOf([counter], 4, 'fresh'), 4);

    await redis.stop();
    // 'k': Redis had counted 1, this replica's share of it is ceil(1 / 3) = 1, so floor(10 / 3) - 1 = 2 are left here.
    const during = await Promise.all(Array.from({ length: 6 }, () => counter.consume('k', 1)));
    assert.equal(during.filter((r) => r.admitted).length, 2, 'floor(10 / 3) = 3 for this replica, less its share of what Redis had counted');
    assert.deepEqual(
      during.map((r) => r.remaining),
      [1, 0, 0, 0, 0, 0],
      'RateLimit-Remaining counts down the local share',
    );
    // A key Redis never saw in this window gets the whole share.
    assert.equal(await admittedOf([counter], 6, 'other'), 3);

    await redis.start();
    await replica.logged(STORE_RECOVERED);
    assert.equal(await metric(replica.registry, 'ai_gateway_rate_limit_store_up'), 1);
    // Redis restarted empty (no persistence): the shared count starts again, and is shared again.
    const other = track(storeFor(redis, 'local', 3));
    await other.store.ready(5_000);
    const otherCounter = other.store.counters({ keyPrefix: 'local', limit: 10, windowMs: 60_000 });
    assert.equal(await admittedOf([counter, otherCounter], 20, 'k'), 10);
  });

  it('local, Redis stopped mid-window: two replicas admit no more than the limit in that window together', async () => {
    // docs/deployment.md: each replica goes on from its share of what Redis last told it had been counted.
    const replicas = [track(storeFor(redis, 'local', 2, 'mid-window:')), track(storeFor(redis, 'local', 2, 'mid-window:'))];
    await Promise.all(replicas.map((r) => r.store.ready(5_000)));
    const counters = replicas.map((r) => r.store.counters({ keyPrefix: 'req', limit: 20, windowMs: 60_000 }));
    // Ten requests through Redis, taking turns, one at a time: each replica has just heard the count.
    let before = 0;
    for (let i = 0; i < 10; i++) if ((await counters[i % 2]!.consume('route:chat', 1)).admitted) before += 1;
    assert.equal(before, 10);

    await redis.stop();
    const during = await Promise.all(counters.flatMap((counter) => Array.from({ length: 20 }, () => counter.consume('route:chat', 1))));
    const admitted = during.filter((r) => r.admitted).length;
    assert.equal(before + admitted, 20, `${before} before the outage + ${admitted} during it, against a limit of 20`);
    await Promise.all(replicas.map((r) => r.logged(STORE_UNAVAILABLE)));
  });

  it('a Redis that hangs (frozen, connection open) costs one request the command timeout, not every request', async () => {
    const replica = track(storeFor(redis, 'fail-open'));
    await replica.store.ready(5_000);
    const counter = replica.store.counters({ keyPrefix: 'hung', limit: 5, windowMs: 60_000 });
    await counter.consume('k', 1);
    redis.freeze(true);
    // Redis never answers while frozen: only the command timeout can end this one, and the policy admits it.
    assert.equal((await counter.consume('k', 1)).admitted, true);
    await replica.logged(STORE_UNAVAILABLE);
    // Once marked unavailable, requests go straight to the policy (one probe a second), not to the dead socket:
    // 20 requests one after another would take 20 command timeouts if each waited; a probe or two may.
    const burstStarted = performance.now();
    for (let i = 0; i < 20; i++) assert.equal((await counter.consume('k', 1)).admitted, true);
    const burstMs = performance.now() - burstStarted;
    assert.ok(burstMs < 8 * COMMAND_TIMEOUT_MS, `the burst waited on Redis: ${Math.round(burstMs)} ms for 20 requests`);
    redis.freeze(false);
  });

  it('never logs a Redis password', () => {
    assert.equal(redactRedisUrl('redis://:s3cret@redis:6379/0'), 'redis://:***@redis:6379/0');
    assert.equal(redactRedisUrl('rediss://gateway:s3cret@redis:6380'), 'rediss://gateway:***@redis:6380');
    assert.equal(redactRedisUrl('redis://redis:6379'), 'redis://redis:6379');
  });

  it('a store without redis counts in memory', async () => {
    const store = createRateLimitStore({ onStoreFailure: 'local', replicas: 1 }, { logger: pino({ level: 'silent' }) });
    assert.equal(store.kind, 'memory');
    const counter = store.counters({ keyPrefix: 'mem', limit: 3, windowMs: 1_000 });
    assert.equal(await admittedOf([counter], 5, 'k'), 3);
  });
});
