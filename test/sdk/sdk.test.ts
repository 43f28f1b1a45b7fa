// The SDK the CLI and the extension share, against a real gateway process: typed calls, refusals as
// AIGatewayError with status, type and diagnostics, the product card's "API key required", and connect() to a saved context.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AIGateway, AIGatewayError, ApiKeyRequiredError, backoffDelay, connect, writeUserConfig } from '../../sdk/src';
import { contractProblems, recordingFetch, type RecordedAnswer } from '../contract/adminContract';
import { COMMENTED_CONFIG } from '../admin/fixtures';
import { ADMIN_KEY, startGatewayProcess, type GatewayProcess } from '../admin/gatewayProcess';

describe('SDK: AIGateway', function () {
  this.timeout(30_000);
  let gw: GatewayProcess;
  let client: AIGateway;
  // Every answer the gateway gives these clients, for the check against schemas/admin-api.openapi.json (last test).
  const answers: RecordedAnswer[] = [];
  const recording = recordingFetch(answers);

  before(async () => {
    gw = await startGatewayProcess(COMMENTED_CONFIG, { env: { JWT_SECRET: 'sdk-secret-long-enough-for-hs256-0123456789' } });
    client = new AIGateway({ url: gw.url, apiKey: ADMIN_KEY, fetch: recording });
  });
  after(async () => gw?.stop());

  it('createRoute, updateSecurity, routes, metrics, setLogLevel, applyConfig: typed, and kept in the file', async () => {
    const created = await client.createRoute({ path: '/predict', target: 'mock://openai', method: 'POST' });
    assert.equal(created.route.name, 'predict');
    const secured = await client.updateSecurity('/predict', { authType: 'jwt', rateLimit: '100/min', jwt: { secretEnv: 'JWT_SECRET' } });
    assert.equal(secured.rule.auth, 'jwt');
    assert.equal(secured.rule.rateLimit?.requests?.source, '100/min');
    const routes = await client.routes();
    assert.deepEqual(
      routes.map((r) => [r.name, r.security.map((s) => s.auth)]),
      [
        ['chat', ['none']],
        ['predict', ['jwt']],
      ],
    );
    const metrics = await client.metrics({ type: 'latency', route: 'predict' });
    assert.deepEqual(
      metrics.routes.map((r) => r.route),
      ['predict'],
    );
    assert.deepEqual(await client.setLogLevel('warn'), { level: 'warn', persisted: true });
    const yaml = await client.config();
    assert.equal(yaml, await gw.readFile());
    const applied = await client.applyConfig(yaml.replace('timeout: 30s', 'timeout: 40s'));
    assert.deepEqual(applied.changes, { added: [], changed: ['chat'], removed: [] });
    assert.equal((await client.health()).status, 'ok');
  });

  it("trace() returns the gateway's trace of a traced request, and a 404 once it has none", async () => {
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gateway-trace': '1', 'x-gateway-admin-key': ADMIN_KEY },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await response.text();
    const requestId = response.headers.get('x-request-id');
    assert.ok(requestId, 'the gateway names the request');
    const trace = await client.trace(requestId, { timeoutMs: 5_000 });
    assert.deepEqual([trace.requestId, trace.route, trace.status, trace.path], [requestId, 'chat', 200, '/v1/chat/completions']);
    assert.ok(trace.entries.some((e) => e.stage === 'route'));
    await assert.rejects(
      client.trace('no-such-request'),
      (err: unknown) => err instanceof AIGatewayError && err.status === 404 && err.type === 'trace_not_found',
    );
  });

  it('throws AIGatewayError with the status, type and diagnostics of a refusal', async () => {
    await assert.rejects(client.createRoute({ path: '/predict', target: 'mock://openai', method: 'POST' }), (err: unknown) => {
      assert.ok(err instanceof AIGatewayError);
      assert.equal(err.status, 409);
      assert.equal(err.type, 'already_exists');
      assert.ok(err.diagnostics.some((d) => d.code === 'route.duplicate'));
      assert.equal(err.file, gw.file);
      return true;
    });
    await assert.rejects(
      new AIGateway({ url: gw.url, apiKey: 'wrong', fetch: recording }).routes(),
      (err: unknown) => err instanceof AIGatewayError && err.status === 401,
    );
  });

  it('refuses to call without a key: "API key required", before anything is sent', async () => {
    const saved = process.env.AI_GATEWAY_API_KEY;
    delete process.env.AI_GATEWAY_API_KEY;
    try {
      await assert.rejects(
        new AIGateway({ url: gw.url, fetch: recording }).routes(),
        (err: unknown) => err instanceof ApiKeyRequiredError && /^API key required/.test(err.message),
      );
    } finally {
      if (saved !== undefined) process.env.AI_GATEWAY_API_KEY = saved;
    }
  });

  it("connect({ cluster: 'aimlops' }) uses the saved context's gateway and key", async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'ai-gateway-sdk-'));
    const saved = { ...process.env };
    try {
      process.env.XDG_CONFIG_HOME = home;
      delete process.env.AI_GATEWAY_URL;
      delete process.env.AI_GATEWAY_API_KEY;
      await writeUserConfig({ currentContext: 'other', contexts: { aimlops: { gateway: gw.url, key: ADMIN_KEY }, other: { gateway: 'http://127.0.0.1:9' } } });
      const connected = await connect({ cluster: 'aimlops', fetch: recording });
      assert.equal(connected.url, gw.url);
      assert.equal((await connected.routes()).length, 2);
      await assert.rejects(connect({ cluster: 'missing' }), /No context named "missing" \(known: aimlops, other\)/);
    } finally {
      process.env = saved;
      await rm(home, { recursive: true, force: true });
    }
  });

  it('backs off exponentially with jitter, honouring Retry-After up to the cap', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1_000 };
    assert.equal(
      backoffDelay(0, options, null, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(0, options, null, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(3, options, null, () => 1),
      800,
    );
    assert.equal(
      backoffDelay(6, options, null, () => 1),
      1_000,
    );
    assert.equal(
      backoffDelay(0, options, '2', () => 1),
      1_000,
    );
    assert.equal(
      backoffDelay(0, options, '0.25', () => 1),
      250,
    );
  });

  it('received only answers that schemas/admin-api.openapi.json describes', () => {
    assert.ok(answers.length >= 10, `only ${answers.length} answers recorded`);
    assert.deepEqual(answers.flatMap(contractProblems), []);
  });
});

