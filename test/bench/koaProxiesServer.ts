// The road not taken, measured: Koa + koa-proxies (http-proxy underneath) in front of the same upstream.
// Usage: node koaProxiesServer.js UPSTREAM_URL ; prints {"url": ...} once listening.
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import proxy from 'koa-proxies';

const app = new Koa();
// With http-proxy's default agent (no keep-alive) every request opens a connection, which exhausts ephemeral
// ports under load; a keep-alive agent is the fair comparison.
app.use(proxy('/', { target: process.argv[2] ?? 'http://127.0.0.1:9100', agent: new Agent({ keepAlive: true, maxSockets: 256 }) }));
const server = app.listen(0, '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`),
);
server.keepAliveTimeout = 65_000;
