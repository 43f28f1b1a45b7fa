// Proxying over real sockets: headers both ways, streamed bodies, SSE chunk by chunk, and the gateway's own
// error answers (404, 405, 502, 504) with their JSON body and no stack trace.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { CHAT, configFromYaml, send, startTestGateway } from './support';

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

describe('proxy', () => {
  let mock: MockServer;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let held: { res?: ServerResponse; release?: () => void } = {};
  let sseUpstream: Server;
  let deadUrl: string;

  before(async () => {
    mock = await startMockServer({ options: { name: 'm1' } });
    sseUpstream = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"n":1}\n\n');
      held = { res, release: () => res.end('data: [DONE]\n\n') };
    });
    const sseUrl = await listen(sseUpstream);
    deadUrl = await closedPortUrl();
    gateway = await startTestGateway(
      configFromYaml(`
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mock.url} }
  - { name: echo, path: /echo/*, target: ${mock.url} }
  - { name: held-sse, path: /held, methods: [POST], target: ${sseUrl} }
  - { name: dead, path: /dead, target: ${deadUrl}, retries: 0 }
  - { name: slow, path: /slow, target: ${mock.url}, timeout: 300ms, retries: 0 }
  - { name: in-process, path: /v1/models, methods: [GET], target: mock://openai }
`),
    );
  });
  after(async () => {
    await gateway.close();
    await mock.close();
    sseUpstream.closeAllConnections();
    sseUpstream.close();
  });

  it('forwards a JSON request and returns the upstream answer with x-request-id and Server-Timing', async () => {
    const answer = await send(`${gateway.url}/v1/chat/completions`, { body: CHAT });
    assert.equal(answer.status, 200);
    assert.equal(answer.json<{ object: string }>().object, 'chat.completion');
    assert.match(String(answer.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.match(String(answer.headers['server-timing']), /gateway;dur=[\d.]+, upstream;dur=[\d.]+/);
  });

  it('sets X-Forwarded-For/-Proto/-Host and x-request-id upstream, and drops hop-by-hop headers', async () => {
    // node:http, because undici's client refuses to send a Connection header naming other headers.
    const outgoing = httpRequest(`${gateway.url}/echo/a?b=1`, {
      headers: {
        'x-request-id': 'caller-id-1',
        connection: 'keep-alive, x-secret-hop',
        'x-secret-hop': 'no',
        'x-keep': 'yes',
        te: 'trailers',
        'x-forwarded-for': '10.0.0.9',
      },
    });
    outgoing.end();
    const [incoming] = (await once(outgoing, 'response')) as [IncomingMessage];
    let text = '';
    for await (const chunk of incoming) text += String(chunk);
    const answer = { headers: incoming.headers };
    const echoed = JSON.parse(text) as { url: string; headers: Record<string, string> };
    assert.equal(echoed.url, '/echo/a?b=1');
    assert.equal(echoed.headers['x-forwarded-for'], '10.0.0.9, 127.0.0.1');
    assert.equal(echoed.headers['x-forwarded-proto'], 'http');
    assert.equal(echoed.headers['x-forwarded-host'], new URL(gateway.url).host);
    assert.equal(echoed.headers['x-request-id'], 'caller-id-1');
    assert.equal(echoed.headers['x-keep'], 'yes');
    assert.equal(echoed.headers['x-secret-hop'], undefined);
    assert.equal(echoed.headers.te, undefined);
    assert.equal(answer.headers['x-request-id'], 'caller-id-1');
  });

  it('streams a request body of unknown length upstream', async () => {
    const chunks = ['{"part":', '"one",', '"two":2}'];
    const response = await request(`${gateway.url}/echo/upload`, {
      method: 'POST',
      body: Readable.from(chunks.map((chunk) => Buffer.from(chunk))),
    });
    const echoed = (await response.body.json()) as { body: string; headers: Record<string, string> };
    assert.equal(echoed.body, chunks.join(''));
  });

  it('delivers the first SSE event before the upstream has finished', async () => {
    const response = await request(`${gateway.url}/held`, { method: 'POST', body: '{}' });
    assert.equal(response.headers['content-type'], 'text/event-stream');
    const iterator = response.body[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(String(first.value), 'data: {"n":1}\n\n');
    assert.ok(held.res && !held.res.writableEnded, 'the upstream is still open when the first event arrives');
    held.release?.();
    let rest = '';
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest += String(next.value);
    assert.equal(rest, 'data: [DONE]\n\n');
  });

  it('streams OpenAI SSE from the mock with the usage chunk and [DONE]', async () => {
    const answer = await send(`${gateway.url}/v1/chat/completions`, { body: { ...CHAT, stream: true, stream_options: { include_usage: true } } });
    const events = answer.text.split('\n\n').filter(Boolean);
    assert.equal(events.at(-1), 'data: [DONE]');
    const usage = JSON.parse(String(events.at(-2)).slice(6)) as { usage: { total_tokens: number } };
    assert.ok(usage.usage.total_tokens > 0);
  });

  it('serves mock://openai from the in-process mock', async () => {
    const answer = await send(`${gateway.url}/v1/models`);
    assert.equal(answer.status, 200);
    assert.ok(answer.json<{ data: { id: string }[] }>().data.some((model) => model.id === 'gpt-4o-mini'));
  });

  it('answers 404 with the error shape when no route matches', async () => {
    const answer = await send(`${gateway.url}/nowhere`);
    assert.equal(answer.status, 404);
    const body = answer.json<{ error: Record<string, string> }>();
    assert.equal(body.error.type, 'route_not_found');
    assert.equal(body.error.requestId, answer.headers['x-request-id']);
  });

  it('answers 405 with Allow when the path exists but not for the method', async () => {
    const answer = await send(`${gateway.url}/v1/chat/completions`);
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.allow, 'POST');
    assert.deepEqual(Object.keys(answer.json<{ error: object }>().error).sort(), ['message', 'requestId', 'route', 'type']);
  });

  it('answers 502 upstream_unreachable when the upstream refuses the connection', async () => {
    const answer = await send(`${gateway.url}/dead`);
    assert.equal(answer.status, 502);
    const error = answer.json<{ error: Record<string, string> }>().error;
    assert.equal(error.type, 'upstream_unreachable');
    assert.equal(error.route, 'dead');
    assert.match(error.message ?? '', /ECONNREFUSED/);
    assert.doesNotMatch(answer.text, /\bat .*\.(ts|js):\d+/, 'no stack trace');
  });

  it('answers 504 upstream_timeout when the upstream is slower than the route timeout', async () => {
    // Had the gateway waited for the upstream, its answer would be the mock's 200.
    const answer = await send(`${gateway.url}/slow`, { headers: { 'x-mock-latency': '3000' } });
    assert.equal(answer.status, 504);
    assert.equal(answer.json<{ error: { type: string } }>().error.type, 'upstream_timeout');
  });
});

