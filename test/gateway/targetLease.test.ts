// A target's in-flight count (what least-connections balances on) has one writer: the lease the proxy takes per
// attempt. Over real sockets, whatever ends a request (an answer, a failure, a retry, a client that leaves, a cut
// stream), the count is 1 while the request holds the target and back to 0 once it is over, never below.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { request } from 'undici';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { CHAT, configFromYaml, send, startTestGateway } from './support';

describe('target in-flight count: one lease per attempt, released once', () => {
  let first: MockServer;
  let second: MockServer;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let sequence = 0;

  before(async () => {
    first = await startMockServer({ options: { name: 'first' } });
    second = await startMockServer({ options: { name: 'second' } });
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const dead = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    gateway = await startTestGateway(
      configFromYaml(`routes:
  - { name: one, path: /one/*, stripPrefix: /one, target: ${first.url} }
  - { name: dead, path: /dead/*, stripPrefix: /dead, target: ${dead} }
  - { name: failover, path: /failover/*, stripPrefix: /failover, targets: [${dead}, ${first.url}], retries: 1, retryOn: [connect-error] }
  - name: retry-status
    path: /retry-status/*
    stripPrefix: /retry-status
    targets: [${first.url}, ${second.url}]
    loadBalancing: least-connections
    retries: 1
    retryOn: [503]
    retryBackoff: { base: 1ms, max: 1ms }
`),
    );
  });
  after(async () => {
    await gateway.close();
    await first.close();
    await second.close();
  });

  /** The in-flight count of every target of a route, by target URL. */
  const inFlight = (route: string): number[] => gateway.runtime.snapshot.upstreams.get(route)!.targets.map((target) => target.active);

  /** Resolves once the gateway has finished with the request (its access log line is written after the proxy returns). */
  const done = (requestId: string): Promise<unknown> =>
    new Promise((resolve) => {
      const seen = gateway.logs.lines.find((line) => line.requestId === requestId);
      if (seen) return resolve(seen);
      const onLine = (line: Record<string, unknown>): void => {
        if (line.requestId !== requestId) return;
        gateway.logs.off('request', onLine);
        resolve(line);
      };
      gateway.logs.on('request', onLine);
    });
  const nextId = (): string => `lease-${++sequence}`;

  it('after an answer, and after a 5xx answer relayed as it is', async () => {
    for (const headers of [{}, { 'x-mock-status': '500' }] as Record<string, string>[]) {
      const id = nextId();
      const answer = await send(`${gateway.url}/one/v1/chat/completions`, { body: CHAT, headers: { ...headers, 'x-request-id': id } });
      assert.equal(answer.status, 'x-mock-status' in headers ? 500 : 200);
      await done(id);
      assert.deepEqual(inFlight('one'), [0]);
    }
  });

  it('after a failure (connection refused) and after a failover to the next target', async () => {
    const refused = nextId();
    assert.equal((await send(`${gateway.url}/dead/v1/chat/completions`, { body: CHAT, headers: { 'x-request-id': refused } })).status, 502);
    await done(refused);
    assert.deepEqual(inFlight('dead'), [0]);
    const failover = nextId();
    assert.equal((await send(`${gateway.url}/failover/v1/chat/completions`, { body: CHAT, headers: { 'x-request-id': failover } })).status, 200);
    await done(failover);
    assert.deepEqual(inFlight('failover'), [0, 0]);
  });

  it('after a retried status: the first attempt frees its target before the second one takes the other', async () => {
    const id = nextId();
    const counts: number[][] = [];
    const stop = gateway.runtime.events.on('upstream.retry', () => counts.push(inFlight('retry-status')));
    const answer = await send(`${gateway.url}/retry-status/v1/chat/completions`, { body: CHAT, headers: { 'x-mock-status': '503', 'x-request-id': id } });
    stop();
    assert.equal(answer.status, 503, 'both targets answered 503: the last answer is relayed');
    await done(id);
    assert.deepEqual(counts, [[0, 0]], 'the failed attempt released its lease before the retry');
    assert.deepEqual(inFlight('retry-status'), [0, 0]);
  });

  it('while a stream is relayed it counts 1; after the client leaves mid-stream, 0', async () => {
    const id = nextId();
    const controller = new AbortController();
    const response = await request(`${gateway.url}/one/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-chunk-delay': '200', 'x-request-id': id },
      body: JSON.stringify({ ...CHAT, stream: true }),
      signal: controller.signal,
    });
    assert.equal(response.statusCode, 200);
    response.body.on('error', () => undefined);
    await once(response.body, 'data');
    assert.deepEqual(inFlight('one'), [1], 'the stream holds its target');
    controller.abort();
    await done(id);
    assert.deepEqual(inFlight('one'), [0]);
  });

  it('after the client leaves before the answer arrives', async () => {
    const id = nextId();
    const controller = new AbortController();
    const pending = request(`${gateway.url}/one/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-latency': '2000', 'x-request-id': id },
      body: JSON.stringify(CHAT),
      signal: controller.signal,
    });
    await once(first.requests, 'request');
    assert.deepEqual(inFlight('one'), [1]);
    controller.abort();
    await assert.rejects(pending);
    await done(id);
    assert.deepEqual(inFlight('one'), [0]);
  });

  it('after the upstream cuts the stream', async () => {
    const id = nextId();
    const answer = await send(`${gateway.url}/one/v1/chat/completions`, {
      body: { ...CHAT, stream: true },
      headers: { 'x-mock-cut-after': '2', 'x-request-id': id },
    });
    assert.match(answer.text, /event: error/);
    await done(id);
    assert.deepEqual(inFlight('one'), [0]);
  });
});
