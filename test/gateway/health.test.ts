// Target health and broken streams: the circuit breaker opens and recovers, active health checks take targets
// out and back, all-unhealthy answers 503 at once, and a stream cut mid-response never looks like success.
import { strict as assert } from 'node:assert';
import { request } from 'undici';
import type { StreamCutEvent, TargetHealthEvent } from '../../runtime/src/gateway/events';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { CHAT, configFromYaml, send, startTestGateway } from './support';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

function nextHealth(gateway: Gateway, match: (event: TargetHealthEvent) => boolean): Promise<TargetHealthEvent> {
  return new Promise((resolve) => {
    const off = gateway.runtime.events.on('target.health', (event) => {
      if (!match(event)) return;
      off();
      resolve(event);
    });
  });
}

describe('target health', () => {
  let a: MockServer;
  let b: MockServer;
  let gateway: Gateway;

  before(async () => {
    a = await startMockServer({ options: { name: 'a' } });
    b = await startMockServer({ options: { name: 'b' } });
    gateway = await startTestGateway(
      configFromYaml(`routes:
  - name: breaker
    path: /breaker
    methods: [POST]
    targets: [${a.url}/echo, ${b.url}/echo]
    retries: 1
    retryOn: [500]
    circuitBreaker: { consecutiveFailures: 2, coolDown: 300ms }
  - name: checked
    path: /checked
    methods: [POST]
    targets: [${a.url}/echo, ${b.url}/echo]
    healthCheck: { path: /health, interval: 50ms, timeout: 200ms, healthyThreshold: 1, unhealthyThreshold: 2 }
`),
    );
  });
  after(async () => {
    await gateway.close();
    await a.close();
    await b.close();
  });
  afterEach(() => [a, b].forEach((mock) => mock.setOptions({ status: undefined, healthStatus: 200 })));

  it('opens the circuit after consecutive failures, then half-opens after the cool-down and closes on a good probe', async () => {
    a.setOptions({ status: 500 });
    const opened = nextHealth(gateway, (event) => event.route === 'breaker' && !event.healthy);
    for (let i = 0; i < 4; i++) assert.equal((await send(`${gateway.url}/breaker`, { body: CHAT })).status, 200, 'retries hide the failures');
    const event = await opened;
    assert.equal(event.source, 'circuit-breaker');
    assert.equal(event.target, `${a.url}/echo`);
    const aBefore = a.requestCount;
    for (let i = 0; i < 5; i++) assert.equal((await send(`${gateway.url}/breaker`, { body: CHAT })).headers['x-mock-instance'], 'b');
    assert.equal(a.requestCount, aBefore, 'an open circuit gets no traffic');

    a.setOptions({ status: undefined });
    const closed = nextHealth(gateway, (health) => health.route === 'breaker' && health.healthy);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the cool-down itself is what is under test
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(String((await send(`${gateway.url}/breaker`, { body: CHAT })).headers['x-mock-instance']));
    assert.equal((await closed).detail, 'probe succeeded');
    assert.ok(seen.has('a'), 'a receives traffic again');
  });

  it('takes a target out when active health checks fail, and back when they pass', async () => {
    const down = nextHealth(gateway, (event) => event.route === 'checked' && !event.healthy);
    a.setOptions({ healthStatus: 503 });
    const event = await down;
    assert.equal(event.source, 'health-check');
    assert.match(event.detail, /answered 503/);
    for (let i = 0; i < 4; i++) assert.equal((await send(`${gateway.url}/checked`, { body: CHAT })).headers['x-mock-instance'], 'b');

    const up = nextHealth(gateway, (health) => health.route === 'checked' && health.healthy);
    a.setOptions({ healthStatus: 200 });
    await up;
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(String((await send(`${gateway.url}/checked`, { body: CHAT })).headers['x-mock-instance']));
    assert.deepEqual([...seen].sort(), ['a', 'b']);
  });

  it('answers 503 at once when every target is unhealthy', async () => {
    const bothDown = Promise.all([
      nextHealth(gateway, (event) => event.route === 'checked' && event.target.startsWith(a.url) && !event.healthy),
      nextHealth(gateway, (event) => event.route === 'checked' && event.target.startsWith(b.url) && !event.healthy),
    ]);
    a.setOptions({ healthStatus: 500 });
    b.setOptions({ healthStatus: 500 });
    await bothDown;
    const attempts: string[] = [];
    const stop = gateway.runtime.events.on('upstream.attempt', (event) => attempts.push(event.target));
    const answer = await send(`${gateway.url}/checked`, { body: CHAT });
    stop();
    assert.equal(answer.status, 503);
    const error = answer.json<{ error: { type: string; message: string } }>().error;
    assert.equal(error.type, 'no_healthy_target');
    assert.match(error.message, /All 2 targets of route "checked" are unhealthy/);
    assert.deepEqual(attempts, [], 'no target was tried, so nothing waited for a timeout (the route allows 30 s)');
    const recovered = nextHealth(gateway, (event) => event.route === 'checked' && event.healthy);
    a.setOptions({ healthStatus: 200 });
    b.setOptions({ healthStatus: 200 });
    await recovered;
  });
});

