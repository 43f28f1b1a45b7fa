// The bench's OTLP collector: accepts every trace export (POST /v1/traces) and counts it, in the bench process, so
// the traced row pays for serializing and sending its spans as it would to a real collector.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SpanSink {
  url: string;
  exports: number;
  bytes: number;
  close(): Promise<void>;
}

export async function startSpanSink(): Promise<SpanSink> {
  const sink: SpanSink = { url: '', exports: 0, bytes: 0, close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (sink.bytes += chunk.length));
    req.on('end', () => {
      sink.exports += 1;
      // An empty ExportTraceServiceResponse: no bytes in protobuf, `{}` in JSON.
      if (req.headers['content-type']?.includes('json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sink.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return sink;
}
