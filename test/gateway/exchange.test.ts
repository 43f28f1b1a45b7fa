// The dispatch-based proxy path over real sockets: back-pressure from a paused client reaches the upstream (the
// gateway does not buffer a large download) and the bytes arrive intact; a client that leaves mid-stream or before
// the response headers closes the upstream request; a 503 with a large body is retried on the next target without
// its body reaching the client, and a 103 Early Hints before the final 200 is not relayed.
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, request as httpRequest, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { UpstreamRetryEvent } from '../../runtime/src/gateway/events';
import { configFromYaml, startTestGateway } from './support';

const MB = 1024 * 1024;
const DOWNLOAD_BYTES = 32 * MB;
/** Kernel socket buffers on the two connections hold ~8 MB here; a gateway buffering the download would go past this. */
const PAUSED_BOUND_BYTES = 16 * MB;
/** How long a blocked upstream must get no 'drain' before the pipeline counts as stalled. */
const STALL_QUIET_MS = 300;
/** "Within a short time" for the upstream request to close after the client left. */
const CLOSE_WITHIN_MS = 3_000;
const SLICE_BYTES = 64 * 1024;
/** The flaky upstream's work between its 103 and its 200, so that the gateway reads them apart. */
const EARLY_HINTS_WORK_MS = 50;

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Settles as `promise`, or rejects saying `what` did not happen within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A GET through the gateway with node:http (no pooling), its informational (1xx) answers collected. */
function get(url: string, requestId: string): { request: ClientRequest; response: Promise<IncomingMessage>; informational: number[] } {
  const informational: number[] = [];
  const request = httpRequest(url, { agent: false, headers: { 'x-request-id': requestId } });
  request.on('information', (info: { statusCode: number }) => informational.push(info.statusCode));
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  request.end();
  return { request, response, informational };
}

async function readAll(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Serves `payload` in 64 KiB writes, honouring back-pressure. Per response: 'blocked' when a write is refused,
 * 'drain' when it may go on, 'finish' when all was written, 'close' when the request is over (or torn down).
 */
class PayloadUpstream extends EventEmitter {
  readonly server: Server;
  written = 0;
  url = '';
  constructor(readonly payload: Buffer) {
    super();
    this.server = createServer((req, res) => {
      req.resume();
      this.written = 0;
      res.on('close', () => this.emit('close'));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(payload.length) });
      this.pump(res);
    });
  }
  private pump(res: ServerResponse): void {
    while (this.written < this.payload.length) {
      const slice = this.payload.subarray(this.written, this.written + SLICE_BYTES);
      this.written += slice.length;
      if (!res.write(slice)) {
        this.emit('blocked');
        res.once('drain', () => {
          this.emit('drain');
          this.pump(res);
        });
        return;
      }
    }
    res.end(() => this.emit('finish'));
  }
}

/**
 * Resolves with the bytes the upstream had written once it has been blocked for STALL_QUIET_MS with no 'drain';
 * rejects as soon as it is past `boundBytes` or has written everything, which a paused client must prevent.
 */
function untilStalled(upstream: PayloadUpstream, boundBytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let quiet: NodeJS.Timeout | undefined;
    const stop = (): void => {
      clearTimeout(quiet);
      upstream.off('blocked', onBlocked);
      upstream.off('drain', onDrain);
      upstream.off('finish', onFinish);
    };
    const overBound = (): boolean => {
      if (upstream.written <= boundBytes) return false;
      stop();
      reject(new Error(`the upstream wrote ${upstream.written} bytes while the client was paused (bound ${boundBytes})`));
      return true;
    };
    const onBlocked = (): void => {
      if (overBound()) return;
      quiet = setTimeout(() => {
        stop();
        resolve(upstream.written);
      }, STALL_QUIET_MS);
    };
    const onDrain = (): void => {
      clearTimeout(quiet);
      overBound();
    };
    const onFinish = (): void => {
      stop();
      reject(new Error(`the upstream wrote all ${upstream.written} bytes while the client was paused`));
    };
    upstream.on('blocked', onBlocked);
    upstream.on('drain', onDrain);
    upstream.on('finish', onFinish);
  });
}