describe('SDK: per-call AbortSignal and timeout', function () {
  this.timeout(5_000); // far below the client's own 60 s timeout and 5 s backoff: only the per-call controls end these calls
  // A gateway that takes requests and never answers them, or answers 429 with a long Retry-After.
  let behaviour: 'stall' | 'busy' = 'stall';
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    if (behaviour === 'busy')
      res.writeHead(429, { 'retry-after': '30', 'content-type': 'application/json' }).end('{"error":{"type":"rate_limited","message":"slow down"}}');
  });
  let client: AIGateway;

  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = new AIGateway({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: 'k', timeoutMs: 60_000 });
  });
  beforeEach(() => {
    requests = 0;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('timeoutMs ends one call that gets no answer, as "unreachable", and closes its connection', async () => {
    behaviour = 'stall';
    const closed = once(server, 'request').then(([req]) => once((req as http.IncomingMessage).socket, 'close'));
    await assert.rejects(client.metrics({}, { timeoutMs: 200 }), (err: unknown) => {
      assert.ok(err instanceof AIGatewayError);
      assert.deepEqual([err.status, err.type], [0, 'unreachable']);
      assert.match(err.message, /no answer within 200 ms/);
      return true;
    });
    await closed;
    assert.equal(requests, 1, 'a timeout is not retried');
  });

  it("an aborted signal ends the call with the signal's reason, in flight or before it starts", async () => {
    behaviour = 'stall';
    const controller = new AbortController();
    const arrived = once(server, 'request');
    const call = client.metrics({ route: 'chat' }, { signal: controller.signal });
    const [req] = (await arrived) as [http.IncomingMessage];
    const closed = once(req.socket, 'close');
    controller.abort();
    await assert.rejects(call, (err: unknown) => err instanceof Error && err.name === 'AbortError');
    await closed;
    await assert.rejects(client.routes({ signal: AbortSignal.abort() }), (err: unknown) => err instanceof Error && err.name === 'AbortError');
    assert.equal(requests, 1, 'nothing is sent for an already aborted signal');
  });

  it('aborting during the 429 backoff ends the call at once instead of after Retry-After', async () => {
    behaviour = 'busy';
    const controller = new AbortController();
    const retrying = new AIGateway({ url: client.url, apiKey: 'k', onRetry: () => controller.abort() });
    await assert.rejects(retrying.routes({ signal: controller.signal }), (err: unknown) => err instanceof Error && err.name === 'AbortError');
    assert.equal(requests, 1);
  });
});
