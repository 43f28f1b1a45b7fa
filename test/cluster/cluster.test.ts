// Config convergence across replicas (gateway.cluster): real gateway processes, each with its own config file,
// on one real redis-server. A route added through one replica's admin API is published, adopted and served by the others;
// a replica started later catches up; a change another replica cannot validate is refused there, not applied.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { ProcessEvents } from '../../common/src/protocol';
import { startGatewayProcess, type GatewayProcess } from '../support/gatewayReplica';
import { freePort, startRedisServer, type RedisServer } from '../support/redisServer';

const ADMIN_KEY = 'cluster-test-admin-key-0123456789';
const EMBEDDINGS = { model: 'text-embedding-3-small', input: 'hello' };

function clusterConfig(redisUrl: string, readOnly = false): string {
  return `version: 1
gateway:
  logLevel: info
  admin: { readOnly: ${readOnly} }
  store:
    redis: { url: "${redisUrl}", keyPrefix: "cluster-test:" }
  cluster: { channel: "cluster-test:config" }
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: "mock://openai" }
`;
}

async function call(
  gateway: GatewayProcess,
  method: 'GET' | 'POST' | 'PUT',
  pathname: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await request(new URL(pathname, gateway.url), {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': typeof body === 'string' ? 'application/yaml' : 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: text }),
  });
  return { status: res.statusCode, body: await res.body.text() };
}

const admin = { authorization: `Bearer ${ADMIN_KEY}` };

describe('config convergence across replicas (gateway.cluster)', function () {
  this.timeout(60_000);
  let dir: string;
  let redis: RedisServer;
  const replicas = new Map<string, GatewayProcess>();
  const configFile = (name: string): string => path.join(dir, name, 'gateway.yaml');
  const startReplica = async (name: string, env: Record<string, string> = {}): Promise<GatewayProcess> => {
    mkdirSync(path.join(dir, name), { recursive: true });
    writeFileSync(configFile(name), clusterConfig(redis.url));
    const replica = await startGatewayProcess(configFile(name), { AI_GATEWAY_API_KEY: ADMIN_KEY, ...env });
    replicas.set(name, replica);
    return replica;
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'cluster-'));
    redis = await startRedisServer();
  });

  after(async () => {
    await Promise.all([...replicas.values()].map((r) => r.stop()));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a route added through the admin API of one replica is published, adopted by the other, and serves there', async () => {
    const [a, b] = await Promise.all([startReplica('a', { ONLY_ON_A: 'mock://openai' }), startReplica('b')]);
    assert.equal((await call(b, 'POST', '/v1/embeddings', EMBEDDINGS)).status, 404);

    const created = await call(a, 'POST', '/api/v1/routes', { name: 'embeddings', path: '/v1/embeddings', methods: ['POST'], target: 'mock://openai' }, admin);
    assert.equal(created.status, 201, created.body);
    const adopted = await b.waitFor(ProcessEvents.clusterConfigAdopted);
    const published = await a.waitFor(ProcessEvents.clusterConfigPublished);
    assert.deepEqual([adopted.origin, adopted.version, adopted.hash], [published.origin, published.version, published.hash], 'the publication a made');

    const served = await call(b, 'POST', '/v1/embeddings', EMBEDDINGS);
    assert.equal(served.status, 200, served.body);
    assert.match(readFileSync(configFile('b'), 'utf8'), /\/v1\/embeddings/, 'the other replica keeps the change in its own file');
    assert.ok(!b.lines.some((line) => line.msg === ProcessEvents.clusterConfigPublished), 'an adopted change is not published back');
  });

  it('a replica started later (a scale-up) catches up with the changes made before it', async () => {
    const c = await startReplica('c');
    await c.waitFor(ProcessEvents.clusterConfigAdopted);
    assert.equal((await call(c, 'POST', '/v1/embeddings', EMBEDDINGS)).status, 200);
  });

  it('a change another replica cannot validate (a variable it lacks) is refused there, which keeps serving', async () => {
    const [a, b] = [replicas.get('a'), replicas.get('b')];
    const current = await call(a!, 'GET', '/api/v1/config', undefined, admin);
    const withSecret = `${current.body.trimEnd()}\n  - { name: models, path: /v1/models, methods: [GET], target: "\${ONLY_ON_A}" }\n`;
    const put = await call(a!, 'PUT', '/api/v1/config', withSecret, admin);
    assert.equal(put.status, 200, put.body);

    const refused = await b!.waitFor(ProcessEvents.clusterConfigNotAdopted);
    assert.match(JSON.stringify(refused.diagnostics), /ONLY_ON_A/);
    assert.equal((await call(b!, 'POST', '/v1/embeddings', EMBEDDINGS)).status, 200, 'the last good config keeps serving');
    assert.equal((await call(b!, 'GET', '/v1/models')).status, 404);
    assert.equal((await call(a!, 'GET', '/v1/models')).status, 200);
  });
});

describe('a cluster replica started while Redis is down', function () {
  this.timeout(60_000);

  it('serves its own config at once, then joins the cluster when Redis comes up', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cluster-late-'));
    const port = await freePort();
    const files = ['early', 'late'].map((name) => {
      mkdirSync(path.join(dir, name));
      const file = path.join(dir, name, 'gateway.yaml');
      writeFileSync(file, clusterConfig(`redis://127.0.0.1:${port}`));
      return file;
    });
    const early = await startGatewayProcess(files[0]!, { AI_GATEWAY_API_KEY: ADMIN_KEY });
    let redis: RedisServer | undefined;
    let late: GatewayProcess | undefined;
    try {
      await early.waitFor('cluster config sync waiting for Redis');
      const chat = await call(early, 'POST', '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [] });
      assert.equal(chat.status, 200, 'serving without Redis');

      redis = await startRedisServer(port);
      late = await startGatewayProcess(files[1]!, { AI_GATEWAY_API_KEY: ADMIN_KEY });
      const created = await call(
        late,
        'POST',
        '/api/v1/routes',
        { name: 'embeddings', path: '/v1/embeddings', methods: ['POST'], target: 'mock://openai' },
        admin,
      );
      assert.equal(created.status, 201, created.body);
      await early.waitFor(ProcessEvents.clusterConfigAdopted);
      assert.equal((await call(early, 'POST', '/v1/embeddings', EMBEDDINGS)).status, 200);
    } finally {
      await Promise.all([early.stop(), late?.stop()]);
      await redis?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('read-only admin when a ConfigMap is the source of truth', function () {
  this.timeout(30_000);

  it('refuses admin changes, says so, and does not sync through Redis', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'readonly-'));
    const redis = await startRedisServer();
    const file = path.join(dir, 'gateway.yaml');
    writeFileSync(file, clusterConfig(redis.url, true));
    const replica = await startGatewayProcess(file, { AI_GATEWAY_API_KEY: ADMIN_KEY });
    try {
      const off = await replica.waitFor('cluster config sync off');
      assert.match(String(off.reason), /read-only/);
      const refused = await call(replica, 'POST', '/api/v1/routes', { path: '/v1/embeddings', target: 'mock://openai' }, admin);
      assert.equal(refused.status, 403);
      assert.match(refused.body, /read-only/);
      assert.equal((await call(replica, 'GET', '/api/v1/routes', undefined, admin)).status, 200, 'reading still works');
    } finally {
      await replica.stop();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
