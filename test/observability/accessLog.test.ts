// Every response carries x-request-id and Server-Timing (gateway overhead and upstream time), and every request
// leaves one JSON access line (pino) with route, status, duration, upstream, attempts, consumer and bytes; the
// level follows gateway.logLevel and can be changed while the gateway runs.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { GatewayState } from '../../runtime/src/gateway/context';
import { observe } from '../../runtime/src/gateway/middleware/observe';
import { GatewayRuntime } from '../../runtime/src/gateway/runtime';
import { Observability } from '../../runtime/src/observability/observability';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { CHAT, LogCapture, send, startTestGateway } from '../gateway/support';
import { closedPortUrl, configOf } from './support';

const KEY = 'sk-team-log-test-0c9d8e';

function serverTiming(header: unknown): { gateway: number; upstream: number } {
  const match = /^gateway;dur=([\d.]+), upstream;dur=([\d.]+)$/.exec(String(header));
  assert.ok(match, `Server-Timing "${String(header)}" has gateway and upstream durations`);
  return { gateway: Number(match[1]), upstream: Number(match[2]) };
}

describe('observability: request id, Server-Timing and access log', () => {
  let mock: MockServer;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    mock = await startMockServer({ options: { name: 'm1' } });
    const dead = await closedPortUrl();
    gateway = await startTestGateway(
      configOf(
        `
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mock.url} }
  - { name: dead, path: /dead, target: ${dead}, retries: 0 }
  - { name: team, path: /team/*, stripPrefix: /team, target: ${mock.url} }
security:
  - endpoint: /team/*
    auth: api-key
    apiKeys: [{ name: team-log, keyEnv: KEY }]
`,
        { KEY },
      ),
    );
  });
  after(async () => {
    await gateway.close();
    await mock.close();
  });

  const accessLines = () => gateway.logs.lines.filter((line) => line.msg === 'request');
  const lineFor = (requestId: unknown) => accessLines().find((line) => line.requestId === requestId);

  it('answers with a fresh x-request-id, or keeps a sane one the caller sent', async () => {
    const fresh = await send(`${gateway.url}/v1/chat/completions`, { body: CHAT });
    assert.match(String(fresh.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const kept = await send(`${gateway.url}/v1/chat/completions`, { body: CHAT, headers: { 'x-request-id': 'caller-7' } });
    assert.equal(kept.headers['x-request-id'], 'caller-7');
    const replaced = await send(`${gateway.url}/v1/chat/completions`, { body: CHAT, headers: { 'x-request-id': 'bad id with spaces' } });
    assert.notEqual(replaced.headers['x-request-id'], 'bad id with spaces');
  });

  it('splits Server-Timing into the gateway overhead and the upstream wait', async () => {
    const answer = await send(`${gateway.url}/v1/chat/completions`, { body: CHAT, headers: { 'x-mock-latency': '60' } });
    const timing = serverTiming(answer.headers['server-timing']);
    assert.ok(timing.upstream >= 55, `upstream ${timing.upstream} ms includes the mock's 60 ms`);
    assert.ok(timing.gateway < timing.upstream, `gateway overhead ${timing.gateway} ms is well below the upstream wait`);
  });

  it('sets x-request-id and Server-Timing on the gateway’s own answers too (404, 502)', async () => {
    for (const [path, status] of [
      ['/missing', 404],
      ['/dead', 502],
    ] as const) {
      const answer = await send(`${gateway.url}${path}`);
      assert.equal(answer.status, status);
      assert.equal(answer.headers['x-request-id'], answer.json<{ error: { requestId: string } }>().error.requestId);
      serverTiming(answer.headers['server-timing']);
    }
  });

  it('writes one access line per request with route, status, upstream, attempts, consumer and bytes', async () => {
    const answer = await send(`${gateway.url}/team/v1/chat/completions?api_key=sk-in-query-123`, { body: CHAT, headers: { 'x-api-key': KEY } });
    assert.equal(answer.status, 200);
    const id = answer.headers['x-request-id'];
    const line = lineFor(id);
    assert.ok(line, 'an access line for the request');
    assert.equal(accessLines().filter((l) => l.requestId === id).length, 1);
    assert.equal(line.level, 30);
    assert.equal(line.method, 'POST');
    assert.equal(line.path, '/team/v1/chat/completions');
    assert.equal(line.route, 'team');
    assert.equal(line.status, 200);
    assert.equal(line.consumer, 'team-log');
    assert.equal(typeof line.durationMs, 'number');
    const upstream = line.upstream as Record<string, unknown>;
    assert.equal(upstream.target, mock.url);
    assert.equal(upstream.status, 200);
    assert.equal(upstream.attempts, 1);
    assert.equal(upstream.outcome, 'complete');
    assert.equal(line.bytesIn, Buffer.byteLength(JSON.stringify(CHAT)));
    assert.equal(line.bytesOut, Buffer.byteLength(answer.text), "bytesOut counts the response body, as for the gateway's own answers");
    const logged = JSON.stringify(gateway.logs.lines);
    assert.ok(!logged.includes(KEY), 'the API key is never logged');
    assert.ok(!logged.includes('sk-in-query-123'), 'the query string is never logged');
  });

  it('keeps Prometheus scrapes of /metrics out of the info log', async () => {
    const scraped = await send(`${gateway.url}/metrics`);
    assert.equal(scraped.status, 200);
    assert.equal(lineFor(scraped.headers['x-request-id']), undefined);
  });

  it('logs a gateway error at warn with its type and message', async () => {
    const answer = await send(`${gateway.url}/dead`);
    const line = lineFor(answer.headers['x-request-id']);
    assert.ok(line);
    assert.equal(line.level, 40);
    assert.equal(line.status, 502);
    assert.deepEqual(line.error, { type: 'upstream_unreachable', message: answer.json<{ error: { message: string } }>().error.message });
    assert.equal((line.upstream as Record<string, unknown>).attempts, 1);
  });

  it('changes the log level while running: at warn, successes are not logged but failures are', async () => {
    assert.equal(gateway.observability.logLevel, 'info');
    gateway.observability.setLogLevel('warn');
    try {
      const ok = await send(`${gateway.url}/v1/chat/completions`, { body: CHAT });
      const failed = await send(`${gateway.url}/dead`);
      assert.equal(lineFor(ok.headers['x-request-id']), undefined);
      assert.ok(lineFor(failed.headers['x-request-id']));
    } finally {
      gateway.observability.setLogLevel('info');
    }
    const again = await send(`${gateway.url}/v1/chat/completions`, { body: CHAT });
    assert.ok(lineFor(again.headers['x-request-id']));
  });
});

