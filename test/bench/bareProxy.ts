// The bench's baseline: the least a Node proxy can do with undici (keep-alive pool, streamed both ways).
// Given several upstreams it takes them in turn: the replicas bench's stand-in for a Kubernetes Service.
// Usage: node bareProxy.js UPSTREAM_URL... ; prints {"url": ...} once listening.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const upstreams = process.argv.length > 2 ? process.argv.slice(2) : ['http://127.0.0.1:9100'];
const pools = upstreams.map((url) => new Pool(url, { connections: 256 }));
let next = 0;
const server = createServer((req, res) => {
  const pool = pools[next++ % pools.length] as Pool;
  const { host: _host, connection: _connection, ...headers } = req.headers;
  pool.request({ method: req.method as 'POST', path: req.url ?? '/', headers, body: req }).then(
    (upstream) => {
      res.writeHead(upstream.statusCode, upstream.headers);
      upstream.body.pipe(res);
    },
    () => {
      res.statusCode = 502;
      res.end();
    },
  );
});
server.keepAliveTimeout = 65_000;
// A clean exit on SIGTERM, so that `--cpu-prof` (BENCH_CPU_PROF) gets to write its profile.
process.once('SIGTERM', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`));
