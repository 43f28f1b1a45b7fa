// GET /metrics over real sockets: after a known sequence of requests (answered, failed over, failed upstream,
// cut mid-stream, refused by auth and by a rate limit, unmatched) every metric family is present with the
// values that sequence must produce, labels are route names and target URLs only, and the process metrics are there.
import { strict as assert } from 'node:assert';
import { EVENT_LOOP_SAMPLE_MS } from '../../runtime/src/observability/metrics';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { CHAT, send, startTestGateway } from '../gateway/support';
import { closedPortUrl, configOf, families, sample, scrape, targetDown } from './support';

const TEAM_A_KEY = 'sk-team-a-metrics-test-5b8c1d';
/** The provider and model labels of a request a plain URL target served. */
const PLAIN = { provider: '', model: '' };

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

describe('observability: Prometheus metrics', () => {
  let mock: MockServer;
  let sick: MockServer;
  let dead: string;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let text: string;
  const usage = { prompt: 0, completion: 0 };
  const teamUsage = { prompt: 0, completion: 0 };

  before(async () => {
    mock = await startMockServer({ options: { name: 'm1' } });
    sick = await startMockServer({ options: { name: 'sick', healthStatus: 503 } });
    dead = await closedPortUrl();
    const config = configOf(
      `
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mock.url} }
  - { name: cut, path: /cut/*, stripPrefix: /cut, target: ${mock.url}, retries: 0 }
  - name: failover
    path: /echo/failover
    targets: [{ url: ${dead} }, { url: ${mock.url} }]
    retries: 1
  - { name: failing, path: /echo/failing, target: ${mock.url}, retries: 0 }
  - { name: secure, path: /secure/*, stripPrefix: /secure, methods: [POST], target: ${mock.url} }
  - { name: limited, path: /echo/limited, target: ${mock.url} }
  - name: sick
    path: /echo/sick
    target: ${sick.url}
    healthCheck: { path: /health, interval: 50ms, unhealthyThreshold: 1 }
security:
  - endpoint: /secure/*
    auth: api-key
    apiKeys:
      - { name: team-a, keyEnv: TEAM_A_KEY }
  - endpoint: /echo/limited
    auth: none
    rateLimit: 1/min
`,
      { TEAM_A_KEY },
    );
    gateway = await startTestGateway(config);
    const sickDown = targetDown(gateway, 'sick');

    for (let i = 0; i < 3; i++) {
      const answer = await send(`${gateway.url}/v1/chat/completions`, { body: { ...CHAT, messages: [{ role: 'user', content: `hello number ${i}` }] } });
      assert.equal(answer.status, 200);
      const reported = answer.json<{ usage: Usage }>().usage;
      usage.prompt += reported.prompt_tokens;
      usage.completion += reported.completion_tokens;
    }
    const cut = await send(`${gateway.url}/cut/v1/chat/completions`, { body: { ...CHAT, stream: true }, headers: { 'x-mock-cut-after': '2' } });
    assert.match(cut.text, /event: error/);
    for (let i = 0; i < 4; i++) assert.equal((await send(`${gateway.url}/echo/failover`)).status, 200);
    assert.equal((await send(`${gateway.url}/echo/failing`, { headers: { 'x-mock-status': '503' } })).status, 503);
    assert.equal((await send(`${gateway.url}/secure/v1/chat/completions`, { body: CHAT })).status, 401);
    assert.equal((await send(`${gateway.url}/secure/v1/chat/completions`, { body: CHAT, headers: { 'x-api-key': 'sk-wrong' } })).status, 401);
    const team = await send(`${gateway.url}/secure/v1/chat/completions`, { body: CHAT, headers: { 'x-api-key': TEAM_A_KEY } });
    assert.equal(team.status, 200);
    teamUsage.prompt = team.json<{ usage: Usage }>().usage.prompt_tokens;
    teamUsage.completion = team.json<{ usage: Usage }>().usage.completion_tokens;
    assert.equal((await send(`${gateway.url}/echo/limited`)).status, 200);
    assert.equal((await send(`${gateway.url}/echo/limited`)).status, 429);
    assert.equal((await send(`${gateway.url}/nope/sk-path-secret-77?api_key=sk-query-secret-88`)).status, 404);
    await sickDown;
    text = await scrape(gateway.url);
  });
  after(async () => {
    await gateway?.close();
    await mock.close();
    await sick.close();
  });

  it('declares every ai_gateway family and the default process metrics', () => {
    const declared = families(text);
    for (const family of [
      'ai_gateway_requests_total',
      'ai_gateway_request_duration_seconds',
      'ai_gateway_upstream_duration_seconds',
      'ai_gateway_upstream_errors_total',
      'ai_gateway_upstream_time_to_first_byte_seconds',
      'ai_gateway_target_healthy',
      'ai_gateway_upstream_retries_total',
      'ai_gateway_upstream_failovers_total',
      'ai_gateway_tokens_total',
      'ai_gateway_auth_failures_total',
      'ai_gateway_rate_limit_rejections_total',
      'ai_gateway_stream_cuts_total',
      'ai_gateway_requests_in_flight',
      'ai_gateway_webhook_deliveries_total',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      assert.ok(declared.has(family), `${family} is exposed`);
    }
  });

  it('counts requests by route, method and status, with unmatched ones as route="(none)"', () => {
    assert.equal(sample(text, 'ai_gateway_requests_total', { route: 'chat', method: 'POST', status: '200' }), 3);
    assert.equal(sample(text, 'ai_gateway_requests_total', { route: 'failover', method: 'GET', status: '200' }), 4);
    assert.equal(sample(text, 'ai_gateway_requests_total', { route: 'failing', method: 'GET', status: '503' }), 1);
    assert.equal(sample(text, 'ai_gateway_requests_total', { route: 'secure', method: 'POST', status: '401' }), 2);
    assert.equal(sample(text, 'ai_gateway_requests_total', { route: 'limited', method: 'GET', status: '429' }), 1);
    assert.equal(sample(text, 'ai_gateway_requests_total', { route: '(none)', method: 'GET', status: '404' }), 1);
    assert.equal(sample(text, 'ai_gateway_request_duration_seconds_count', { route: 'chat', ...PLAIN }), 3);
    assert.ok(sample(text, 'ai_gateway_request_duration_seconds_sum', { route: 'chat', ...PLAIN })! > 0);
    assert.equal(sample(text, 'ai_gateway_requests_in_flight'), 1, 'the scrape itself is in flight');
  });

  it('never uses a raw request path or a credential as a label', () => {
    assert.ok(!text.includes('sk-path-secret-77'));
    assert.ok(!text.includes('sk-query-secret-88'));
    assert.ok(!text.includes(TEAM_A_KEY));
    assert.ok(!text.includes('sk-wrong'));
    assert.ok(!text.includes('/nope'));
  });

  it('times upstream attempts and first bytes by route and target', () => {
    assert.equal(sample(text, 'ai_gateway_upstream_duration_seconds_count', { route: 'chat', target: mock.url, ...PLAIN }), 3);
    assert.equal(sample(text, 'ai_gateway_upstream_time_to_first_byte_seconds_count', { route: 'chat', target: mock.url, ...PLAIN }), 3);
    assert.equal(sample(text, 'ai_gateway_upstream_time_to_first_byte_seconds_bucket', { route: 'chat', target: mock.url, ...PLAIN, le: '+Inf' }), 3);
  });

  it('counts upstream errors by reason, and the retries and failovers they caused', () => {
    const connectErrors = sample(text, 'ai_gateway_upstream_errors_total', { route: 'failover', target: dead, reason: 'connect-error' });
    assert.ok(connectErrors !== undefined && connectErrors >= 1, 'round-robin sent at least one request to the dead target first');
    assert.equal(sample(text, 'ai_gateway_upstream_retries_total', { route: 'failover', reason: 'connect-error' }), connectErrors);
    assert.equal(sample(text, 'ai_gateway_upstream_failovers_total', { route: 'failover', target: dead }), connectErrors);
    assert.equal(sample(text, 'ai_gateway_upstream_errors_total', { route: 'failing', target: mock.url, reason: 'http_503' }), 1);
  });

  it('counts prompt and completion tokens from usage by route and consumer', () => {
    assert.ok(usage.prompt > 0 && usage.completion > 0);
    assert.equal(sample(text, 'ai_gateway_tokens_total', { route: 'chat', consumer: '(anonymous)', type: 'prompt', ...PLAIN }), usage.prompt);
    assert.equal(sample(text, 'ai_gateway_tokens_total', { route: 'chat', consumer: '(anonymous)', type: 'completion', ...PLAIN }), usage.completion);
    assert.equal(sample(text, 'ai_gateway_tokens_total', { route: 'secure', consumer: 'team-a', type: 'prompt', ...PLAIN }), teamUsage.prompt);
    assert.equal(sample(text, 'ai_gateway_tokens_total', { route: 'secure', consumer: 'team-a', type: 'completion', ...PLAIN }), teamUsage.completion);
  });

  it('counts answers with usage but no price by route and provider, and costs none of them', () => {
    // A plain URL target serves OpenAI's API at no known price: openai-compatible, whatever model the answer names.
    assert.equal(sample(text, 'ai_gateway_cost_unpriced_requests_total', { route: 'chat', provider: 'openai-compatible' }), 3);
    assert.equal(sample(text, 'ai_gateway_cost_unpriced_requests_total', { route: 'secure', provider: 'openai-compatible' }), 1);
    assert.ok(!text.includes('ai_gateway_cost_usd_total{'), 'no cost sample for an unpriced answer');
  });

  it('counts auth failures by kind, rate-limit rejections by limit and stream cuts by reason', () => {
    assert.equal(sample(text, 'ai_gateway_auth_failures_total', { route: 'secure', kind: 'missing' }), 1);
    assert.equal(sample(text, 'ai_gateway_auth_failures_total', { route: 'secure', kind: 'invalid' }), 1);
    assert.equal(sample(text, 'ai_gateway_rate_limit_rejections_total', { route: 'limited', limit: 'requests' }), 1);
    assert.equal(sample(text, 'ai_gateway_stream_cuts_total', { route: 'cut', target: mock.url, reason: 'upstream-error' }), 1);
  });

  it('reports target health: 1 for a serving target, 0 once its health check fails', () => {
    assert.equal(sample(text, 'ai_gateway_target_healthy', { route: 'chat', target: mock.url }), 1);
    assert.equal(sample(text, 'ai_gateway_target_healthy', { route: 'sick', target: sick.url }), 0);
  });

  it('shows a stalled event loop in nodejs_eventloop_lag_max_seconds, sampled every EVENT_LOOP_SAMPLE_MS', async () => {
    await scrape(gateway.url); // each scrape starts the lag figures afresh,
    await new Promise((resolve) => setTimeout(resolve, 3 * EVENT_LOOP_SAMPLE_MS)); // and the first sample after it only sets the clock
    const stallMs = 300;
    const until = performance.now() + stallMs;
    while (performance.now() < until); // the gateway shares this test's event loop: nothing runs meanwhile
    await new Promise((resolve) => setTimeout(resolve, 2 * EVENT_LOOP_SAMPLE_MS));
    const maxLag = sample(await scrape(gateway.url), 'nodejs_eventloop_lag_max_seconds');
    // The sample due during the stall ran when it ended: at least the stall less one sampling interval late.
    assert.ok(maxLag !== undefined && maxLag >= (stallMs - EVENT_LOOP_SAMPLE_MS) / 1000, `lag max ${maxLag} s after a ${stallMs} ms stall`);
  });

  it('keeps a separate registry per gateway instance', async () => {
    const other = await startTestGateway(configOf(`routes:\n  - { name: other, path: /x, target: ${mock.url} }\n`));
    try {
      const otherText = await scrape(other.url);
      assert.equal(sample(otherText, 'ai_gateway_requests_total', { route: 'chat', method: 'POST', status: '200' }), undefined);
      assert.equal(sample(await scrape(gateway.url), 'ai_gateway_requests_total', { route: 'chat', method: 'POST', status: '200' }), 3);
    } finally {
      await other.close();
    }
  });
});