describe('target health across a config reload', () => {
  let a: MockServer;
  let b: MockServer;
  let gateway: Gateway;
  const routeYaml = (): string => `routes:
  - name: breaker
    path: /breaker
    methods: [POST]
    targets: [${a.url}/echo, ${b.url}/echo]
    retries: 1
    retryOn: [500]
    circuitBreaker: { consecutiveFailures: 2, coolDown: 60s }
`;

  before(async () => {
    a = await startMockServer({ options: { name: 'a' } });
    b = await startMockServer({ options: { name: 'b' } });
    gateway = await startTestGateway(configFromYaml(routeYaml()));
  });
  after(async () => {
    await gateway.close();
    await a.close();
    await b.close();
  });

  it('keeps a failing target out after an unrelated change is applied, and a new target starts healthy', async () => {
    a.setOptions({ status: 500 });
    const opened = nextHealth(gateway, (event) => event.route === 'breaker' && !event.healthy);
    for (let i = 0; i < 4; i++) await send(`${gateway.url}/breaker`, { body: CHAT });
    assert.equal((await opened).target, `${a.url}/echo`);

    // An unrelated edit: another route, and the same route gains a target.
    const c = await startMockServer({ options: { name: 'c' } });
    try {
      await gateway.runtime.apply(
        configFromYaml(`${routeYaml().replace(`${b.url}/echo]`, `${b.url}/echo, ${c.url}/echo]`)}  - { name: other, path: /other, target: ${b.url} }
`),
      );
      const metrics = (await send(`${gateway.url}/metrics`)).text;
      assert.match(metrics, new RegExp(`ai_gateway_target_healthy\\{route="breaker",target="${a.url}/echo"\\} 0`));
      assert.match(metrics, new RegExp(`ai_gateway_target_healthy\\{route="breaker",target="${c.url}/echo"\\} 1`));
      const aBefore = a.requestCount;
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add(String((await send(`${gateway.url}/breaker`, { body: CHAT })).headers['x-mock-instance']));
      assert.equal(a.requestCount, aBefore, 'the open circuit came over with the reload: no traffic to a');
      assert.deepEqual([...seen].sort(), ['b', 'c']);
    } finally {
      await c.close();
    }
  });
});

describe('streams cut mid-response', () => {
  let mock: MockServer;
  let gateway: Gateway;
  let cuts: StreamCutEvent[];

  before(async () => {
    mock = await startMockServer();
    gateway = await startTestGateway(
      configFromYaml(`routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mock.url}, idleTimeout: 150ms }
`),
    );
    gateway.runtime.events.on('stream.cut', (event) => cuts.push(event));
  });
  beforeEach(() => (cuts = []));
  after(async () => {
    await gateway.close();
    await mock.close();
  });

  it('ends an SSE stream with `event: error` and a JSON reason, never a clean [DONE]', async () => {
    const answer = await send(`${gateway.url}/v1/chat/completions`, { body: { ...CHAT, stream: true }, headers: { 'x-mock-cut-after': '3' } });
    assert.equal(answer.status, 200);
    const events = answer.text.split('\n\n').filter(Boolean);
    assert.equal(events.filter((event) => event.startsWith('data: {')).length, 3);
    assert.ok(!answer.text.includes('[DONE]'));
    const last = String(events.at(-1));
    assert.match(last, /^event: error\ndata: /);
    const reason = JSON.parse(last.split('\ndata: ')[1] ?? '') as { error: { type: string; route: string } };
    assert.equal(reason.error.type, 'upstream_stream_interrupted');
    assert.equal(reason.error.route, 'chat');
    assert.deepEqual(
      cuts.map((cut) => [cut.reason, cut.sse]),
      [['upstream-error', true]],
    );
  });

  it('aborts the connection of a non-SSE client when the upstream body is cut', async () => {
    const response = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-cut-after': '1' },
      body: JSON.stringify(CHAT),
    });
    assert.equal(response.statusCode, 200);
    await assert.rejects(response.body.text(), 'the client sees the connection abort, not a short success');
    assert.deepEqual(
      cuts.map((cut) => [cut.reason, cut.sse]),
      [['upstream-error', false]],
    );
  });

  it('cuts a stream that stays idle longer than idleTimeout', async () => {
    const answer = await send(`${gateway.url}/v1/chat/completions`, { body: { ...CHAT, stream: true }, headers: { 'x-mock-chunk-delay': '1000' } });
    assert.match(answer.text, /event: error\ndata: .*idle timeout/);
    const chunks = answer.text.split('\n\n').filter((event) => event.startsWith('data: {'));
    assert.equal(chunks.length, 1, 'cut after the first chunk, before the second the mock sends 1 s later');
    assert.equal(cuts[0]?.reason, 'idle-timeout');
  });
});
