// An OTLP/HTTP trace receiver in a process of its own, as a collector would be: POST /v1/traces in protobuf or JSON,
// each received span printed to stdout as one JSON line (`{"span":...}`). `--status N` answers every export with N
// instead of 200; `--hang` never answers (a collector that accepts connections and stalls).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJson, decodeProtobuf } from './otlpDecode';

const args = process.argv.slice(2);
const statusAt = args.indexOf('--status');
const status = statusAt >= 0 ? Number(args[statusAt + 1]) : 200;
const hang = args.includes('--hang');

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const json = (req.headers['content-type'] ?? '').includes('json');
    process.stdout.write(`${JSON.stringify({ export: { path: req.url, contentType: req.headers['content-type'], headers: req.headers } })}\n`);
    if (hang) return;
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"message":"refused by the test receiver"}');
      return;
    }
    try {
      const spans = json ? decodeJson(body.toString('utf8')) : decodeProtobuf(body);
      for (const span of spans) process.stdout.write(`${JSON.stringify({ span })}\n`);
      // An empty ExportTraceServiceResponse: no partial success to report.
      if (json) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    } catch (err) {
      process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
      res.writeHead(400).end();
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
