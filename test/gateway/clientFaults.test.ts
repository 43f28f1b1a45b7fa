// Only a fault of the upstream counts against a target. Over raw sockets and a real upstream: `Expect: 100-continue`
// gets its 100 only once the request is authenticated (a 401 comes first otherwise) and then the upstream's answer;
// curl's own Expect on a 1 MB upload works; and requests the client spoils (Expect, aborted uploads, chunked bodies
// over the limit, uploads slower than the route's budget) are answered for what they are and leave the breaker
// closed, the target healthy and its error count at zero, so the next good request reaches the upstream.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { RawConnection, statusOf } from '../support/rawHttp';
import { RecordingUpstream } from '../support/recordingUpstream';
import { sample, scrape } from '../observability/support';
import { configFromYaml, startTestGateway } from './support';

const KEY = 'client-faults-key-7c41';
const BREAKER_AFTER = 2;
/** curl 7.88 sends `Expect: 100-continue` on its own for uploads over 1 MiB. */
const UPLOAD_BYTES = 1.5 * 1024 * 1024;
/** More bad requests in a row than the breaker tolerates. */
const BAD_IN_A_ROW = BREAKER_AFTER + 2;

function post(route: string, headers: Record<string, string>, bodyLength: number | 'chunked'): string {
  const framing = bodyLength === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${bodyLength}`;
  const lines = [`POST ${route} HTTP/1.1`, 'Host: gateway.test', framing, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

describe('gateway: what the client does never counts against a target', function () {
  this.timeout(30_000);
  let upstream: RecordingUpstream;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    upstream = await new RecordingUpstream().start();
    const digest = createHash('sha256').update(KEY).digest('hex');
    const breaker = `{ consecutiveFailures: ${BREAKER_AFTER}, coolDown: 1m }`;
    gateway = await startTestGateway(
      configFromYaml(`
gateway:
  limits: { maxBodySize: 2mb }
routes:
  - { name: up, path: /up, methods: [POST], target: ${upstream.url}, retries: 0, circuitBreaker: ${breaker} }
  - { name: hasty, path: /hasty, methods: [POST], target: ${upstream.url}, timeout: 500ms, retries: 0, circuitBreaker: ${breaker} }
  - { name: timed, path: /timed, methods: [POST], target: ${upstream.url}, retries: 0, loadBalancing: least-latency }
  - { name: by-model, path: /by-model, methods: [POST], match: { model: "m-*" }, target: ${upstream.url}, circuitBreaker: ${breaker} }
security:
  - { endpoint: /up, auth: api-key, apiKeys: [{ name: tester, sha256: ${digest} }] }
  - { endpoint: /by-model, auth: api-key, apiKeys: [{ name: tester, sha256: ${digest} }] }
  - { endpoint: /hasty, auth: none }
  - { endpoint: /timed, auth: none }
`),
    );
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  /** The target of `route` takes traffic, and no upstream error was ever counted for it. */
  async function assertTargetUntouched(route: string): Promise<void> {
    const target = gateway.runtime.snapshot.upstreams.get(route)!.targets[0]!;
    assert.equal(target.breaker.current, 'closed', `the breaker of ${route} opened`);
    const metrics = await scrape(gateway.url);
    assert.equal(sample(metrics, 'ai_gateway_target_healthy', { route, target: upstream.url }), 1);
    const errors = metrics.split('\n').filter((line) => line.startsWith('ai_gateway_upstream_errors_total{') && line.includes(`route="${route}"`));
    assert.deepEqual(errors, [], 'no upstream error was counted');
  }

  async function goodRequestReachesUpstream(route: string, headers: Record<string, string>): Promise<void> {
    const before = upstream.received.length;
    const connection = new RawConnection(gateway.url);
    await connection.write(post(route, { ...headers, Connection: 'close' }, 5) + 'hello');
    const answer = await connection.untilClosed();
    assert.equal(statusOf(answer), 200, answer);
    assert.match(answer, /"bodyBytes":5/);
    assert.equal(upstream.received.length, before + 1);
  }

  describe('Expect: 100-continue', () => {
    it('answers 401 without a 100 first, and the upstream never hears of it', async () => {
      const before = upstream.received.length;
      const connection = new RawConnection(gateway.url);
      await connection.write(post('/up', { Expect: '100-continue' }, 5));
      const head = await connection.until(/^HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n/);
      assert.equal(head[1], '401', 'the first thing the client hears is the refusal');
      assert.match(head[0], /\r\nconnection: close\r\n/i, 'the unsent body cannot be told from a next request');
      await connection.untilClosed();
      assert.ok(!connection.text.includes('100 Continue'));
      assert.equal(upstream.received.length, before);
    });

    it('sends 100 Continue once the key is accepted, then the upstream answer to the body', async () => {
      const connection = new RawConnection(gateway.url);
      await connection.write(post('/up', { Expect: '100-continue', 'x-api-key': KEY, Connection: 'close' }, 5));
      await connection.until(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
      await connection.write('hello');
      const answer = await connection.untilClosed();
      const final = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      assert.equal(statusOf(final), 200, final);
      assert.match(final, /"bodyBytes":5/);
      assert.equal(upstream.received.at(-1)?.headers.expect, undefined, 'Expect is answered by the gateway, not forwarded');
    });

    it(`${BAD_IN_A_ROW} Expect requests in a row all reach the upstream; the breaker stays closed`, async () => {
      for (let i = 0; i < BAD_IN_A_ROW; i++) {
        const connection = new RawConnection(gateway.url);
        await connection.write(post('/up', { Expect: '100-Continue', 'x-api-key': KEY, Connection: 'close' }, 5));
        await connection.until(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
        await connection.write('hello');
        assert.match(await connection.untilClosed(), /\r\n\r\nHTTP\/1\.1 200 /);
      }
      await assertTargetUntouched('up');
    });

    it('a curl --data-binary upload over 1 MiB (curl then sends Expect itself) arrives whole', async () => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'gw-upload-')), 'upload.bin');
      writeFileSync(file, Buffer.alloc(UPLOAD_BYTES, 7));
      const { stdout, stderr } = await promisify(execFile)('curl', [
        '-sS',
        '-v',
        '--data-binary',
        `@${file}`,
        '-H',
        `x-api-key: ${KEY}`,
        '-w',
        '\n%{http_code}',
        `${gateway.url}/up`,
      ]);
      assert.match(stderr, /> Expect: 100-continue/i, 'curl asked to continue');
      assert.match(stderr, /< HTTP\/1\.1 100 Continue/);
      const [body, status] = stdout.split('\n');
      assert.equal(status, '200', stdout);
      assert.equal((JSON.parse(body!) as { bodyBytes: number }).bodyBytes, UPLOAD_BYTES);
    });
  });

  describe('requests the client spoils', () => {
    it(`${BAD_IN_A_ROW} uploads cut off by the client: not counted`, async () => {
      for (let i = 0; i < BAD_IN_A_ROW; i++) {
        const since = upstream.received.length;
        const connection = new RawConnection(gateway.url);
        await connection.write(post('/up', { 'x-api-key': KEY }, 100_000) + 'x'.repeat(10_000));
        await upstream.bodyBytes(10_000, since);
        connection.destroy();
      }
      await assertTargetUntouched('up');
      await goodRequestReachesUpstream('/up', { 'x-api-key': KEY });
    });

    it(`${BAD_IN_A_ROW} chunked uploads over maxBodySize: 413 each, not counted`, async () => {
      const chunk = Buffer.alloc(512 * 1024, 1);
      for (let i = 0; i < BAD_IN_A_ROW; i++) {
        const connection = new RawConnection(gateway.url);
        await connection.write(post('/up', { 'x-api-key': KEY }, 'chunked'));
        for (let sent = 0; sent < 3 * 1024 * 1024 && !connection.closed && !connection.text; sent += chunk.length) {
          await connection.write(`${chunk.length.toString(16)}\r\n`);
          await connection.write(chunk);
          await connection.write('\r\n');
        }
        const answer = await connection.until(/^HTTP\/1\.1 \d{3}[^]*?\r\n\r\n[^]*\}/);
        assert.equal(statusOf(answer[0]), 413, answer[0]);
        assert.match(answer[0], /gateway\.limits\.maxBodySize \(2097152 bytes\)/);
        connection.destroy();
      }
      await assertTargetUntouched('up');
      await goodRequestReachesUpstream('/up', { 'x-api-key': KEY });
    });

    it(`${BAD_IN_A_ROW} uploads slower than the route's budget: 408 each, not counted`, async () => {
      for (let i = 0; i < BAD_IN_A_ROW; i++) {
        const connection = new RawConnection(gateway.url);
        await connection.write(post('/hasty', {}, 5_000) + 'x'.repeat(1_000));
        // The rest never comes in time: the route's 500 ms budget runs out while the upstream waits on the client.
        const answer = await connection.until(/^HTTP\/1\.1 \d{3}[^]*?\r\n\r\n[^]*\}/);
        assert.equal(statusOf(answer[0]), 408, answer[0]);
        connection.destroy();
      }
      await assertTargetUntouched('hasty');
      await goodRequestReachesUpstream('/hasty', {});
    });

    it('a client that leaves while the gateway reads its body is logged as that, in one line, not as an error', async () => {
      const since = gateway.logs.lines.length;
      const connection = new RawConnection(gateway.url);
      await connection.write(post('/by-model', { 'x-api-key': KEY, 'content-type': 'application/json' }, 50_000) + '{"model":"m-1","input":"');
      await connection.write('y'.repeat(10_000));
      const access = gateway.logs.next('request', since);
      connection.destroy();
      const line = await access;
      assert.equal(line.status, 499);
      const logged = gateway.logs.lines.slice(since);
      assert.deepEqual(
        logged.filter((entry) => Number(entry.level) >= 50),
        [],
        'no error-level line',
      );
      assert.ok(!JSON.stringify(logged).includes('"stack"'), 'no stack trace');
      await assertTargetUntouched('by-model');
    });
  });

  it("an upstream that stops reading an upload is still the upstream's fault: 504, counted", async () => {
    const stalled = createServer(() => undefined); // takes the request and never reads its body nor answers
    stalled.listen(0, '127.0.0.1');
    await once(stalled, 'listening');
    const stalledUrl = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`;
    const other = await startTestGateway(
      configFromYaml(`
routes:
  - { name: stalled, path: /stalled, methods: [POST], target: ${stalledUrl}, timeout: 500ms, retries: 0 }
security:
  - { endpoint: /stalled, auth: none }
`),
    );
    try {
      const connection = new RawConnection(other.url);
      await connection.write(post('/stalled', {}, 8 * 1024 * 1024));
      const piece = Buffer.alloc(1024 * 1024, 1);
      // Upload until the gateway answers: the upstream's socket buffers fill and the gateway stops taking the body.
      for (let sent = 0; sent < 8 && !connection.text && !connection.closed; sent++) await connection.write(piece);
      const answer = await connection.until(/^HTTP\/1\.1 \d{3}[^]*?\r\n\r\n[^]*\}/);
      assert.equal(statusOf(answer[0]), 504, answer[0]);
      connection.destroy();
      const metrics = await scrape(other.url);
      assert.equal(sample(metrics, 'ai_gateway_upstream_errors_total', { route: 'stalled', target: stalledUrl, reason: 'timeout' }), 1);
    } finally {
      await other.close();
      stalled.closeAllConnections();
      stalled.close();
    }
  });

  it('a slow upload does not make the target look slow (least-latency measures from the last body byte)', async () => {
    const target = gateway.runtime.snapshot.upstreams.get('timed')!.targets[0]!;
    assert.equal(target.latencyMs, 0, 'no sample yet: the first one is taken as is');
    const since = upstream.received.length;
    const connection = new RawConnection(gateway.url);
    await connection.write(post('/timed', { Connection: 'close' }, 2_000) + 'x'.repeat(1_000));
    await upstream.bodyBytes(1_000, since);
    const pausedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 200)); // the client takes its time: the behaviour under test
    await connection.write('x'.repeat(1_000));
    const uploadGapMs = performance.now() - pausedAt;
    assert.equal(statusOf(await connection.untilClosed()), 200);
    assert.ok(target.latencyMs < uploadGapMs, `latency ${target.latencyMs.toFixed(1)} ms includes the client's ${uploadGapMs.toFixed(1)} ms pause`);
  });
});
