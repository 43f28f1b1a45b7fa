// The request head over raw sockets: the whole header block (request line, names, values, separators) counts
// against maxHeaderSize, where Node's own cap counts only names and values; HTTP/0.9-style request lines,
// "HTTP/2.0" over an HTTP/1 connection and a second Host header are refused with 400 before any route sees them.
import { strict as assert } from 'node:assert';
import { rawExchange, statusOf } from '../support/rawHttp';
import { RecordingUpstream } from '../support/recordingUpstream';
import { configFrom, startGateway, type RunningGateway } from './support';

const HEADER_LIMIT = 2048;

describe('security: the request head', function () {
  this.timeout(20_000);
  let upstream: RecordingUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await new RecordingUpstream().start();
    gateway = await startGateway(
      configFrom(`
gateway: { limits: { maxHeaderSize: 2kb } }
routes:
  - { path: /*, target: ${upstream.url} }
security:
  - { endpoint: /*, auth: none }
`),
    );
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  function manyShortHeaders(count: number): string {
    return Array.from({ length: count }, (_, i) => `a${i % 10}:\r\n`).join('');
  }

  it('refuses a header block of many short headers over maxHeaderSize with 431 (their names and values alone fit)', async () => {
    const headers = manyShortHeaders(450); // 450 x 5 bytes on the wire; 900 bytes of names and values
    assert.ok(headers.length > HEADER_LIMIT);
    const before = upstream.received.length;
    const answer = await rawExchange(gateway.url, `GET /x HTTP/1.1\r\nHost: gateway.test\r\n${headers}Connection: close\r\n\r\n`);
    assert.equal(statusOf(answer), 431, answer);
    assert.match(answer, /gateway\.limits\.maxHeaderSize \(2048 bytes\)/);
    assert.equal(upstream.received.length, before);
  });

  it('passes a header block just within maxHeaderSize', async () => {
    const answer = await rawExchange(gateway.url, `GET /x HTTP/1.1\r\nHost: gateway.test\r\n${manyShortHeaders(300)}Connection: close\r\n\r\n`);
    assert.equal(statusOf(answer), 200, answer);
  });

  const malformed: [string, string][] = [
    ['an HTTP/0.9 request line', 'GET /x\r\n\r\n'],
    ['HTTP/0.9 named', 'GET /x HTTP/0.9\r\nHost: gateway.test\r\nConnection: close\r\n\r\n'],
    ['HTTP/2.0 over an HTTP/1 connection', 'GET /x HTTP/2.0\r\nHost: gateway.test\r\nConnection: close\r\n\r\n'],
    ['two Host headers', 'GET /x HTTP/1.1\r\nHost: gateway.test\r\nHost: other.test\r\nConnection: close\r\n\r\n'],
    ['two Host headers in HTTP/1.0', 'GET /x HTTP/1.0\r\nHost: gateway.test\r\nhost: other.test\r\n\r\n'],
  ];
  for (const [what, text] of malformed) {
    it(`refuses ${what} with 400, and the upstream never sees it`, async () => {
      const before = upstream.received.length;
      const answer = await rawExchange(gateway.url, text);
      assert.equal(statusOf(answer), 400, answer);
      assert.equal(upstream.received.length, before);
    });
  }

  it('still serves HTTP/1.0 and HTTP/1.1 with one Host', async () => {
    assert.equal(statusOf(await rawExchange(gateway.url, 'GET /x HTTP/1.0\r\n\r\n')), 200);
    assert.equal(statusOf(await rawExchange(gateway.url, 'GET /x HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n\r\n')), 200);
  });
});
