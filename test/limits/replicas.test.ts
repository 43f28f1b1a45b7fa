// Gateway replicas as real processes on loopback sharing one real redis-server: request limits exact across
// three replicas, token budgets shared, and what each onStoreFailure policy does while Redis is down and after
// it comes back (no restart of the gateways).
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import type { StoreFailurePolicy } from '../../common/src/config/types';
import { STORE_RECOVERED, STORE_UNAVAILABLE } from '../../runtime/src/limits';
import { startGatewayProcess, type GatewayProcess } from '../support/gatewayReplica';
import { startRedisServer, type RedisServer } from '../support/redisServer';

const REQUEST_LIMIT = 30; // per minute, on /v1/chat/completions and /v1/models
const TOKEN_LIMIT = 300; // per minute per consumer, on /v1/completions
const TEAM_KEY = 'team-a-test-key-0123456789';

function replicaConfig(redisUrl: string, keyPrefix: string, policy: StoreFailurePolicy, replicas: number): string {
  return `version: 1
gateway:
  logLevel: info
  store:
    redis: { url: "${redisUrl}", keyPrefix: "${keyPrefix}" }
    onStoreFailure: ${policy}
    replicas: ${replicas}
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: "mock://openai" }
  - { name: completions, path: /v1/completions, methods: [POST], target: "mock://openai" }
  - { name: models, path: /v1/models, methods: [GET], target: "mock://openai" }
security:
  - endpoint: /v1/chat/completions
    auth: none
    rateLimit: { requests: ${REQUEST_LIMIT}/min, by: route }
  - endpoint: /v1/completions
    auth: api-key
    apiKeys: [{ name: team-a, keyEnv: TEAM_A_KEY }]
    rateLimit: { tokens: ${TOKEN_LIMIT}/min, by: consumer }
  - endpoint: /v1/models
    auth: none
    rateLimit: { requests: ${REQUEST_LIMIT}/min, by: route }
`;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

async function send(gateway: GatewayProcess, method: 'GET' | 'POST', pathname: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(new URL(pathname, gateway.url), {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown>, headers: res.headers };
}

/** `total` concurrent requests, request i on replica i mod n; returns the status counts. */
async function burst(replicas: GatewayProcess[], total: number, call: (gateway: GatewayProcess) => Promise<Answer>): Promise<Map<number, number>> {
  const answers = await Promise.all(Array.from({ length: total }, (_, i) => call(replicas[i % replicas.length]!)));
  const counts = new Map<number, number>();
  for (const answer of answers) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
  return counts;
}

async function metricsOf(gateway: GatewayProcess): Promise<string> {
  const res = await request(new URL('/metrics', gateway.url));
  return res.body.text();
}

const chat = (gateway: GatewayProcess): Promise<Answer> =>
  send(gateway, 'POST', '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const models = (gateway: GatewayProcess): Promise<Answer> => send(gateway, 'GET', '/v1/models');

describe('gateway replicas sharing limits through Redis', function () {
  this.timeout(60_000);
  let dir: string;
  let redis: RedisServer;
  let replicas: GatewayProcess[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'replicas-'));
    redis = await startRedisServer();
    const config = path.join(dir, 'gateway.yaml');
    writeFileSync(config, replicaConfig(redis.url, 'replicas-test:', 'local', 3));
    replicas = await Promise.all([1, 2, 3].map(() => startGatewayProcess(config, { TEAM_A_KEY: TEAM_KEY })));
  });

  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`admit exactly ${REQUEST_LIMIT} of ${4 * REQUEST_LIMIT} concurrent requests spread over 3 replicas`, async () => {
    const counts = await burst(replicas, 4 * REQUEST_LIMIT, chat);
    assert.deepEqual(Object.fromEntries(counts), { 200: REQUEST_LIMIT, 429: 3 * REQUEST_LIMIT });
    // Any replica now refuses, and says which limit.
    const refused = await chat(replicas[1]!);
    assert.equal(refused.status, 429);
    assert.match(String((refused.body.error as { message: string }).message), /request rate limit 30\/min per route reached/);
    assert.equal(refused.headers['ratelimit-remaining'], '0');
  });

  it('share one token budget: what team-a spends on one replica is gone on the others', async () => {
    const auth = { authorization: `Bearer ${TEAM_KEY}` };
    // Each request reserves its prompt estimate and max_tokens (12: what the mock answers) before it is forwarded.
    const prompt = { model: 'gpt-4o-mini', prompt: 'Summarize the scale-out design in one line, please.', max_tokens: 12 };
    const admitted: { replica: number; tokens: number }[] = [];
    let refusal: Answer | undefined;
    for (let i = 0; i < 60 && !refusal; i++) {
      const answer = await send(replicas[i % 3]!, 'POST', '/v1/completions', prompt, auth);
      if (answer.status === 200) admitted.push({ replica: i % 3, tokens: (answer.body.usage as { total_tokens: number }).total_tokens });
      else refusal = answer;
    }
    assert.ok(refusal, 'the budget ran out');
    assert.equal(refusal.status, 429);
    assert.match(String((refusal.body.error as { message: string }).message), /token rate limit 300\/min per consumer reached/);
    const spent = admitted.reduce((sum, a) => sum + a.tokens, 0);
    const perRequest = admitted[0]!.tokens;
    assert.deepEqual(new Set(admitted.map((a) => a.replica)), new Set([0, 1, 2]), 'every replica served part of the budget');
    // Counted per replica the three would have let ~3x the budget through; shared and reserved up front, it never
    // passes the budget, and stops short of it by less than the refused reservation plus the give-backs of the
    // replicas' last answers (sent to Redis as each answer ends, possibly after the next request was admitted).
    const reservation = Math.ceil(JSON.stringify(prompt).length / 4) + prompt.max_tokens;
    assert.ok(spent <= TOKEN_LIMIT && spent > TOKEN_LIMIT - 4 * reservation, `spent ${spent} tokens of a ${TOKEN_LIMIT} budget (${perRequest} per request)`);
  });

  it('Redis down: each replica falls back to limit / replicas, logs it, and returns to Redis when it is back', async () => {
    assert.equal((await models(replicas[0]!)).status, 200); // one request while Redis is up
    await redis.stop();
    await Promise.all(replicas.map((r) => r.waitFor(STORE_UNAVAILABLE)));
    for (const replica of replicas) assert.equal(replica.lines.find((l) => l.msg === STORE_UNAVAILABLE)?.policy, 'local');

    // 40 requests on each replica: each admits floor(30 / 3) = 10 on its own, less its share of what Redis had counted
    // (replica 0's one request: ceil(1 / 3) = 1), so 1 + 29 in the window, never more than the limit.
    const during = await burst(replicas, 3 * 40, models);
    assert.deepEqual(Object.fromEntries(during), { 200: REQUEST_LIMIT - 1, 429: 3 * 40 - REQUEST_LIMIT + 1 });
    // Counted on each replica's /metrics, for the alert that should page someone.
    const metrics = await metricsOf(replicas[2]!);
    assert.match(metrics, /^ai_gateway_rate_limit_store_up 0$/m);
    assert.ok(Number(/^ai_gateway_rate_limit_store_failures_total\{policy="local"\} (\d+)$/m.exec(metrics)?.[1]) >= 40);

    await redis.start();
    await Promise.all(replicas.map((r) => r.waitFor(STORE_RECOVERED)));
    assert.match(await metricsOf(replicas[2]!), /^ai_gateway_rate_limit_store_up 1$/m);
    // Back on the shared counter (the restarted Redis is empty): exactly the limit again, across replicas.
    const after = await burst(replicas, 4 * REQUEST_LIMIT, models);
    assert.deepEqual(Object.fromEntries(after), { 200: REQUEST_LIMIT, 429: 3 * REQUEST_LIMIT });
  });
});

