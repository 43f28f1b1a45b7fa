// Redis Sentinel, on real servers: a master, its replica and a sentinel (Debian's redis-server in both roles). Two
// gateway processes keep one config through the master the sentinel names (gateway.cluster); two replicas of the
// rate-limit store count together there, and when that master dies, the sentinel promotes the replica and the stores
// follow it without a restart.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pino from 'pino';
import { request } from 'undici';
import { ProcessEvents } from '../../common/src/protocol';
import { loadConfig } from '../../common/src/config';
import type { StoreConfig } from '../../common/src/config/types';
import { createRateLimitStore, type RateLimitStore } from '../../runtime/src/limits';
import { describeRedisTarget } from '../../runtime/src/limits/redisClient';
import { startGatewayProcess, type GatewayProcess } from '../support/gatewayReplica';
import { startRedisSentinel, startRedisServer, type RedisServer } from '../support/redisServer';

/** Logged by a replica once its config sync is connected (runtime/src/cluster/configSync.ts). */
const CLUSTER_ON = 'cluster config sync on';

const GROUP = 'gatewayMaster'; // a master group name keeps its letter case

describe('Redis Sentinel: shared limits and cluster sync', function () {
  this.timeout(60_000);
  let dir: string;
  let master: RedisServer;
  let replica: RedisServer;
  let sentinel: { port: number; stop(): Promise<void> };
  const stores: RateLimitStore[] = [];
  const gateways: GatewayProcess[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sentinel-'));
    master = await startRedisServer();
    replica = await startRedisServer(undefined, ['--replicaof', '127.0.0.1', String(master.port)]);
    sentinel = await startRedisSentinel(dir, GROUP, master.port);
  });
  after(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await sentinel?.stop();
    await replica?.stop();
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads sentinels from the config: the URL names the group, its password and database still apply', function () {
    const loaded = loadConfig(
      `version: 1
gateway:
  store:
    redis: { url: "redis://:s3cret@${GROUP}/2", sentinels: ["127.0.0.1:${sentinel.port}", "[::1]:26379"] }
    replicas: 2
routes:
  - { name: chat, path: /v1/chat, target: mock://openai }
`,
      { env: {} },
    );
    assert.deepEqual(
      loaded.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    const redis = loaded.config?.gateway.store.redis;
    assert.deepEqual(redis?.sentinels, [
      { host: '127.0.0.1', port: sentinel.port },
      { host: '::1', port: 26379 },
    ]);
    assert.equal(describeRedisTarget(redis), `sentinel master "${GROUP}" via 127.0.0.1:${sentinel.port}, ::1:26379`, 'no password in what is logged');

    const bad = loadConfig('version: 1\ngateway:\n  store:\n    redis: { url: "rediss://mymaster", sentinels: ["sentinel"] }\nroutes: []\n', { env: {} });
    const messages = bad.diagnostics.map((d) => `${d.code}: ${d.message}`);
    assert.ok(
      messages.some((m) => m.includes('is not a sentinel address: write host:port')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.startsWith('store.sentinelTls')),
      messages.join('\n'),
    );
  });

  it('keeps two gateway processes on one config through the master the sentinel names (gateway.cluster)', async () => {
    const adminKey = 'sentinel-test-admin-key-0123456789';
    const start = (name: string): Promise<GatewayProcess> => {
      const file = path.join(dir, `${name}.yaml`);
      writeFileSync(
        file,
        `version: 1
gateway:
  logLevel: info
  store:
    redis: { url: "redis://${GROUP}", keyPrefix: "sentinel-cluster:", sentinels: ["127.0.0.1:${sentinel.port}"] }
  cluster: { channel: "sentinel-cluster:config" }
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: "mock://openai" }
`,
      );
      return startGatewayProcess(file, { AI_GATEWAY_API_KEY: adminKey });
    };
    const [a, b] = await Promise.all([start('a'), start('b')]);
    gateways.push(a, b);
    await Promise.all([a.waitFor(CLUSTER_ON), b.waitFor(CLUSTER_ON)]);
    const created = await request(new URL('/api/v1/routes', a.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'embeddings', path: '/v1/embeddings', methods: ['POST'], target: 'mock://openai' }),
    });
    assert.equal(created.statusCode, 201, await created.body.text());
    await b.waitFor(ProcessEvents.clusterConfigAdopted);
    const served = await request(new URL('/v1/embeddings', b.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-3-small', input: 'hi' }),
    });
    assert.equal(served.statusCode, 200, await served.body.text());
    await served.body.dump();
  });

  it('two stores count together through the master, and follow it when the sentinel fails over', async () => {
    const config: StoreConfig = {
      redis: { url: `redis://${GROUP}`, keyPrefix: 'sentinel-test:', sentinels: [{ host: '127.0.0.1', port: sentinel.port }] },
      onStoreFailure: 'fail-closed',
      replicas: 2,
    };
    const [a, b] = [1, 2].map(() => createRateLimitStore(config, { logger: pino({ level: 'silent' }) }));
    stores.push(a!, b!);
    assert.ok(await a!.ready(10_000), 'connected through the sentinel');
    assert.ok(await b!.ready(10_000));
    const options = { keyPrefix: 'req', limit: 10, windowMs: 60_000 };
    const [onA, onB] = [a!.counters(options), b!.counters(options)];
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? onA : onB).consume('consumer:x', 1)));
    assert.equal(results.filter((r) => r.admitted).length, 10, 'one budget across both stores');
    const direct = new Redis(master.url);
    assert.equal(await direct.get('sentinel-test:req:consumer:x'), '16', 'counted on the master');
    direct.disconnect();

    // The master dies: the sentinel promotes the replica (and says so on +switch-master), and the stores reconnect
    // to it on their own.
    const announcements = new Redis({ port: sentinel.port, host: '127.0.0.1' });
    try {
      await announcements.subscribe('+switch-master');
      const switched = once(announcements, 'message') as Promise<[string, string]>;
      await master.stop();
      const [, message] = await switched;
      assert.equal(message.split(' ').at(-1), String(replica.port), `the sentinel promoted the replica: ${message}`);
    } finally {
      announcements.disconnect();
    }
    // Until a store has found the new master, fail-closed refuses: each store retries until it answers (the test's
    // timeout bounds it). Each reconnects on its own, so B may still be on its way when A already counts.
    const afterA = await consumeOnceReconnected(onA, 'consumer:y');
    assert.equal(afterA.admitted, true);
    assert.equal((await consumeOnceReconnected(onB, 'consumer:y')).remaining, 8, 'both stores count on the new master');
    const promoted = new Redis(replica.url);
    assert.equal(await promoted.get('sentinel-test:req:consumer:y'), '2', 'the keys now live on the promoted replica');
    promoted.disconnect();
  });
});

type Counters = ReturnType<RateLimitStore['counters']>;

/** Consumes one from `key`, retrying every 200 ms while the store refuses (fail-closed, reconnecting after a failover). */
async function consumeOnceReconnected(counters: Counters, key: string): Promise<Awaited<ReturnType<Counters['consume']>>> {
  for (;;) {
    try {
      return await counters.consume(key, 1);
    } catch {
      await delay(200);
    }
  }
}
