// The rolling per-route summary behind GET /api/v1/metrics: counts, rate, latency percentiles, error ratio and
// tokens over the last window, forgetting what is older; and the summary a running gateway gives (idle routes
// listed, target health attached).
import { strict as assert } from 'node:assert';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { RequestStats, summarizeWindows } from '../../runtime/src/observability/requestStats';
import { CHAT, send, startTestGateway } from '../gateway/support';
import { configOf } from './support';

describe('observability: request stats window', () => {
  let now = 1_700_000_000_000;
  const clock = () => now;

  it('gives percentiles within one bin (15%) of the true latency', () => {
    const stats = new RequestStats({ windowSec: 60, now: clock });
    for (let ms = 1; ms <= 1000; ms++) stats.recordRequest('chat', 200, ms);
    const [route] = stats.summary().routes;
    assert.ok(route);
    assert.equal(route.count, 1000);
    for (const [got, want] of [
      [route.p50, 500],
      [route.p95, 950],
      [route.p99, 990],
    ] as const) {
      assert.ok(got >= want && got <= want * 1.15, `percentile ${got} ms is within 15% above ${want} ms`);
    }
  });

  it('adds up the windows of several processes (gateway.workers) to what one process seeing it all says', () => {
    const [one, two, all] = [0, 1, 2].map(() => new RequestStats({ windowSec: 60, now: clock }));
    for (let ms = 1; ms <= 400; ms++) {
      const status = ms % 50 === 0 ? 502 : 200;
      (ms % 3 === 0 ? one : two)!.recordRequest('chat', status, ms);
      all!.recordRequest('chat', status, ms);
    }
    one!.recordTokens('chat', 10, 5);
    two!.recordTokens('chat', 7, 1);
    all!.recordTokens('chat', 17, 6);
    assert.deepEqual(summarizeWindows([one!.window(['chat', 'idle']), two!.window(['chat', 'idle'])]), all!.summary(['chat', 'idle']));
  });

  it('computes rate, errors (5xx only) and tokens, and forgets what left the window', () => {
    const stats = new RequestStats({ windowSec: 10, now: clock });
    now += 20_000; // the window is full: rates are per 10 s
    for (let i = 0; i < 16; i++) stats.recordRequest('chat', 200, 5);
    stats.recordRequest('chat', 429, 1);
    stats.recordRequest('chat', 502, 30);
    stats.recordRequest('chat', 503, 30);
    stats.recordRequest('chat', 504, 30);
    stats.recordTokens('chat', 100, 40);
    let chat = stats.summary(['chat', 'idle']).routes.find((r) => r.route === 'chat')!;
    assert.equal(chat.count, 20);
    assert.equal(chat.rate, 2);
    assert.equal(chat.errors, 3);
    assert.equal(chat.errorRatio, 0.15);
    assert.deepEqual(chat.tokens, { prompt: 100, completion: 40, total: 140 });
    const idle = stats.summary(['chat', 'idle']).routes.find((r) => r.route === 'idle')!;
    assert.deepEqual({ count: idle.count, p99: idle.p99, errorRatio: idle.errorRatio }, { count: 0, p99: 0, errorRatio: 0 });

    now += 5_000;
    stats.recordRequest('chat', 200, 5);
    chat = stats.summary().routes.find((r) => r.route === 'chat')!;
    assert.equal(chat.count, 21, 'five seconds later everything is still in the window');
    now += 6_000;
    chat = stats.summary().routes.find((r) => r.route === 'chat')!;
    assert.equal(chat.count, 1, 'eleven seconds later only the newest request remains');
    assert.equal(chat.tokens.total, 0);
  });
});

describe('observability: metrics summary of a running gateway', () => {
  let mock: MockServer;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  before(async () => {
    mock = await startMockServer({ options: { name: 'm1' } });
    gateway = await startTestGateway(
      configOf(`
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mock.url} }
  - { name: idle, path: /idle, target: ${mock.url} }
`),
    );
  });
  after(async () => {
    await gateway.close();
    await mock.close();
  });

  it('lists every configured route with its window figures, tokens and target health', async () => {
    let prompt = 0;
    for (let i = 0; i < 4; i++) {
      const answer = await send(`${gateway.url}/v1/chat/completions`, { body: CHAT });
      prompt += answer.json<{ usage: { prompt_tokens: number } }>().usage.prompt_tokens;
    }
    await send(`${gateway.url}/v1/chat/completions`, { body: CHAT, headers: { 'x-mock-status': '500' } });
    const summary = gateway.observability.summary();
    assert.equal(summary.windowSeconds, 60);
    const chat = summary.routes.find((r) => r.route === 'chat')!;
    assert.equal(chat.count, 5);
    assert.equal(chat.errors, 1);
    assert.equal(chat.errorRatio, 0.2);
    assert.equal(chat.tokens.prompt, prompt);
    assert.ok(chat.p50 > 0 && chat.p50 <= chat.p95 && chat.p95 <= chat.p99);
    assert.deepEqual(chat.targets, [{ url: mock.url, healthy: true }]);
    const idle = summary.routes.find((r) => r.route === 'idle')!;
    assert.equal(idle.count, 0);
  });
});