describe('proxy: the gateway RateLimit-* headers on a relayed answer', () => {
  let upstream: Server;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    // An upstream with rate limits of its own, named as the gateway names its headers.
    upstream = createServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'RateLimit-Limit': '7',
        'RateLimit-Remaining': '3',
        'RateLimit-Reset': '9',
        'x-upstream': 'yes',
      });
      res.end('{"ok":true}');
    });
    const url = await listen(upstream);
    gateway = await startTestGateway(
      configFromYaml(`version: 1
routes:
  - { name: limited, path: /limited, target: ${url} }
  - { name: open, path: /open, target: ${url} }
security:
  - { endpoint: /limited, auth: none, rateLimit: 5/min }
  - { endpoint: /open, auth: none }
`),
    );
  });

  after(async () => {
    await gateway.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  async function rawHead(path: string): Promise<IncomingMessage> {
    const outgoing = httpRequest(`${gateway.url}${path}`);
    outgoing.end();
    const [incoming] = (await once(outgoing, 'response')) as [IncomingMessage];
    for await (const chunk of incoming) void chunk;
    return incoming;
  }

  it("sends the gateway's own limit once, in place of the upstream's, with the upstream's other headers", async () => {
    for (const expected of ['4', '3']) {
      const answer = await rawHead('/limited');
      assert.equal(answer.statusCode, 200);
      const names = answer.rawHeaders.filter((_, index) => index % 2 === 0).map((name) => name.toLowerCase());
      for (const name of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'])
        assert.equal(names.filter((seen) => seen === name).length, 1, `${name} once`);
      assert.equal(answer.headers['ratelimit-limit'], '5');
      assert.equal(answer.headers['ratelimit-remaining'], expected);
      assert.ok(Number(answer.headers['ratelimit-reset']) <= 60);
      assert.equal(answer.headers['x-upstream'], 'yes');
      assert.ok(answer.headers['x-request-id']);
    }
  });

  it("relays the upstream's RateLimit-* as they are on a route the gateway does not limit", async () => {
    const answer = await rawHead('/open');
    assert.equal(answer.headers['ratelimit-limit'], '7');
    assert.equal(answer.headers['ratelimit-remaining'], '3');
    assert.equal(answer.headers['ratelimit-reset'], '9');
  });
});
