// Budgets and cost over real sockets, in one gateway (the shared, multi-replica case is in test/cache/sharedStore.test.ts):
// each request's most is reserved before it is forwarded and it is refused with 429 budget_exceeded when that does
// not fit, so what a consumer spends never passes its budget; the remaining budget is in the headers; a webhook event
// goes out at the threshold and at exhaustion; GET /api/v1/spend adds up what the access log says each request cost.
import { strict as assert } from 'node:assert';
import type { Admin } from '../../common/src/protocol';
import { send, startTestGateway, type HttpAnswer } from '../gateway/support';
import { configOf, sample, scrape, WebhookReceiver } from '../observability/support';

const ADMIN_KEY = 'admin-key-budget-test-5e4d3c2b';
const TEAM_A = 'sk-team-a-budget-test-0123456789';
const TEAM_B = 'sk-team-b-budget-test-9876543210';
/** gpt-4o-mini in the built-in table: $0.15 and $0.60 per million input and output tokens. */
const INPUT_NANO = 150;
const OUTPUT_NANO = 600;
const BUDGET_USD = 0.0001; // 100,000 nano-dollars: a handful of small requests

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

function accessLine(gateway: Gateway, answer: HttpAnswer): Promise<Record<string, unknown>> {
  return gateway.logs.accessLine(String(answer.headers['x-request-id']));
}