describe('upstream exchange (dispatch handler) over real sockets', () => {
  let big: PayloadUpstream;
  let held: Server;
  const heldEvents = new EventEmitter(); // 'request' (res) as each request reaches the held upstream
  let flaky: [Server, Server];
  const flakyServed: { index: number; status: number; socket: Socket }[] = [];
  const finalBody = randomBytes(MB);
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let retries: UpstreamRetryEvent[];
  let requestCount = 0;

  /** The access log line of a request, once the gateway has written it. */
  async function accessLine(requestId: string): Promise<Record<string, unknown>> {
    const logged = (): Record<string, unknown> | undefined => gateway.logs.lines.find((line) => line.msg === 'request' && line.requestId === requestId);
    const wait = new Promise<Record<string, unknown>>((resolve) => {
      const onLine = (): void => {
        const line = logged();
        if (!line) return;
        gateway.logs.off('request', onLine);
        resolve(line);
      };
      gateway.logs.on('request', onLine);
      onLine();
    });
    return within(wait, CLOSE_WITHIN_MS, `the access log line of ${requestId}`);
  }

  /** How the access log says the upstream part ended: 'complete', 'client-gone', ... */
  async function upstreamOutcome(requestId: string): Promise<unknown> {
    const upstream = (await accessLine(requestId)).upstream as { outcome?: unknown } | undefined;
    return upstream?.outcome;
  }

  function nextRequestId(): string {
    requestCount += 1;
    return `exchange-test-${requestCount}`;
  }

  before(async () => {
    big = new PayloadUpstream(randomBytes(DOWNLOAD_BYTES));
    const bigUrl = await listen(big.server);
    // Sends response headers and one SSE event on /sse, nothing at all on /silent; never ends either.
    held = createServer((req, res) => {
      req.resume();
      heldEvents.emit('request', res);
      if (req.url === '/sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"n":1}\n\n');
      }
    });
    const heldUrl = await listen(held);
    // The first request to reach either server gets a 503 with a 300 KB body; the others a 103, then the 200.
    const flakyServer = (index: number): Server =>
      createServer((req, res) => {
        req.resume();
        if (flakyServed.length === 0) {
          flakyServed.push({ index, status: 503, socket: req.socket });
          res.writeHead(503, { 'content-type': 'text/plain' });
          res.end(randomBytes(300 * 1024));
          return;
        }
        flakyServed.push({ index, status: 200, socket: req.socket });
        // As a real server does: the hints go out at once, the answer after some work (a separate read upstream).
        res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' }, () => {
          setTimeout(() => {
            res.writeHead(200, { 'content-type': 'application/octet-stream' });
            res.end(finalBody);
          }, EARLY_HINTS_WORK_MS);
        });
      });
    flaky = [flakyServer(0), flakyServer(1)];
    const flakyUrls = await Promise.all(flaky.map(listen));
    gateway = await startTestGateway(
      configFromYaml(`
routes:
  - { name: big, path: /big, target: ${bigUrl}, retries: 0 }
  - { name: held, path: /held/*, target: ${heldUrl}, stripPrefix: /held, retries: 0 }
  - name: flaky
    path: /flaky
    targets: [${flakyUrls.join(', ')}]
    retries: 1
    retryOn: [503]
`),
    );
    gateway.runtime.events.on('upstream.retry', (event) => retries.push(event));
  });
  beforeEach(() => {
    retries = [];
  });
  after(async () => {
    // Upstreams first: a request a failed test left open upstream would otherwise hold the gateway's close.
    for (const server of [big.server, held, ...flaky]) {
      server.closeAllConnections();
      server.close();
    }
    await gateway.close();
  });

  it('pauses the upstream while the client is paused, then delivers all 32 MB intact', async () => {
    const requestId = nextRequestId();
    const stalled = untilStalled(big, PAUSED_BOUND_BYTES);
    stalled.catch(() => undefined); // it may fail before the headers arrive; awaited below
    const { response } = get(`${gateway.url}/big`, requestId);
    const answer = await response; // not read: the client is paused from here on
    const writtenWhilePaused = await within(stalled, 20_000, 'the upstream stalling while the client is paused');
    assert.ok(writtenWhilePaused < PAUSED_BOUND_BYTES);
    assert.ok(writtenWhilePaused < DOWNLOAD_BYTES);

    const received = await readAll(answer);
    assert.equal(received.length, DOWNLOAD_BYTES);
    assert.equal(sha256(received), sha256(big.payload), 'the bytes arrive unchanged and in order');
    const line = await accessLine(requestId);
    assert.equal(line.status, 200);
    assert.equal(await upstreamOutcome(requestId), 'complete');
  });

  it('closes the upstream request when a paused client leaves mid-download', async () => {
    const requestId = nextRequestId();
    const stalled = untilStalled(big, PAUSED_BOUND_BYTES);
    stalled.catch(() => undefined); // it may fail before the headers arrive; awaited below
    const { response } = get(`${gateway.url}/big`, requestId);
    const answer = await response;
    await within(stalled, 20_000, 'the upstream stalling while the client is paused');
    const upstreamClosed = once(big, 'close');
    answer.destroy();
    await within(upstreamClosed, CLOSE_WITHIN_MS, 'the upstream request closing after the client left');
    assert.ok(big.written < DOWNLOAD_BYTES, 'the upstream was stopped, not drained to the end');
    assert.equal(await upstreamOutcome(requestId), 'client-gone');
  });

  it('closes the upstream request when the client leaves in the middle of an SSE stream', async () => {
    const requestId = nextRequestId();
    const upstreamRequest = once(heldEvents, 'request') as Promise<[ServerResponse]>;
    const { response } = get(`${gateway.url}/held/sse`, requestId);
    const answer = await response;
    const [upstreamRes] = await upstreamRequest;
    const upstreamClosed = once(upstreamRes, 'close');
    const [first] = (await once(answer, 'data')) as [Buffer];
    assert.equal(first.toString('utf8'), 'data: {"n":1}\n\n');
    answer.destroy();
    await within(upstreamClosed, CLOSE_WITHIN_MS, 'the upstream SSE request closing after the client left');
    assert.equal(await upstreamOutcome(requestId), 'client-gone');
  });

  it('closes the upstream request when the client leaves before the response headers', async () => {
    const requestId = nextRequestId();
    const upstreamRequest = once(heldEvents, 'request') as Promise<[ServerResponse]>;
    const { request, response } = get(`${gateway.url}/held/silent`, requestId);
    response.catch(() => undefined); // destroying the request rejects it: that is the point
    const [upstreamRes] = await within(upstreamRequest, CLOSE_WITHIN_MS, 'the request reaching the upstream');
    const upstreamClosed = once(upstreamRes, 'close');
    request.destroy();
    await within(upstreamClosed, CLOSE_WITHIN_MS, 'the upstream request closing after the client left before headers');
    assert.equal(await upstreamOutcome(requestId), 'client-gone');
  });

  it('retries a 503 with a 300 KB body on the next target, skips its 103, and relays the 200 intact', async () => {
    const requestId = nextRequestId();
    const { response, informational } = get(`${gateway.url}/flaky`, requestId);
    const answer = await response;
    const body = await readAll(answer);
    assert.equal(answer.statusCode, 200);
    assert.equal(sha256(body), sha256(finalBody), 'the client gets the 200 body only, none of the 503 body');
    assert.deepEqual(informational, [], 'the 103 Early Hints is not relayed');
    assert.equal(answer.headers.link, undefined, "the 103's headers do not leak into the final answer");

    const [failed, served] = flakyServed;
    assert.deepEqual([failed?.status, served?.status, flakyServed.length], [503, 200, 2]);
    assert.notEqual(failed?.index, served?.index, 'the retry went to the other target');
    assert.deepEqual(
      retries.map((retry) => [retry.reason, retry.status, retry.failover]),
      [['status', 503, true]],
    );
    // 300 KB is past the gateway's 128 KiB dump limit: it closes that connection rather than read on or hold it.
    const socket = failed?.socket;
    if (socket && !socket.destroyed) await within(once(socket, 'close'), CLOSE_WITHIN_MS, "the gateway closing the 503's connection");
    const line = await accessLine(requestId);
    assert.deepEqual([line.status, (line.upstream as { attempts?: number }).attempts], [200, 2]);
  });
});
