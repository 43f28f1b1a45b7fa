// Two gateway replicas as real processes sharing one real redis-server: an answer stored by one serves the other; a
// budget is counted once for both, exactly, under concurrent requests (0 over-admission); the spend report adds up
// both; and while Redis is down the cache steps aside (requests go to the upstream, the outage is logged once and
// counted), never an error.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import type { Admin } from '../../common/src/protocol';
import { SPEND_FLUSH_MS } from '../../runtime/src/cost/spendRedis';
import { startGatewayProcess, type GatewayProcess } from '../support/gatewayReplica';
import { startEmbeddingUpstream, type EmbeddingUpstream } from '../support/embeddingUpstream';
import { startRedisServer, type RedisServer } from '../support/redisServer';

const ADMIN_KEY = 'admin-key-shared-store-test-1a2b3c';
const TEAM_KEY = 'sk-team-shared-store-test-0123456789';
/** 200,000 nano-dollars a day for the whole route: about fifteen small gpt-4o-mini requests. */
const BUDGET_USD = 0.0002;
const INPUT_NANO = 150;
const OUTPUT_NANO = 600;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

async function post(gateway: GatewayProcess, pathname: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(new URL(pathname, gateway.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** Resolves once the replica logged the access line of this answer (so whatever it stored is in Redis). */
function logged(gateway: GatewayProcess, answer: Answer): Promise<Record<string, unknown>> {
  return gateway.waitFor('request', (line) => line.requestId === answer.headers['x-request-id']);
}

function config(redisUrl: string, embeddingsUrl: string): string {
  return `version: 1
gateway:
  logLevel: info
  store:
    redis: { url: "${redisUrl}", keyPrefix: "shared-store-test:" }
    onStoreFailure: local
    replicas: 2
routes:
  - { name: cached, path: /v1/chat/completions, methods: [POST], target: "mock://openai", cache: { ttl: 10m, by: route } }
  - { name: budgeted, path: /budget/v1/chat/completions, methods: [POST], target: "mock://openai", stripPrefix: /budget }
  - name: semantic
    path: /semantic/v1/chat/completions
    methods: [POST]
    target: "mock://openai"
    stripPrefix: /semantic
    cache: { mode: semantic, similarity: 0.9, by: route, embeddings: { route: embeddings } }
  - { name: embeddings, path: /v1/embeddings, methods: [POST], target: "${embeddingsUrl}" }
security:
  - endpoint: /semantic/v1/chat/completions
    auth: none
  - endpoint: /v1/embeddings
    auth: none
  - endpoint: /v1/chat/completions
    auth: none
  - endpoint: /budget/v1/chat/completions
    auth: api-key
    apiKeys: [{ name: team, keyEnv: TEAM_KEY }]
    budget: { usd: ${BUDGET_USD}/day, by: route }
`;
}

describe('cache, budgets and spend shared by replicas through Redis', function () {
  this.timeout(60_000);
  let dir: string;
  let redis: RedisServer;
  let replicas: GatewayProcess[] = [];
  let embeddings: EmbeddingUpstream;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'shared-store-'));
    redis = await startRedisServer();
    const file = path.join(dir, 'gateway.yaml');
    embeddings = await startEmbeddingUpstream();
    writeFileSync(file, config(redis.url, embeddings.url));
    replicas = await Promise.all([1, 2].map(() => startGatewayProcess(file, { TEAM_KEY, AI_GATEWAY_API_KEY: ADMIN_KEY })));
  });

  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await redis?.stop();
    await embeddings?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves on one replica the answer the other stored', async () => {
    const [a, b] = replicas as [GatewayProcess, GatewayProcess];
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'shared across replicas' }] };
    const miss = await post(a, '/v1/chat/completions', body);
    assert.equal(miss.headers['x-gateway-cache'], 'miss');
    await logged(a, miss);
    const hit = await post(b, '/v1/chat/completions', body);
    assert.equal(hit.headers['x-gateway-cache'], 'hit');
    assert.equal(hit.text, miss.text);
    const line = await logged(b, hit);
    assert.equal((line.cache as { result: string }).result, 'hit');
    assert.equal(line.upstream, undefined, 'replica b never called an upstream for it');
  });

  it('finds on one replica the paraphrase of a prompt the other stored (semantic cache, embeddings in Redis)', async () => {
    const [a, b] = replicas as [GatewayProcess, GatewayProcess];
    const ask = (gateway: GatewayProcess, content: string): Promise<Answer> =>
      post(gateway, '/semantic/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
    const miss = await ask(a, 'How do I reset my password?');
    assert.equal(miss.headers['x-gateway-cache'], 'miss');
    await logged(a, miss);
    const hit = await ask(b, 'How can I recover my passcode?');
    assert.equal(hit.headers['x-gateway-cache'], 'hit');
    assert.equal(hit.text, miss.text);
    assert.equal((await ask(b, 'What is the capital of France?')).headers['x-gateway-cache'], 'miss');
  });

  it('holds both replicas to one budget under concurrent requests: never more spent than it allows', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Spend a little, in parallel.' }], max_tokens: 12 };
    const reservation = Math.ceil(JSON.stringify(body).length / 4) * INPUT_NANO + body.max_tokens * OUTPUT_NANO;
    const auth = { authorization: `Bearer ${TEAM_KEY}` };
    // One request to each replica first (both fit the budget), so that both spend from it whatever the burst's order.
    const first = [await post(replicas[0]!, '/budget/v1/chat/completions', body, auth), await post(replicas[1]!, '/budget/v1/chat/completions', body, auth)];
    assert.deepEqual(
      first.map((a) => a.status),
      [200, 200],
    );
    const burst = await Promise.all(Array.from({ length: 58 }, (_, i) => post(replicas[i % 2]!, '/budget/v1/chat/completions', body, auth)));
    const answers = [...first, ...burst]; // answer i came from replica i % 2
    const admitted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    assert.equal(admitted.length + refused.length, answers.length, 'every answer is 200 or 429');
    assert.ok(refused.every((a) => (JSON.parse(a.text) as { error: { type: string } }).error.type === 'budget_exceeded'));
    const spent = admitted.reduce((sum, a) => {
      const { usage } = JSON.parse(a.text) as { usage: { prompt_tokens: number; completion_tokens: number } };
      return sum + usage.prompt_tokens * INPUT_NANO + usage.completion_tokens * OUTPUT_NANO;
    }, 0);
    assert.ok(spent <= BUDGET_USD * 1e9, `spent ${spent} of a ${BUDGET_USD * 1e9} nano-dollar budget (0 over-admission)`);
    // Reservations of the most are taken one at a time in Redis: at least as many fit as the budget holds whole ones.
    assert.ok(admitted.length >= Math.floor((BUDGET_USD * 1e9) / reservation), `${admitted.length} admitted`);
    assert.equal(new Set(admitted.map((a) => answers.indexOf(a) % 2)).size, 2, 'both replicas admitted some');
    await Promise.all(admitted.map((a) => logged(replicas[answers.indexOf(a) % 2]!, a)));

    // Either replica reports what both spent, once each has sent its last second's sums (SPEND_FLUSH_MS).
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const deadline = Date.now() + 10 * SPEND_FLUSH_MS;
    let budgeted: Admin.SpendReport['entries'][number] | undefined;
    while (budgeted?.requests !== admitted.length && Date.now() < deadline) {
      const res = await request(new URL('/api/v1/spend?by=route&period=day', replicas[1]!.url), { headers: admin });
      budgeted = ((await res.body.json()) as Admin.SpendReport).entries.find((e) => e.key === 'budgeted');
      if (budgeted?.requests !== admitted.length) await new Promise((resolve) => setTimeout(resolve, SPEND_FLUSH_MS / 4));
    }
    assert.equal(budgeted?.requests, admitted.length);
    assert.ok(Math.abs(budgeted.usd - spent / 1e9) < 1e-12);
  });

  it('while Redis is down, goes to the upstream instead of the cache, logs it once and counts it', async () => {
    const [a] = replicas as [GatewayProcess];
    await redis.stop();
    const answers: Answer[] = [];
    for (let i = 0; i < 5; i++)
      answers.push(await post(a, '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `during the outage ${i}` }] }));
    assert.deepEqual(
      answers.map((x) => [x.status, x.headers['x-gateway-cache']]),
      answers.map(() => [200, 'bypass']),
    );
    await a.waitFor('response cache store unavailable');
    assert.equal(a.lines.filter((l) => l.msg === 'response cache store unavailable').length, 1, 'one line for the outage');
    const metrics = await (await request(new URL('/metrics', a.url))).body.text();
    assert.ok(Number(/^ai_gateway_shared_store_failures_total\{store="response cache"\} (\d+)$/m.exec(metrics)?.[1]) >= 5);

    // Budgets follow onStoreFailure: local, so this replica alone may spend its share, budget / replicas, and no more.
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Spend during the outage.' }], max_tokens: 12 };
    let spent = 0;
    let answer: Answer | undefined;
    for (let i = 0; i < 40; i++) {
      answer = await post(a, '/budget/v1/chat/completions', body, { authorization: `Bearer ${TEAM_KEY}` });
      if (answer.status !== 200) break;
      const { usage } = JSON.parse(answer.text) as { usage: { prompt_tokens: number; completion_tokens: number } };
      spent += usage.prompt_tokens * INPUT_NANO + usage.completion_tokens * OUTPUT_NANO;
    }
    assert.equal(answer?.status, 429, 'refused once its share is spent, never an error');
    assert.ok(spent > 0 && spent <= (BUDGET_USD * 1e9) / 2, `spent ${spent} alone during the outage`);
    await a.waitFor('budget store unavailable');
    await redis.start();
  });
});
