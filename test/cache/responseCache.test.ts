// The response cache over real sockets, in front of a real mock backend that counts what reaches it: a repeated
// request is answered without the upstream (whatever its key order and whitespace), in the delivery it asks for; what
// may not be stored is not; consumers never get each other's answers; the client's Cache-Control is honoured; every
// answer says what happened (header, access log, trace, metrics); a hit costs no tokens; the admin API purges.
import { strict as assert } from 'node:assert';
import { request } from 'undici';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import type { RequestTrace } from '../../common/src/protocol';
import { send, startTestGateway, type HttpAnswer } from '../gateway/support';
import { configOf } from '../observability/support';

const ADMIN_KEY = 'admin-key-cache-test-4d3c2b1a';
const TEAM_A = 'sk-team-a-cache-test-0123456789';
const TEAM_B = 'sk-team-b-cache-test-9876543210';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

interface SseEvent {
  data: string;
}

function events(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => ({ data: block.replace(/^data: /, '') }));
}

function deltaText(stream: string): string {
  return events(stream)
    .filter((e) => e.data !== '[DONE]')
    .map((e) => (JSON.parse(e.data) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '')
    .join('');
}

function accessLine(gateway: Gateway, answer: HttpAnswer): Promise<Record<string, unknown>> {
  return gateway.logs.accessLine(String(answer.headers['x-request-id']));
}

describe('response cache', function () {
  this.timeout(20_000);
  let mock: MockServer;
  let gateway: Gateway;
  const env = { TEAM_A, TEAM_B, AI_GATEWAY_API_KEY: ADMIN_KEY };
  const chat = (content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content }],
    ...extra,
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> => send(`${gateway.url}${path}`, { body, headers });

  before(async () => {
    mock = await startMockServer({ options: { name: 'counted' } });
    gateway = await startTestGateway(
      configOf(
        `
gateway:
  cache: { ttl: 10m, enabled: false }
pricing:
  openai-compatible: # the counting mock is a plain URL target
    gpt-4o-mini: { input: 0.15, output: 0.6 }
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mock.url}, cache: true }
  - { name: shared, path: /shared/v1/chat/completions, methods: [POST], target: ${mock.url}, stripPrefix: /shared, cache: { by: route } }
  - { name: private, path: /private/v1/chat/completions, methods: [POST], target: ${mock.url}, stripPrefix: /private, cache: { by: consumer } }
  - { name: small, path: /small/v1/chat/completions, methods: [POST], target: ${mock.url}, stripPrefix: /small, cache: { maxEntrySize: 100b } }
  - { name: limited, path: /limited/v1/chat/completions, methods: [POST], target: ${mock.url}, stripPrefix: /limited, cache: true }
  - { name: charged, path: /charged/v1/chat/completions, methods: [POST], target: ${mock.url}, stripPrefix: /charged, cache: { chargeHits: true } }
  - { name: uncached, path: /uncached/v1/chat/completions, methods: [POST], target: ${mock.url}, stripPrefix: /uncached }
security:
  - endpoint: /v1/chat/completions
    auth: none
  - endpoint: /uncached/v1/chat/completions
    auth: none
  - endpoint: /small/v1/chat/completions
    auth: none
  - endpoint: /shared/v1/chat/completions
    auth: api-key
    apiKeys: [{ name: team-a, keyEnv: TEAM_A }, { name: team-b, keyEnv: TEAM_B }]
  - endpoint: /private/v1/chat/completions
    auth: api-key
    apiKeys: [{ name: team-a, keyEnv: TEAM_A }, { name: team-b, keyEnv: TEAM_B }]
  - endpoint: /limited/v1/chat/completions
    auth: none
    rateLimit: { tokens: 100000/min, by: route }
  - endpoint: /charged/v1/chat/completions
    auth: none
    rateLimit: { tokens: 100000/min, by: route }
`,
        env,
      ),
      { env },
    );
  });
  after(async () => {
    await gateway?.close();
    await mock?.close();
  });

  it('answers a repeated request from the cache, whatever its key order and whitespace, without the upstream', async () => {
    const before = mock.requestCount;
    const first = await send(`${gateway.url}/v1/chat/completions`, {
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'key order' }] }),
    });
    assert.equal(first.status, 200);
    assert.equal(first.headers['x-gateway-cache'], 'miss');
    const again = await send(`${gateway.url}/v1/chat/completions`, {
      body: '{ "messages" : [ { "content": "key order", "role": "user" } ],\n  "model": "gpt-4o-mini", "user": "someone-else" }',
    });
    assert.equal(again.status, 200);
    assert.equal(again.headers['x-gateway-cache'], 'hit');
    assert.match(String(again.headers.age), /^\d+$/);
    assert.equal(again.text, first.text, 'the same answer, byte for byte');
    assert.equal(mock.requestCount - before, 1, 'the upstream saw the first request only');

    const missLine = await accessLine(gateway, first);
    assert.deepEqual(missLine.cache, { result: 'miss' });
    assert.ok(typeof missLine.costUsd === 'number' && missLine.costUsd > 0, 'the miss cost what gpt-4o-mini charges for its usage');
    const hitLine = await accessLine(gateway, again);
    assert.equal((hitLine.cache as { result: string }).result, 'hit');
    assert.equal((hitLine.cache as { savedUsd: number }).savedUsd, missLine.costUsd, 'the hit saved what the miss cost');
    assert.equal(hitLine.costUsd, 0);
  });

  it('replays a stream in the events it was stored in, and serves a stream to a JSON request and the reverse', async () => {
    const body = chat('stream me', { stream: true, stream_options: { include_usage: true } });
    const streamed = await post('/v1/chat/completions', body);
    assert.equal(streamed.headers['x-gateway-cache'], 'miss');
    assert.match(String(streamed.headers['content-type']), /text\/event-stream/);
    const replayed = await post('/v1/chat/completions', body);
    assert.equal(replayed.headers['x-gateway-cache'], 'hit');
    assert.match(String(replayed.headers['content-type']), /text\/event-stream/);
    assert.deepEqual(events(replayed.text), events(streamed.text), 'the same events in the same order');

    // The stored stream, asked for as JSON (stream and stream_options are not part of the key).
    const json = await post('/v1/chat/completions', chat('stream me'));
    assert.equal(json.headers['x-gateway-cache'], 'hit');
    const completion = json.json<{ object: string; choices: { message: { content: string } }[]; usage: { total_tokens: number } }>();
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.choices[0]!.message.content, deltaText(streamed.text));
    const usageChunk = events(streamed.text).find((e) => e.data.includes('"usage"'))!;
    assert.deepEqual(completion.usage, (JSON.parse(usageChunk.data) as { usage: unknown }).usage, 'the usage preserved');

    // A stored JSON answer, asked for as a stream with its usage.
    const plain = await post('/v1/chat/completions', chat('json first'));
    assert.equal(plain.headers['x-gateway-cache'], 'miss');
    const asStream = await post('/v1/chat/completions', chat('json first', { stream: true, stream_options: { include_usage: true } }));
    assert.equal(asStream.headers['x-gateway-cache'], 'hit');
    assert.match(String(asStream.headers['content-type']), /text\/event-stream/);
    const original = plain.json<{ choices: { message: { content: string } }[]; usage: unknown }>();
    assert.equal(deltaText(asStream.text), original.choices[0]!.message.content);
    const streamedUsage = events(asStream.text).find((e) => e.data.includes('"usage"'));
    assert.ok(streamedUsage, 'include_usage: the stream ends with a usage chunk');
    assert.deepEqual((JSON.parse(streamedUsage.data) as { usage: unknown }).usage, original.usage);
    assert.equal(events(asStream.text).at(-1)!.data, '[DONE]');
  });

  it('stores only complete 2xx answers within maxEntrySize', async () => {
    const failing = await post('/v1/chat/completions', chat('fails first'), { 'x-mock-status': '500' });
    assert.equal(failing.status, 500);
    assert.equal(failing.headers['x-gateway-cache'], 'miss');
    const afterError = await post('/v1/chat/completions', chat('fails first'));
    assert.equal(afterError.status, 200);
    assert.equal(afterError.headers['x-gateway-cache'], 'miss', 'the error was not stored');

    const cutBody = chat('cut me', { stream: true });
    const cut = await post('/v1/chat/completions', cutBody, { 'x-mock-cut-after': '2' });
    assert.match(cut.text, /event: error/);
    const afterCut = await post('/v1/chat/completions', cutBody);
    assert.equal(afterCut.headers['x-gateway-cache'], 'miss', 'the cut stream was not stored');

    const large = await post('/small/v1/chat/completions', chat('too large'));
    assert.equal(large.headers['x-gateway-cache'], 'miss');
    const line = await accessLine(gateway, large);
    assert.match(String((line.cache as { reason: string }).reason), /larger than maxEntrySize \(100 bytes\): not stored/);
    assert.equal((await post('/small/v1/chat/completions', chat('too large'))).headers['x-gateway-cache'], 'miss');
  });

  it("honours the client's Cache-Control: no-cache skips the lookup, no-store the storing", async () => {
    const before = mock.requestCount;
    await post('/v1/chat/completions', chat('directives'));
    const fresh = await post('/v1/chat/completions', chat('directives'), { 'cache-control': 'no-cache' });
    assert.equal(fresh.headers['x-gateway-cache'], 'bypass');
    assert.equal(mock.requestCount - before, 2, 'no-cache went to the upstream');

    const unstored = await post('/v1/chat/completions', chat('not kept'), { 'cache-control': 'no-store' });
    assert.equal(unstored.headers['x-gateway-cache'], 'miss');
    assert.equal((await post('/v1/chat/completions', chat('not kept'))).headers['x-gateway-cache'], 'miss', 'no-store: nothing was kept');
  });

  it("never serves one consumer another's answer (by: consumer), and shares within a route when told (by: route)", async () => {
    const asA = { authorization: `Bearer ${TEAM_A}` };
    const asB = { authorization: `Bearer ${TEAM_B}` };
    assert.equal((await post('/private/v1/chat/completions', chat('team secret'), asA)).headers['x-gateway-cache'], 'miss');
    assert.equal((await post('/private/v1/chat/completions', chat('team secret'), asB)).headers['x-gateway-cache'], 'miss');
    assert.equal((await post('/private/v1/chat/completions', chat('team secret'), asA)).headers['x-gateway-cache'], 'hit');

    assert.equal((await post('/shared/v1/chat/completions', chat('common question'), asA)).headers['x-gateway-cache'], 'miss');
    assert.equal((await post('/shared/v1/chat/completions', chat('common question'), asB)).headers['x-gateway-cache'], 'hit');
  });

  it('charges a hit nothing against the token limit, unless the route says chargeHits', async () => {
    const remaining = (answer: HttpAnswer): number => Number(answer.headers['ratelimit-remaining']);
    const reservation = (body: unknown): number => Math.ceil(JSON.stringify(body).length / 4) + 1024;
    for (const [route, charged] of [
      ['limited', false],
      ['charged', true],
    ] as const) {
      const asked = chat(`tokens on ${route}`);
      const first = await post(`/${route}/v1/chat/completions`, asked);
      const used = first.json<{ usage: { total_tokens: number } }>().usage.total_tokens;
      const hit = await post(`/${route}/v1/chat/completions`, asked);
      assert.equal(hit.headers['x-gateway-cache'], 'hit');
      await accessLine(gateway, hit); // the hit is settled before its access line
      const probe = chat(`probe on ${route}`);
      const next = await post(`/${route}/v1/chat/completions`, probe);
      const spent = used + (charged ? used : 0);
      assert.equal(remaining(next), 100_000 - spent - reservation(probe), `${route}: ${charged ? 'the hit was charged its usage' : 'the hit cost no tokens'}`);
    }
  });

  it('says what happened in the trace and the metrics, and leaves routes without a cache alone', async () => {
    const traced = { 'x-gateway-trace': '1', 'x-gateway-admin-key': ADMIN_KEY };
    await post('/v1/chat/completions', chat('traced'));
    const hit = await post('/v1/chat/completions', chat('traced'), traced);
    const entries = JSON.parse(String(hit.headers['x-gateway-trace'])) as RequestTrace.Entry[];
    const cacheEntry = entries.find((e) => e.stage === 'cache');
    assert.equal(cacheEntry?.outcome, 'hit');
    assert.ok(!entries.some((e) => e.stage === 'upstream'), 'a hit never reaches the upstream stage');
    const record = await send(`${gateway.url}/api/v1/traces/${String(hit.headers['x-request-id'])}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    assert.equal(record.json<RequestTrace.Record>().cache, 'hit');
    assert.equal(record.json<RequestTrace.Record>().costUsd, 0);

    const uncached = await post('/uncached/v1/chat/completions', chat('traced'));
    assert.equal(uncached.headers['x-gateway-cache'], undefined, 'a route without a cache says nothing about one');

    const metrics = await (await request(`${gateway.url}/metrics`)).body.text();
    assert.match(metrics, /^ai_gateway_cache_requests_total\{route="chat",result="hit"\} [1-9]\d*$/m);
    assert.match(metrics, /^ai_gateway_cache_requests_total\{route="chat",result="miss"\} [1-9]\d*$/m);
    assert.match(metrics, /^ai_gateway_cache_requests_total\{route="chat",result="bypass"\} [1-9]\d*$/m);
    assert.match(metrics, /^ai_gateway_cache_entries [1-9]\d*$/m);
    assert.match(metrics, /^ai_gateway_cache_bytes [1-9]\d*$/m);
    assert.match(metrics, /^ai_gateway_cache_writes_total\{route="chat"\} [1-9]\d*$/m);
    assert.doesNotMatch(metrics, /route="uncached",result=/);
  });

  it('purges a route through the admin API', async () => {
    await post('/v1/chat/completions', chat('purge me'));
    assert.equal((await post('/v1/chat/completions', chat('purge me'))).headers['x-gateway-cache'], 'hit');
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const purged = await send(`${gateway.url}/api/v1/routes/chat/cache`, { method: 'DELETE', headers: admin });
    assert.equal(purged.status, 200);
    const result = purged.json<{ route: string; purged: number }>();
    assert.equal(result.route, 'chat');
    assert.ok(result.purged >= 1);
    assert.equal((await post('/v1/chat/completions', chat('purge me'))).headers['x-gateway-cache'], 'miss');
    const unknown = await send(`${gateway.url}/api/v1/routes/nope/cache`, { method: 'DELETE', headers: admin });
    assert.equal(unknown.status, 404);
  });
});
