// Retries and failover over real sockets: each trigger (connect error, connect/first-byte timeout, retryOn
// status), backoff with jitter, Retry-After and its cap, the total time budget, and the replay limit.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { UpstreamAttemptEvent, UpstreamRetryEvent } from '../../runtime/src/gateway/events';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { CHAT, configFromYaml, send, startTestGateway } from './support';

/** An upstream whose behaviour each test scripts; it counts what it received. */
class ScriptedUpstream {
  readonly server: Server;
  received = 0;
  handle: (req: IncomingMessage, res: ServerResponse, index: number) => void = (_req, res) => res.end('{}');
  url = '';
  constructor() {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => this.handle(req, res, this.received++));
    });
  }
  async listen(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

async function closedPortUrl(): Promise<string> {
  const server = createTcpServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
  return url;
}

describe('retries and failover', () => {
  let live: MockServer;
  let slow: MockServer;
  let scripted: ScriptedUpstream;
  let silentTls: TcpServer;
  const silentSockets: Socket[] = [];
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let retries: UpstreamRetryEvent[];
  let attempts: UpstreamAttemptEvent[];

  before(async () => {
    live = await startMockServer({ options: { name: 'live' } });
    scripted = await new ScriptedUpstream().listen();
    // Accepts TCP but never answers the TLS handshake: only a connect timeout can end the wait.
    silentTls = createTcpServer((socket) => silentSockets.push(socket));
    silentTls.listen(0, '127.0.0.1');
    await once(silentTls, 'listening');
    const silentUrl = `https://127.0.0.1:${(silentTls.address() as AddressInfo).port}`;
    const dead = await closedPortUrl();
    slow = await startMockServer({ options: { name: 'slow', latencyMs: 1500 } });
    gateway = await startTestGateway(
      configFromYaml(`
gateway: { limits: { maxReplayBodySize: 1kb } }
routes:
  - name: connect-error
    path: /connect-error
    targets: [${dead}/echo, ${live.url}/echo]
    retries: 1
    retryOn: [connect-error]
  - name: connect-timeout
    path: /connect-timeout
    targets: [${silentUrl}/echo, ${live.url}/echo]
    connectTimeout: 200ms
    retries: 1
    retryOn: [timeout]
  - name: first-byte
    path: /first-byte
    targets: [${slow.url}/echo, ${live.url}/echo]
    firstByteTimeout: 200ms
    retries: 1
    retryOn: [timeout]
  - name: status
    path: /status
    targets: [${scripted.url}, ${live.url}/echo]
    retries: 1
    retryOn: [503]
  - name: no-retry
    path: /no-retry
    targets: [${scripted.url}]
    retries: 0
  - name: backoff
    path: /backoff
    target: ${scripted.url}
    retries: 3
    retryOn: [503]
    retryBackoff: { base: 100ms, max: 1s, maxRetryAfter: 2s }
  - name: retry-after
    path: /retry-after
    target: ${scripted.url}
    retries: 1
    retryOn: [503]
    retryBackoff: { base: 10ms, max: 20ms, maxRetryAfter: 2s }
  - name: budget
    path: /budget
    target: ${scripted.url}
    timeout: 600ms
    firstByteTimeout: 250ms
    retries: 10
    retryOn: [timeout]
    retryBackoff: { base: 10ms, max: 20ms }
  - name: replay
    path: /replay
    targets: [${dead}/echo, ${live.url}/echo]
    retries: 1
    retryOn: [connect-error]
`),
    );
    gateway.runtime.events.on('upstream.retry', (event) => retries.push(event));
    gateway.runtime.events.on('upstream.attempt', (event) => attempts.push(event));
  });
  beforeEach(() => {
    retries = [];
    attempts = [];
    scripted.received = 0;
  });
  after(async () => {
    await gateway.close();
    await live.close();
    await slow.close();
    scripted.close();
    silentSockets.forEach((socket) => socket.destroy());
    silentTls.close();
  });

  it('fails over to the next target on a connect error', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await send(`${gateway.url}/connect-error`, { body: CHAT })).status, 200);
    assert.ok(retries.length >= 1);
    assert.ok(retries.every((retry) => retry.reason === 'connect-error' && retry.failover));
  });

  it('fails over on a connect timeout (a TLS handshake that never completes)', async () => {
    const answer = await send(`${gateway.url}/connect-timeout`, { body: CHAT });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['x-mock-instance'], 'live');
    assert.equal(retries[0]?.reason, 'timeout');
    assert.deepEqual(
      attempts.map((attempt) => [attempt.outcome, attempt.errorCode]),
      [
        ['timeout', 'UND_ERR_CONNECT_TIMEOUT'],
        ['response', undefined],
      ],
      'the connect timeout ended the first attempt, not the route timeout',
    );
  });

  it('fails over when the first byte is too slow', async () => {
    const answers = [await send(`${gateway.url}/first-byte`, { body: CHAT }), await send(`${gateway.url}/first-byte`, { body: CHAT })];
    assert.deepEqual(
      answers.map((answer) => [answer.status, answer.headers['x-mock-instance']]),
      [
        [200, 'live'],
        [200, 'live'],
      ],
    );
    assert.ok(retries.length >= 1 && retries.every((retry) => retry.reason === 'timeout' && retry.fromTarget === `${slow.url}/echo`));
    const onSlow = attempts.filter((attempt) => attempt.target === `${slow.url}/echo`);
    assert.ok(
      onSlow.length >= 1 && onSlow.every((attempt) => attempt.outcome === 'timeout'),
      'gave up on the slow target at the first-byte timeout, before its answer came',
    );
  });

  it('fails over on a retryOn status and passes it through when retries are off', async () => {
    scripted.handle = (_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"overloaded"}');
    };
    const retried = await send(`${gateway.url}/status`, { body: CHAT });
    assert.equal(retried.status, 200);
    assert.equal(retried.headers['x-mock-instance'], 'live');
    assert.deepEqual(
      retries.map((retry) => [retry.reason, retry.status, retry.failover]),
      [['status', 503, true]],
    );
    const passed = await send(`${gateway.url}/no-retry`, { body: CHAT });
    assert.equal(passed.status, 503);
    assert.equal(passed.text, '{"error":"overloaded"}');
  });

  it('backs off exponentially with jitter between retries', async () => {
    scripted.handle = (_req, res) => {
      res.writeHead(503);
      res.end();
    };
    const answer = await send(`${gateway.url}/backoff`, { body: CHAT });
    assert.equal(answer.status, 503, 'the last answer goes back once retries are spent');
    assert.equal(scripted.received, 4);
    const delays = retries.map((retry) => retry.delayMs);
    assert.equal(delays.length, 3);
    [
      [50, 100],
      [100, 200],
      [200, 400],
    ].forEach(([low, high], index) => {
      const delay = delays[index] ?? -1;
      assert.ok(delay >= low! && delay <= high!, `retry ${index + 1} waited ${delay} ms, expected ${low}..${high}`);
    });
  });

  it('honours Retry-After up to the cap, and gives up at once beyond it', async () => {
    scripted.handle = (_req, res, index) => {
      if (index === 0) {
        res.writeHead(503, { 'retry-after': '1' });
        res.end();
      } else res.end('{"ok":true}');
    };
    const started = performance.now();
    const answer = await send(`${gateway.url}/retry-after`, { body: CHAT });
    assert.equal(answer.status, 200);
    assert.ok(performance.now() - started >= 1000, 'waited the 1 s the upstream asked for');
    assert.equal(retries[0]?.delayMs, 1000);

    retries = [];
    scripted.received = 0;
    scripted.handle = (_req, res) => {
      res.writeHead(503, { 'retry-after': '30' });
      res.end();
    };
    const refused = await send(`${gateway.url}/retry-after`, { body: CHAT });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '30', "the upstream's Retry-After reaches the client");
    assert.equal(scripted.received, 1, 'no retry when the upstream asks for more than maxRetryAfter');
  });

  it('never waits longer than the route timeout, however many retries remain', async () => {
    scripted.handle = () => undefined; // never answers
    const answer = await send(`${gateway.url}/budget`, { body: CHAT });
    assert.equal(answer.status, 504);
    const error = answer.json<{ error: { type: string; message: string } }>().error;
    assert.equal(error.type, 'upstream_timeout');
    assert.match(error.message, /the route's total timeout of 600 ms ran out/);
    // 10 retries of 250 ms first-byte timeouts would take 2.75 s: the 600 ms budget leaves room for 3 attempts at most.
    assert.ok(scripted.received >= 2 && scripted.received <= 3, `${scripted.received} attempts fit in the budget`);
    assert.deepEqual(
      attempts.map((attempt) => attempt.outcome),
      Array<string>(scripted.received).fill('timeout'),
    );
  });

  it('replays a body up to maxReplayBodySize, and does not retry a larger one', async () => {
    const small = await send(`${gateway.url}/replay`, { body: 'x'.repeat(500) });
    const larger = await send(`${gateway.url}/replay`, { body: 'y'.repeat(5000) });
    const another = await send(`${gateway.url}/replay`, { body: 'y'.repeat(5000) });
    // Round-robin alternates dead and live: of the two large requests one went to the dead target first.
    const statuses = [larger.status, another.status].sort();
    assert.deepEqual(statuses, [200, 502], 'the large body went to the dead target once, and was not replayed');
    if (small.status === 200) assert.equal(small.json<{ bodyBytes: number }>().bodyBytes, 500);
  });
});
