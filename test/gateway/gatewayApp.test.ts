// GatewayApp (runtime/src/gateway/app.ts) keeps Koa's response handling for what the gateway answers itself and
// skips it for proxied answers, which the proxy writes on its own. Both halves over real sockets: the gateway's own
// answers (404, 405, HEAD, health JSON) come out as Koa writes them, proxied ones arrive whole, and a middleware
// that writes the answer itself gets none of the listeners plain Koa hangs on the socket (on-finished).
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { Agent, request } from 'undici';
import { GatewayApp } from '../../runtime/src/gateway/app';
import type { RunningGateway } from '../../runtime/src/gateway/startGateway';
import { configFromYaml, startTestGateway } from './support';

describe('GatewayApp: Koa for the gateway', function () {
  let upstream: Server;
  const held: ServerResponse[] = [];
  let arrived: (() => void) | undefined;
  let gateway: RunningGateway;
  const agent = new Agent({ connections: 1 });

  before(async function () {
    upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/hold') {
        held.push(res);
        arrived?.();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    gateway = await startTestGateway(
      configFromYaml(`version: 1
routes:
  - { name: up, path: /up/*, methods: [GET], target: ${target}, stripPrefix: /up }
`),
    );
  });

  after(async function () {
    for (const res of held) res.end();
    await agent.close();
    await gateway?.close();
    upstream?.close();
  });

  it('builds on a Koa that still has the request handler it overrides and delegates to', function () {
    assert.equal(typeof (Koa.prototype as unknown as { handleRequest?: unknown }).handleRequest, 'function');
    assert.notEqual(
      (new GatewayApp() as unknown as { handleRequest: unknown }).handleRequest,
      (Koa.prototype as unknown as { handleRequest: unknown }).handleRequest,
    );
  });

  it("answers the gateway's own responses as Koa does: status, headers, body, HEAD without a body", async function () {
    const missing = await request(`${gateway.url}/nowhere`, { dispatcher: agent });
    const missingText = await missing.body.text();
    assert.equal(missing.statusCode, 404);
    assert.match(String(missing.headers['content-type']), /^application\/json/);
    assert.equal(Number(missing.headers['content-length']), Buffer.byteLength(missingText));
    assert.equal((JSON.parse(missingText) as { error: { type: string } }).error.type, 'route_not_found');
    assert.ok(missing.headers['x-request-id'], 'observe still stamps Koa-written answers');

    const wrongMethod = await request(`${gateway.url}/up/x`, { method: 'DELETE', dispatcher: agent });
    await wrongMethod.body.dump();
    assert.equal(wrongMethod.statusCode, 405);
    assert.equal(wrongMethod.headers.allow, 'GET');

    const health = await request(`${gateway.url}/healthz`, { dispatcher: agent });
    const healthText = await health.body.text();
    assert.equal(health.statusCode, 200);
    const head = await request(`${gateway.url}/healthz`, { method: 'HEAD', dispatcher: agent });
    assert.equal(head.statusCode, 200);
    assert.equal(await head.body.text(), '', 'HEAD gets no body');
    assert.equal(Number(head.headers['content-length']), Buffer.byteLength(healthText), 'HEAD gets the length GET would have');
  });

  it('relays a proxied answer that waited on its upstream', async function () {
    const upstreamHasIt = new Promise<void>((resolve) => (arrived = resolve));
    const pending = request(`${gateway.url}/up/hold`, { dispatcher: agent });
    await upstreamHasIt;
    held.shift()!.writeHead(200, { 'content-type': 'application/json' }).end('{"held":true}');
    const answer = await pending;
    assert.equal(answer.statusCode, 200);
    assert.equal(await answer.body.text(), '{"held":true}');
  });

  it("hangs none of Koa's response listeners on the client socket when a middleware writes the answer itself", async function () {
    const plain = await socketListenersWhileWriting(new Koa());
    const ours = await socketListenersWhileWriting(new GatewayApp());
    assert.ok(plain.error > ours.error && plain.close > ours.close, `plain Koa ${JSON.stringify(plain)}, GatewayApp ${JSON.stringify(ours)}`);
  });
});

/** The 'error' and 'close' listeners on the server side of the connection while a middleware (ctx.respond = false) writes. */
async function socketListenersWhileWriting(app: Koa): Promise<{ error: number; close: number }> {
  let seen: { error: number; close: number } | undefined;
  app.use((ctx) => {
    ctx.respond = false;
    const socket = ctx.req.socket;
    seen = { error: socket.listenerCount('error'), close: socket.listenerCount('close') };
    ctx.res.writeHead(200, { 'content-type': 'text/plain' }).end('written by the middleware');
  });
  const server = createServer(app.callback());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const answer = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    assert.equal(await answer.body.text(), 'written by the middleware');
  } finally {
    server.close();
  }
  return seen!;
}