describe('onStoreFailure fail-open and fail-closed, as clients see them', function () {
  this.timeout(60_000);
  let dir: string;
  let redis: RedisServer;
  let open: GatewayProcess;
  let closed: GatewayProcess;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'policies-'));
    redis = await startRedisServer();
    writeFileSync(path.join(dir, 'open.yaml'), replicaConfig(redis.url, 'open:', 'fail-open', 1));
    writeFileSync(path.join(dir, 'closed.yaml'), replicaConfig(redis.url, 'closed:', 'fail-closed', 1));
    [open, closed] = await Promise.all([
      startGatewayProcess(path.join(dir, 'open.yaml'), { TEAM_A_KEY: TEAM_KEY }),
      startGatewayProcess(path.join(dir, 'closed.yaml'), { TEAM_A_KEY: TEAM_KEY }),
    ]);
  });

  after(async () => {
    await Promise.all([open?.stop(), closed?.stop()]);
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fail-closed answers 503 while Redis is down and serves again when it returns; fail-open lets requests through', async () => {
    assert.equal((await burst([closed], 5, models)).get(200), 5);
    await redis.stop();
    await Promise.all([open.waitFor(STORE_UNAVAILABLE), closed.waitFor(STORE_UNAVAILABLE)]);

    const refused = await models(closed);
    assert.equal(refused.status, 503);
    assert.equal((refused.body.error as { type: string }).type, 'rate_limit_store_unavailable');
    assert.equal(refused.headers['retry-after'], '1');

    // Past the limit (30/min) and still admitted: the limit is not enforced during the outage.
    assert.deepEqual(Object.fromEntries(await burst([open], REQUEST_LIMIT + 10, models)), { 200: REQUEST_LIMIT + 10 });

    await redis.start();
    await closed.waitFor(STORE_RECOVERED);
    assert.equal((await models(closed)).status, 200);
  });
});
