// Budgets and the spend report with gateway.workers: 2 and no Redis, `ai-gateway-cli start` on a
// real config over real sockets: one budget held exactly across both workers under concurrency (the primary keeps its
// counters, as the rate limits'), its exhaustion told once; `GET /api/v1/spend` adding up what both workers booked
// (the response cache without Redis: workersCache.test.ts). Which worker served a request is read from its access
// line. With Redis, the workers share it all, and the admin API asks one of them.
import { strict as assert } from 'node:assert';
import { request } from 'undici';
import { ProcessEvents, type Admin } from '../../common/src/protocol';
import { adminCall, startGatewayProcess, type GatewayProcess, type LogLine } from '../admin/gatewayProcess';
import { WebhookReceiver } from '../observability/support';
import { startRedisServer, type RedisServer } from '../support/redisServer';

/** gpt-4o-mini in the built-in table: $0.15 and $0.60 per million input and output tokens (the mock:// answers). */
const INPUT_NANO = 150;
const OUTPUT_NANO = 600;
const BUDGET_USD = 0.0002;

interface Answer {
  status: number;
  requestId: string;
  body: string;
}

/** One request on a connection of its own, so that the primary hands it to the next worker in turn. */
async function post(gateway: GatewayProcess, path: string, body: unknown): Promise<Answer> {
  const res = await request(`${gateway.url}${path}`, {
    method: 'POST',
    reset: true,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.statusCode, requestId: String(res.headers['x-request-id']), body: await res.body.text() };
}

async function accessLine(gateway: GatewayProcess, answer: Answer): Promise<LogLine> {
  const find = (): LogLine | undefined => gateway.logs.find((line) => line.msg === ProcessEvents.request && line.requestId === answer.requestId);
  while (!find()) await gateway.waitForLog(ProcessEvents.request, gateway.logs.filter((line) => line.msg === ProcessEvents.request).length + 1);
  return find()!;
}

describe('gateway.workers: 2, budgets and spend without Redis', function () {
  this.timeout(60_000);
  let receiver: WebhookReceiver;
  let gateway: GatewayProcess;

  before(async () => {
    receiver = await new WebhookReceiver().start();
    gateway = await startGatewayProcess(`version: 1
gateway: { listen: 127.0.0.1:0, logLevel: info, workers: 2 }
routes:
  - { name: budgeted, path: /budgeted/v1/chat/completions, stripPrefix: /budgeted, methods: [POST], target: "mock://openai" }
security:
  - endpoint: /budgeted/v1/chat/completions
    auth: none
    budget: { usd: ${BUDGET_USD}/day, by: route }
callback: [{ url: "${receiver.url}", events: [budget.exhausted] }]
`);
  });

  after(async () => {
    await gateway?.stop();
    await receiver?.close();
  });

  it('holds one budget across both workers under concurrency, tells its exhaustion once, and reports what both spent', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Spend a little, on two workers.' }], max_tokens: 12 };
    const reservation = Math.ceil(JSON.stringify(body).length / 4) * INPUT_NANO + body.max_tokens * OUTPUT_NANO;
    const answers = await Promise.all(Array.from({ length: 60 }, () => post(gateway, '/budgeted/v1/chat/completions', body)));
    const admitted = answers.filter((answer) => answer.status === 200);
    assert.equal(admitted.length + answers.filter((answer) => answer.status === 429).length, answers.length, 'every answer is 200 or 429');
    const spent = admitted.reduce((sum, answer) => {
      const { usage } = JSON.parse(answer.body) as { usage: { prompt_tokens: number; completion_tokens: number } };
      return sum + usage.prompt_tokens * INPUT_NANO + usage.completion_tokens * OUTPUT_NANO;
    }, 0);
    assert.ok(spent <= BUDGET_USD * 1e9, `spent ${spent} of a ${BUDGET_USD * 1e9} nano-dollar budget (0 over-admission)`);
    assert.ok(admitted.length >= Math.floor((BUDGET_USD * 1e9) / reservation), `${admitted.length} admitted`);
    const workers = new Set(await Promise.all(answers.map(async (answer) => (await accessLine(gateway, answer)).worker)));
    assert.deepEqual([...workers].sort(), [1, 2], 'both workers took part of the burst');

    const exhausted = await receiver.waitFor((delivery) => delivery.event.type === 'budget.exhausted');
    assert.equal((exhausted.event.data as { key: string }).key, 'budgeted');

    const report = await adminCall<Admin.SpendReport>(gateway.url, 'GET', '/api/v1/spend?by=route&period=day');
    const booked = report.json.entries.find((entry) => entry.key === 'budgeted');
    assert.equal(booked?.requests, admitted.length, "both workers' requests");
    assert.ok(Math.abs(booked.usd - spent / 1e9) < 1e-12, `${booked.usd} against ${spent / 1e9}`);
    assert.equal(receiver.ofType('budget.exhausted').length, 1, 'told once, not once per worker');
  });
});

describe('gateway.workers: 2 with a Redis store, spend and the response cache', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let gateway: GatewayProcess;

  before(async () => {
    redis = await startRedisServer();
    gateway = await startGatewayProcess(`version: 1
gateway:
  listen: 127.0.0.1:0
  logLevel: info
  workers: 2
  store: { redis: { url: "${redis.url}", keyPrefix: "workers-spend:" } }
routes:
  - { name: cached, path: /v1/chat/completions, methods: [POST], target: "mock://openai", cache: { by: route } }
security:
  - { endpoint: /v1/chat/completions, auth: none }
`);
  });

  after(async () => {
    await gateway?.stop();
    await redis?.stop();
  });

  it('shares the answers of both workers, reports what they spent once, and purges the one store once', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Shared by both workers.' }] };
    const answers: Answer[] = [];
    const workers = new Set<unknown>();
    while (workers.size < 2 && answers.length < 40) {
      const answer = await post(gateway, '/v1/chat/completions', body);
      answers.push(answer);
      workers.add((await accessLine(gateway, answer)).worker);
    }
    const results = await Promise.all(answers.map(async (answer) => ((await accessLine(gateway, answer)).cache as { result: string }).result));
    assert.deepEqual(results, ['miss', ...results.slice(1).map(() => 'hit')], 'one miss: the other worker found the answer in Redis');

    // Each worker sends what it booked once a second: wait until the report holds the one priced request.
    let report: Admin.SpendReport | undefined;
    for (let i = 0; i < 50 && report?.requests !== 1; i++) {
      report = (await adminCall<Admin.SpendReport>(gateway.url, 'GET', '/api/v1/spend?by=route&period=day')).json;
      if (report.requests !== 1) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(report?.requests, 1, 'the one request that cost anything, counted once, not once per worker');

    const purged = await adminCall<Admin.CachePurged>(gateway.url, 'DELETE', '/api/v1/routes/cached/cache');
    assert.deepEqual(purged.json, { route: 'cached', purged: 1 });
  });
});
