// A real upstream on loopback that records what reached it: each request's method, path, headers and body size,
// and events as body bytes arrive, so a test can act at the moment the upstream is mid-upload.
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Body bytes received so far. */
  bytes: number;
  /** True once the body ended; false when the gateway cut the request off. */
  complete: boolean;
}

/** Answers each complete request with JSON `{ path, bodyBytes }`; emits 'request', 'body-data' and 'done'. */
export class RecordingUpstream extends EventEmitter {
  readonly received: Received[] = [];
  url = '';
  private readonly server: Server;

  constructor() {
    super();
    this.server = createServer((req, res) => {
      const record: Received = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, bytes: 0, complete: false };
      this.received.push(record);
      this.emit('request', record);
      req.on('data', (chunk: Buffer) => {
        record.bytes += chunk.length;
        this.emit('body-data', record);
      });
      req.on('end', () => {
        record.complete = true;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ path: record.url, bodyBytes: record.bytes }));
        this.emit('done', record);
      });
      req.on('error', () => this.emit('done', record));
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Resolves once a request received after the first `since` has delivered at least `bytes` body bytes. */
  async bodyBytes(bytes: number, since: number): Promise<Received> {
    const isIt = (record: Received): boolean => record.bytes >= bytes && this.received.indexOf(record) >= since;
    const seen = this.received.find(isIt);
    if (seen) return seen;
    for (;;) {
      const [record] = (await once(this, 'body-data')) as [Received];
      if (isIt(record)) return record;
    }
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