describe('observability: a bug inside the pipeline', () => {
  it('answers a JSON 500 without a stack trace and logs the error with its request context', async () => {
    const logs = new LogCapture();
    const runtime = new GatewayRuntime({ logger: logs.logger });
    const observability = new Observability(runtime, { processMetrics: false });
    await runtime.apply(configOf('routes:\n  - { name: any, path: /x, target: http://127.0.0.1:9 }\n'));
    const app = new Koa<GatewayState>();
    app.silent = true;
    app.use(observe(runtime, observability));
    app.use(() => {
      throw new TypeError('cannot read properties of undefined (reading "boom")');
    });
    const server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const answer = await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
      assert.equal(answer.status, 500);
      assert.deepEqual(Object.keys(answer.json<{ error: object }>().error).sort(), ['message', 'requestId', 'type']);
      assert.ok(!answer.text.includes('boom'), 'the error message stays in the log');
      const failure = await logs.next('request failed inside the gateway', 0);
      assert.equal(failure.level, 50);
      assert.equal(failure.requestId, answer.headers['x-request-id']);
      assert.equal(failure.path, '/x');
      assert.match(String((failure.err as { stack: string }).stack), /TypeError: cannot read properties/);
      const access = await logs.next('request', 0);
      assert.equal(access.status, 500);
      assert.equal((access.error as { type: string }).type, 'internal_error');
    } finally {
      server.closeAllConnections();
      server.close();
      await observability.close();
      await runtime.close();
    }
  });
});
