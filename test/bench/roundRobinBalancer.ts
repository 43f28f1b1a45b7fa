// The replicas bench's stand-in for a Kubernetes Service: a few-line round-robin HTTP balancer over undici pools.
// Usage: node roundRobinBalancer.js URL... ; prints {"url": ...} once listening.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const pools = process.argv.slice(2).map((url) => new Pool(url, { connections: 128 }));
let next = 0;
const server = createServer((req, res) => {
  const pool = pools[next++ % pools.length]!;
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
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`));
