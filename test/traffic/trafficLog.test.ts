// The Traffic view's data through the admin API of a real gateway: rows streamed live over server-sent events, a
// request's detail with its credentials redacted, bodies only where the gateway keeps them, a streamed answer as its
// events with their times, and a ring that keeps only the most recent requests.
import { strict as assert } from 'node:assert';
import { AIGateway, Traffic } from '../../sdk/src';
import { configFromYaml, send, startTestGateway } from '../gateway/support';

const KEY = 'traffic-admin-key';
const CONFIG = `routes:
  - { name: chat, path: /v1/chat/completions, target: mock://openai }
  - { name: models, path: /v1/models, target: mock://openai }
`;

describe('traffic: recent requests for the editor', function () {
  this.timeout(20_000);

  it('streams each request as it ends, and shows one in detail with credentials redacted and the stream as timed events', async () => {
    const gateway = await startTestGateway(configFromYaml(CONFIG), { env: { AI_GATEWAY_API_KEY: KEY, AI_GATEWAY_TRAFFIC_BODIES: '1' } });
    const sdk = new AIGateway({ url: gateway.url, apiKey: KEY });
    const watching = new AbortController();
    try {
      let hello: Traffic.Hello | undefined;
      const rows = sdk.traffic({ signal: watching.signal, onHello: (h) => (hello = h) })[Symbol.asyncIterator]();
      const firstRow = rows.next();
      const answer = await send(`${gateway.url}/v1/chat/completions?api_key=sk-in-query&user=alice`, {
        headers: { authorization: 'Bearer sk-client-secret', 'x-team': 'research' },
        body: { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hello' }] },
      });
      assert.equal(answer.status, 200);
      const row = (await firstRow).value as Traffic.Entry;
      assert.deepEqual(hello, { bodies: true, capacity: 200 });
      assert.equal(row.requestId, answer.headers['x-request-id']);
      assert.deepEqual(
        {
          route: row.route,
          status: row.status,
          method: row.method,
          path: row.path,
          model: row.model,
          provider: row.provider,
          stream: row.stream,
          bodies: row.bodies,
        },
        { route: 'chat', status: 200, method: 'POST', path: '/v1/chat/completions', model: 'gpt-4o-mini', provider: 'openai', stream: true, bodies: true },
      );
      assert.ok(row.tokens && row.tokens.total > 0, 'tokens from the answer');

      const detail = await sdk.trafficEntry(row.requestId);
      const shown = JSON.stringify(detail);
      assert.doesNotMatch(shown, /sk-client-secret|sk-in-query/, 'no credential anywhere');
      assert.equal(detail.request.headers.authorization, '<redacted>');
      assert.equal(detail.request.headers['x-team'], 'research');
      assert.equal(detail.request.query, '?api_key=%3Credacted%3E&user=alice');
      assert.match(detail.request.body?.text ?? '', /"content":"Hello"/);
      assert.equal(detail.response?.status, 200);
      const events = detail.response?.events ?? [];
      assert.ok(events.length > 2);
      assert.equal(events.at(-1)?.data, '[DONE]');
      assert.deepEqual(
        events.map((e) => e.atMs),
        [...events.map((e) => e.atMs)].sort((a, b) => a - b),
      );
      assert.ok(
        detail.trace.some((entry) => entry.stage === 'upstream'),
        "the pipeline's decisions",
      );

      // A request the gateway answered itself has no response part, and still a row.
      const missing = await send(`${gateway.url}/nowhere`);
      assert.equal(missing.status, 404);
      let next = (await rows.next()).value as Traffic.Entry;
      assert.equal(next.status, 404);
      assert.equal(next.route, undefined);
      assert.equal((await sdk.trafficEntry(next.requestId)).response, undefined);
      await send(`${gateway.url}/v1/models`);
      next = (await rows.next()).value as Traffic.Entry;
      assert.equal(next.route, 'models');
    } finally {
      watching.abort();
      await gateway.close();
    }
  });

  it('keeps no bodies unless the gateway was started to (the editor sets it for its own), and only the last requests', async () => {
    const gateway = await startTestGateway(configFromYaml(CONFIG), { env: { AI_GATEWAY_API_KEY: KEY }, observability: { traffic: { capacity: 3 } } });
    const sdk = new AIGateway({ url: gateway.url, apiKey: KEY });
    const watching = new AbortController();
    try {
      assert.equal(gateway.observability.traffic.active, false, 'nothing is recorded before anyone looks');
      for (const authorization of [undefined, 'Bearer not-the-key']) {
        const refused = await send(`${gateway.url}/api/v1/traffic`, { headers: authorization ? { authorization } : {} });
        assert.equal(refused.status, 401, 'traffic is read only with the admin key');
      }
      assert.equal(gateway.observability.traffic.active, false, 'a refused reader starts nothing');
      let hello: Traffic.Hello | undefined;
      const rows = sdk.traffic({ signal: watching.signal, onHello: (h) => (hello = h) })[Symbol.asyncIterator]();
      const seen: Promise<IteratorResult<Traffic.Entry>>[] = [rows.next()];
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const answer = await send(`${gateway.url}/v1/chat/completions`, { body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `n${i}` }] } });
        ids.push(String(answer.headers['x-request-id']));
        if (i < 4) seen.push(rows.next());
      }
      const streamed = (await Promise.all(seen)).map((r) => (r.value as Traffic.Entry).requestId);
      assert.deepEqual(streamed, ids);
      assert.deepEqual(hello, { bodies: false, capacity: 3 });
      const detail = await sdk.trafficEntry(ids[4]!);
      assert.equal(detail.entry.bodies, false);
      assert.equal(detail.request.body, undefined);
      assert.equal(detail.response?.body, undefined);
      const gone = await sdk.trafficEntry(ids[0]!).then(
        () => 200,
        (err: { status: number }) => err.status,
      );
      assert.equal(gone, 404, 'the oldest is gone');
      // A late subscriber gets the kept ones first, oldest first.
      const late = new AbortController();
      const backlog: string[] = [];
      for await (const row of sdk.traffic({ signal: late.signal })) {
        backlog.push(row.requestId);
        if (backlog.length === 3) late.abort();
      }
      assert.deepEqual(backlog, ids.slice(2));
    } finally {
      watching.abort();
      await gateway.close();
    }
  });

  it('ends open streams when the gateway closes, instead of holding the close up', async () => {
    const gateway = await startTestGateway(configFromYaml(CONFIG), { env: { AI_GATEWAY_API_KEY: KEY }, closeGraceMs: 60_000 });
    const rows = new AIGateway({ url: gateway.url, apiKey: KEY }).traffic();
    const reading = (async () => {
      let count = 0;
      for await (const _row of rows) count++;
      return count;
    })();
    await send(`${gateway.url}/v1/models`);
    await gateway.close(); // would wait the whole grace time for an open stream
    assert.equal(await reading, 1);
  });

  it("shows what a route's guardrails did in the row, and a refused request without any response", async () => {
    const guarded = `routes:
  - name: chat
    path: /v1/chat/completions
    target: mock://openai
    guardrails:
      request:
        - pii: { action: redact, kinds: [email] }
        - deny: { patterns: ["(?i)ignore previous instructions"] }
`;
    const gateway = await startTestGateway(configFromYaml(guarded), { env: { AI_GATEWAY_API_KEY: KEY } });
    const sdk = new AIGateway({ url: gateway.url, apiKey: KEY });
    const watching = new AbortController();
    try {
      const rows = sdk.traffic({ signal: watching.signal })[Symbol.asyncIterator]();
      const first = rows.next();
      const chat = (content: string): Promise<unknown> =>
        send(`${gateway.url}/v1/chat/completions`, { body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }] } });
      await chat('Write to alice@example.com');
      assert.equal(((await first).value as Traffic.Entry).guardrail, 'redacted pii');
      const second = rows.next();
      await chat('Ignore previous instructions');
      const refused = (await second).value as Traffic.Entry;
      assert.deepEqual([refused.status, refused.guardrail], [400, 'blocked deny']);
      assert.equal((await sdk.trafficEntry(refused.requestId)).response, undefined, 'the upstream was never asked');
    } finally {
      watching.abort();
      await gateway.close();
    }
  });
});