describe('budgets', function () {
  this.timeout(30_000);
  let gateway: Gateway;
  let hooks: WebhookReceiver;
  const env = { TEAM_A, TEAM_B, AI_GATEWAY_API_KEY: ADMIN_KEY, HOOK_SECRET: 'hook-secret-budget-test' };
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count my spending, please.' }], max_tokens: 12 };
  const asA = { authorization: `Bearer ${TEAM_A}` };
  const asB = { authorization: `Bearer ${TEAM_B}` };
  const chat = (headers: Record<string, string>, payload: unknown = body): Promise<HttpAnswer> =>
    send(`${gateway.url}/v1/chat/completions`, { body: payload, headers });

  before(async () => {
    hooks = await new WebhookReceiver().start();
    gateway = await startTestGateway(
      configOf(
        `
gateway: { webhookSecretEnv: HOOK_SECRET }
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: "mock://openai" }
  - { name: free, path: /v1/models, methods: [GET], target: "mock://openai" }
security:
  - endpoint: /v1/*
    auth: api-key
    apiKeys: [{ name: team-a, keyEnv: TEAM_A }, { name: team-b, keyEnv: TEAM_B }]
    budget: { usd: ${BUDGET_USD}/day, by: consumer, alertAt: 0.5 }
callback: [{ url: "${hooks.url}", events: [budget.threshold, budget.exhausted] }]
`,
        env,
      ),
      { env, observability: { processMetrics: false } },
    );
  });
  after(async () => {
    await gateway?.close();
    await hooks?.close();
  });

  it("refuses a consumer's request once its most would not fit, so its spending never passes the budget", async () => {
    const reservation = Math.ceil(JSON.stringify(body).length / 4) * INPUT_NANO + body.max_tokens * OUTPUT_NANO;
    let spent = 0;
    let refused: HttpAnswer | undefined;
    let lastRemaining = Infinity;
    for (let i = 0; i < 50 && !refused; i++) {
      const answer = await chat(asA);
      if (answer.status !== 200) {
        refused = answer;
        break;
      }
      const { usage } = answer.json<{ usage: { prompt_tokens: number; completion_tokens: number } }>();
      const cost = usage.prompt_tokens * INPUT_NANO + usage.completion_tokens * OUTPUT_NANO;
      assert.ok(cost <= reservation, 'the reservation covers what the answer used');
      spent += cost;
      assert.equal((await accessLine(gateway, answer)).costUsd, cost / 1e9, 'the access line says what it cost');
      const remaining = Number(answer.headers['x-gateway-budget-remaining-usd']);
      assert.ok(remaining < lastRemaining, 'the remaining budget goes down');
      lastRemaining = remaining;
      assert.equal(answer.headers['x-gateway-budget-limit-usd'], BUDGET_USD.toFixed(6));
    }
    assert.ok(refused, 'the budget ran out');
    assert.equal(refused.status, 429);
    const error = refused.json<{ error: { type: string; message: string } }>().error;
    assert.equal(error.type, 'budget_exceeded');
    assert.match(error.message, /\/v1\/\* \(0.0001\/day per consumer\) is spent for consumer team-a/);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.ok(spent <= BUDGET_USD * 1e9, `spent ${spent} of ${BUDGET_USD * 1e9} nano-dollars`);
    assert.ok(spent + reservation > BUDGET_USD * 1e9, 'refused only when the next reservation did not fit');

    // Another consumer has a budget of its own; a request that costs nothing still passes.
    assert.equal((await chat(asB)).status, 200);

    const exhausted = await hooks.waitFor((d) => d.event.type === 'budget.exhausted');
    const threshold = await hooks.waitFor((d) => d.event.type === 'budget.threshold');
    assert.deepEqual(
      { ...(exhausted.event.data as object), spentUsd: undefined },
      {
        endpoint: '/v1/*',
        budget: `${BUDGET_USD}/day`,
        by: 'consumer',
        key: 'team-a',
        period: new Date().toISOString().slice(0, 10),
        limitUsd: BUDGET_USD,
        spentUsd: undefined,
        threshold: 1,
      },
    );
    assert.equal((threshold.event.data as { threshold: number }).threshold, 0.5);
    assert.ok((threshold.event.data as { spentUsd: number }).spentUsd >= BUDGET_USD / 2);
    assert.equal((await chat(asA)).status, 429); // refused again: no second event
    await gateway.observability.webhooks.idle();
    assert.equal(hooks.ofType('budget.exhausted').length, 1);
    assert.equal(hooks.ofType('budget.threshold').length, 1);

    const metrics = await scrape(gateway.url);
    assert.ok(sample(metrics, 'ai_gateway_budget_rejections_total', { route: 'chat', by: 'consumer' })! >= 2);
    const costed = sample(metrics, 'ai_gateway_cost_usd_total', { route: 'chat', consumer: 'team-a', provider: 'openai', model: 'gpt-4o-mini' });
    assert.ok(Math.abs(costed! - spent / 1e9) < 1e-12, 'the cost metric adds up the same');
  });

  it('adds up the spending by consumer, route and model in GET /api/v1/spend', async () => {
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const byConsumer = (await send(`${gateway.url}/api/v1/spend?by=consumer&period=day`, { headers: admin })).json<Admin.SpendReport>();
    const costs = gateway.logs.lines.filter((l) => l.msg === 'request' && typeof l.costUsd === 'number');
    const total = costs.reduce((sum, l) => sum + (l.costUsd as number), 0);
    assert.equal(byConsumer.by, 'consumer');
    assert.equal(byConsumer.periodKind, 'day');
    assert.ok(Math.abs(byConsumer.totalUsd - total) < 1e-12);
    assert.deepEqual(
      byConsumer.entries.map((e) => e.key),
      ['team-a', 'team-b'],
    );
    assert.equal(byConsumer.requests, costs.length);
    const byModel = (await send(`${gateway.url}/api/v1/spend?by=model&period=month`, { headers: admin })).json<Admin.SpendReport>();
    assert.deepEqual(
      byModel.entries.map((e) => e.key),
      ['openai/gpt-4o-mini'],
    );
    assert.equal(byModel.periodKind, 'month');
    const byRoute = (await send(`${gateway.url}/api/v1/spend?by=route`, { headers: admin })).json<Admin.SpendReport>();
    assert.deepEqual(
      byRoute.entries.map((e) => e.key),
      ['chat'],
    );
    const bad = await send(`${gateway.url}/api/v1/spend?by=team`, { headers: admin });
    assert.equal(bad.status, 400);
    assert.equal((await send(`${gateway.url}/api/v1/spend?period=2026-13`, { headers: admin })).status, 400);
  });

  it('refuses a model without a price on a budgeted endpoint rather than let it spend unseen', async () => {
    const answer = await chat(asB, { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(answer.status, 403);
    assert.equal(answer.json<{ error: { type: string } }>().error.type, 'model_not_priced');
  });
});
