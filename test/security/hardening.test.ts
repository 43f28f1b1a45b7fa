// The gateway's edges over real sockets: TLS termination with a certificate made at test time, https upstreams
// verified (and trusted through `ca`), header and body size limits, header and body read timeouts against a
// slow client, and a bounded number of upstream connections.
import * as assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { createGatewayServer, updateGatewayServer } from '../../runtime/src/gateway/listener';
import { configFrom, startGateway, startUpstream, type RunningGateway, type TestUpstream } from './support';

async function certificateFiles(): Promise<{ cert: string; key: string; certPem: string; keyPem: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-tls-'));
  writeFileSync(path.join(dir, 'cert.pem'), pems.cert);
  writeFileSync(path.join(dir, 'key.pem'), pems.private);
  return { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), certPem: pems.cert, keyPem: pems.private };
}

function httpsGet(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ...(ca ? { ca } : {}), agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

/**
 * Writes `parts` on a raw connection, one every `everyMs`, and resolves with what came back once the server closed
 * it, and how many parts were still unsent then.
 */
async function trickle(url: string, parts: string[], everyMs: number): Promise<{ reply: string; unsent: number }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await once(socket, 'connect');
  let reply = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (reply += chunk));
  socket.on('error', () => undefined); // a reset after the server gave up is what we expect
  const timer = setInterval(() => {
    const part = parts.shift();
    if (part !== undefined && !socket.destroyed) socket.write(part);
  }, everyMs);
  await once(socket, 'close');
  clearInterval(timer);
  return { reply, unsent: parts.length };
}

function rawExchange(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(text)); // the request says Connection: close
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('close', () => resolve(reply));
    socket.on('error', reject);
  });
}

