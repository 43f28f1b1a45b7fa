// Request traces: `x-gateway-trace: 1` with the admin key in `x-gateway-admin-key` returns the pipeline's
// decisions (route and why, auth, limits, each target tried with its outcome) in the x-gateway-trace response
// header and keeps the whole trace for GET /api/v1/traces/{id}; the admin key never reaches the upstream.
import { strict as assert } from 'node:assert';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { TraceStore } from '../../runtime/src/observability/traceStore';
import type { RequestTrace } from '../../common/src/protocol';
import { CHAT, send, startTestGateway, type HttpAnswer } from '../gateway/support';
import { closedPortUrl, configOf } from './support';

const ADMIN_KEY = 'admin-key-trace-test-7e6f5a';
const TEAM_KEY = 'sk-team-trace-test-3c2b1a';

function traceOf(answer: HttpAnswer): RequestTrace.Entry[] {
  const header = answer.headers['x-gateway-trace'];
  assert.equal(typeof header, 'string', 'the answer carries an x-gateway-trace header');
  return JSON.parse(String(header)) as RequestTrace.Entry[];
}

describe('observability: request traces', () => {
  let mock: MockServer;
  let dead: string;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  const traced = { 'x-gateway-trace': '1', 'x-gateway-admin-key': ADMIN_KEY };

  before(async () => {
    mock = await startMockServer({ options: { name: 'm1' } });
    dead = await closedPortUrl();
    const env = { TEAM_KEY, AI_GATEWAY_API_KEY: ADMIN_KEY };
    gateway = await startTestGateway(
      configOf(
        `
routes:
  - { name: echo, path: /echo/*, target: ${mock.url} }
  - name: pair
    path: /echo/pair
    targets: [{ url: ${dead} }, { url: ${mock.url} }]
    retries: 1
security:
  - endpoint: /echo/*
    auth: api-key
    apiKeys: [{ name: team-trace, keyEnv: TEAM_KEY }]
`,
        env,
      ),
      { env },
    );
  });
  after(async () => {
    await gateway.close();
    await mock.close();
  });

  it('returns route, auth and upstream decisions in the header and keeps the whole trace', async () => {
    const answer = await send(`${gateway.url}/echo/one`, { body: CHAT, headers: { ...traced, 'x-api-key': TEAM_KEY } });
    assert.equal(answer.status, 200);
    const entries = traceOf(answer);
    const stages = entries.map((entry) => entry.stage);
    assert.deepEqual(stages, ['route', 'auth', 'upstream']);
    assert.equal(entries[0]!.outcome, 'matched "echo"');
    assert.match(String(entries[0]!.detail), /path \/echo\/\*/);
    assert.equal(entries[1]!.outcome, 'accepted');
    assert.match(String(entries[1]!.detail), /team-trace/);
    assert.equal(entries[2]!.outcome, `200 from ${mock.url}`);

    const requestId = String(answer.headers['x-request-id']);
    const record = gateway.observability.trace(requestId);
    assert.ok(record, 'the trace is kept under its request id');
    assert.equal(record.route, 'echo');
    assert.equal(record.status, 200);
    assert.equal(record.consumer, 'team-trace');
    assert.equal(record.upstream.target, mock.url);
    assert.equal(record.upstream.attempts, 1);
    assert.deepEqual(
      record.entries.map((entry) => entry.stage),
      ['route', 'auth', 'upstream', 'response'],
    );
  });

  it('never forwards the admin key or the trace switch to the upstream', async () => {
    const answer = await send(`${gateway.url}/echo/headers`, { body: CHAT, headers: { ...traced, 'x-api-key': TEAM_KEY } });
    const echoed = answer.json<{ headers: Record<string, string> }>().headers;
    assert.equal(echoed['x-gateway-admin-key'], undefined);
    assert.equal(echoed['x-gateway-trace'], undefined);
    assert.ok(!answer.text.includes(ADMIN_KEY));
  });

  it('lists every target tried, with its outcome, when a request fails over', async () => {
    const entries: RequestTrace.Entry[][] = [];
    for (let i = 0; i < 2; i++) entries.push(traceOf(await send(`${gateway.url}/echo/pair`, { headers: { ...traced, 'x-api-key': TEAM_KEY } })));
    const failedOver = entries.find((trace) => trace.some((entry) => entry.outcome === `connect-error from ${dead}`));
    assert.ok(failedOver, 'round-robin sent one of two requests to the dead target first');
    const upstream = failedOver.filter((entry) => entry.stage === 'upstream').map((entry) => entry.outcome);
    assert.deepEqual(upstream, [`connect-error from ${dead}`, `200 from ${mock.url}`]);
  });

  it('shows why a request was refused', async () => {
    const answer = await send(`${gateway.url}/echo/one`, { body: CHAT, headers: traced });
    assert.equal(answer.status, 401);
    const auth = traceOf(answer).find((entry) => entry.stage === 'auth');
    assert.equal(auth?.outcome, 'rejected');
    assert.equal(gateway.observability.trace(String(answer.headers['x-request-id']))?.status, 401);
  });

  it('refuses to trace without the right admin key, and keeps nothing', async () => {
    for (const key of ['wrong-key', undefined]) {
      const headers: Record<string, string> = { 'x-gateway-trace': '1', 'x-api-key': TEAM_KEY, ...(key ? { 'x-gateway-admin-key': key } : {}) };
      const answer = await send(`${gateway.url}/echo/headers`, { body: CHAT, headers });
      assert.equal(answer.status, 200, 'the request itself is served');
      assert.deepEqual(
        traceOf(answer).map((entry) => entry.outcome),
        ['refused'],
      );
      assert.equal(gateway.observability.trace(String(answer.headers['x-request-id'])), undefined);
      assert.equal(answer.json<{ headers: Record<string, string> }>().headers['x-gateway-admin-key'], undefined);
    }
  });

  it('adds no trace header to requests that do not ask for one', async () => {
    const answer = await send(`${gateway.url}/echo/one`, { body: CHAT, headers: { 'x-api-key': TEAM_KEY } });
    assert.equal(answer.headers['x-gateway-trace'], undefined);
    assert.equal(gateway.observability.trace(String(answer.headers['x-request-id'])), undefined);
  });
});

describe('observability: trace store', () => {
  const record = (requestId: string): RequestTrace.Record => ({
    requestId,
    startedAt: new Date(0).toISOString(),
    method: 'GET',
    path: '/',
    status: 200,
    durationMs: 1,
    upstream: { attempts: 0 },
    entries: [],
  });

  it('keeps only the newest traces up to its capacity', () => {
    const store = new TraceStore(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) store.add(record(id));
    assert.equal(store.size, 3);
    assert.equal(store.get('a'), undefined);
    assert.equal(store.get('b'), undefined);
    assert.equal(store.get('e')?.requestId, 'e');
  });
});