describe('security: hardening', function () {
  this.timeout(30_000);
  let upstream: TestUpstream;
  before(async () => {
    upstream = await startUpstream();
  });
  after(async () => upstream?.close());

  describe('TLS', () => {
    it('terminates TLS with gateway.tls and serves the routes over https', async () => {
      const tls = await certificateFiles();
      const gateway = await startGateway(
        configFrom(
          `
gateway: { tls: { cert: ${tls.cert}, key: ${tls.key} } }
routes:
  - { path: /public, target: "\${UPSTREAM}" }
`,
          { UPSTREAM: upstream.url },
        ),
      );
      try {
        assert.match(gateway.url, /^https:/);
        const answer = await httpsGet(`${gateway.url}/public`, tls.certPem);
        assert.equal(answer.status, 200);
        await assert.rejects(httpsGet(`${gateway.url}/public`), /self-signed|self signed/, 'an untrusted certificate is refused by the client');
      } finally {
        await gateway.close();
      }
    });

    it('closes a connection that never completes its TLS handshake once headersTimeout has passed', async () => {
      const tls = await certificateFiles();
      const gateway = await startGateway(
        configFrom(
          `
gateway: { tls: { cert: ${tls.cert}, key: ${tls.key} }, limits: { headersTimeout: 300ms } }
routes:
  - { path: /public, target: "\${UPSTREAM}" }
`,
          { UPSTREAM: upstream.url },
        ),
      );
      try {
        const { hostname, port } = new URL(gateway.url);
        const silent = net.connect(Number(port), hostname); // a TCP connection that never says ClientHello
        silent.on('error', () => undefined);
        await once(silent, 'connect');
        const started = performance.now();
        await once(silent, 'close');
        const heldMs = performance.now() - started;
        // Node's default is 120 s whatever headersTimeout says; a generous bound far below it, from the configured 300 ms.
        assert.ok(heldMs < 10_000, `held for ${Math.round(heldMs)} ms`);
      } finally {
        await gateway.close();
      }
    });

    it('applies a reloaded headersTimeout to TLS handshakes too', async () => {
      const tls = await certificateFiles();
      const limits = (headersTimeout: string) =>
        configFrom(`gateway: { tls: { cert: ${tls.cert}, key: ${tls.key} }, limits: { headersTimeout: ${headersTimeout} } }`).gateway;
      const server = createGatewayServer(limits('1h'), (_req, res) => res.end());
      updateGatewayServer(server, limits('300ms'));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const silent = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
        silent.on('error', () => undefined);
        await once(silent, 'connect');
        const started = performance.now();
        await once(silent, 'close');
        assert.ok(performance.now() - started < 10_000, 'closed long before the hour the first config said');
      } finally {
        server.close();
      }
    });

    it('verifies an https upstream: refused without `ca`, accepted with it', async () => {
      const tls = await certificateFiles();
      const secureUpstream = https.createServer({ cert: tls.certPem, key: tls.keyPem }, (_req, res) => res.end('{"secure":true}'));
      secureUpstream.listen(0, '127.0.0.1');
      await once(secureUpstream, 'listening');
      const target = `https://127.0.0.1:${(secureUpstream.address() as AddressInfo).port}`;
      const gateway = await startGateway(
        configFrom(`
routes:
  - { path: /unverified, target: ${target}, retries: 0 }
  - { path: /trusted, targets: [{ url: ${target}, ca: ${tls.cert} }], retries: 0 }
`),
      );
      try {
        const unverified = await fetch(`${gateway.url}/unverified`);
        assert.equal(unverified.status, 502);
        const body = await unverified.text();
        assert.ok(!body.includes('BEGIN'), 'no certificate material in the error');
        const trusted = await fetch(`${gateway.url}/trusted`);
        assert.equal(trusted.status, 200);
        assert.deepEqual(await trusted.json(), { secure: true });
      } finally {
        await gateway.close();
        secureUpstream.closeAllConnections();
        secureUpstream.close();
      }
    });
  });

  describe('request limits', () => {
    let gateway: RunningGateway;
    before(async () => {
      gateway = await startGateway(
        configFrom(
          `
gateway:
  limits: { maxBodySize: 1kb, maxHeaderSize: 2kb, headersTimeout: 300ms, bodyTimeout: 300ms }
routes:
  - { path: /public, target: "\${UPSTREAM}" }
`,
          { UPSTREAM: upstream.url },
        ),
      );
    });
    after(async () => gateway?.close());

    it('answers 413 for a Content-Length over maxBodySize, before reading the body, naming the key', async () => {
      const response = await fetch(`${gateway.url}/public`, { method: 'POST', body: 'x'.repeat(2048) });
      assert.equal(response.status, 413);
      const { error } = (await response.json()) as { error: { type: string; message: string } };
      assert.equal(error.type, 'request_too_large');
      assert.match(error.message, /gateway\.limits\.maxBodySize \(1024 bytes\)/);
    });

    it('answers 413 for a chunked body that grows over maxBodySize, and passes a small one whole', async () => {
      const chunked = (size: number) =>
        `POST /public HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${size.toString(16)}\r\n${'y'.repeat(size)}\r\n0\r\n\r\n`;
      assert.match(await rawExchange(gateway.url, chunked(2048)), /^HTTP\/1\.1 413/);
      const small = await rawExchange(gateway.url, chunked(500));
      assert.match(small, /^HTTP\/1\.1 200/);
      assert.match(small, /"bodyBytes":500/);
    });

    it('answers 431 for headers over maxHeaderSize', async () => {
      const reply = await rawExchange(gateway.url, `GET /public HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(4096)}\r\nConnection: close\r\n\r\n`);
      assert.match(reply, /^HTTP\/1\.1 431/);
    });

    it('cuts off a client that sends its headers slowly (slowloris)', async () => {
      const parts = ['GET /public HTTP/1.1\r\n', 'Host: x\r\n', ...Array.from({ length: 100 }, (_, i) => `X-Slow-${i}: y\r\n`)];
      const { reply, unsent } = await trickle(gateway.url, parts, 100);
      assert.match(reply, /^HTTP\/1\.1 408/);
      assert.ok(unsent > 0, 'cut while the client was still trickling');
    });

    it('cuts off a client that sends its body slowly', async () => {
      const parts = ['POST /public HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n', ...Array.from({ length: 100 }, () => 'z')];
      const { reply, unsent } = await trickle(gateway.url, parts, 100);
      assert.match(reply, /^HTTP\/1\.1 408/);
      assert.ok(unsent > 0, 'cut while the client was still trickling');
    });
  });

  it('never opens more upstream connections than maxUpstreamConnections', async () => {
    let open = 0;
    let maxOpen = 0;
    const held: http.ServerResponse[] = [];
    const arrived = new EventEmitter();
    const slow = http.createServer((_req, res) => {
      held.push(res);
      arrived.emit('request');
    });
    slow.on('connection', (socket: net.Socket) => {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      socket.on('close', () => (open -= 1));
    });
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    const gateway = await startGateway(
      configFrom(`
gateway: { limits: { maxUpstreamConnections: 2 } }
routes:
  - { path: /slow, target: http://127.0.0.1:${(slow.address() as AddressInfo).port}, retries: 0 }
`),
    );
    try {
      const total = 6;
      const responses = Array.from({ length: total }, () => fetch(`${gateway.url}/slow`).then((r) => r.status));
      for (let answered = 0; answered < total; answered++) {
        // Answer one held request each time two are waiting (or the last ones): the pool must queue the rest.
        while (held.length < Math.min(2, total - answered)) await once(arrived, 'request');
        held.shift()?.end('ok');
      }
      assert.deepEqual(await Promise.all(responses), Array(total).fill(200));
      assert.equal(maxOpen, 2);
    } finally {
      await gateway.close();
      slow.closeAllConnections();
      slow.close();
    }
  });
});
