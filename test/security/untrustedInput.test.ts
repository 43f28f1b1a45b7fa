// What clients send before they are authenticated is matched in bounded time: the attack run's body against a
// `match.model` glob, and hostile header values against a `match.headers` glob, over raw sockets to the real
// gateway. With the backtracking regular expression, the attack run's 150,000 dashes held the event loop for 7 to 30 s,
// and the million sent here for minutes (far past this test's timeout); now each answer comes at once, and the gateway
// keeps answering everyone else.
import * as assert from 'node:assert/strict';
import net from 'node:net';
import { configFrom, startGateway, startUpstream, type RunningGateway, type TestUpstream } from './support';

const KEY = 'sk-untrusted-input-test-0123456789';

/** One raw HTTP/1.1 exchange (Connection: close); resolves with the status line's code and the body. */
function rawExchange(url: string, head: string, body = ''): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () =>
      socket.write(`${head}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`),
    );
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0), text: reply }));
    socket.on('error', reject);
  });
}

describe('security: untrusted input before authentication', function () {
  let upstream: TestUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await startUpstream();
    gateway = await startGateway(
      configFrom(
        `
routes:
  - { name: preview, path: /v1/chat/completions, methods: [POST], match: { model: "gpt-4*-*-preview" }, target: "\${UPSTREAM}" }
  - { name: team, path: /v1/team, match: { headers: { x-team: "*a*a*a*a*a*b" } }, target: "\${UPSTREAM}" }
  - { name: ping, path: /ping, target: "\${UPSTREAM}" }
security:
  - { endpoint: /v1/chat/completions, auth: api-key, apiKeys: [{ name: ops, keyEnv: KEY }] }
  - { endpoint: /v1/team, auth: api-key, apiKeys: [{ name: ops, keyEnv: KEY }] }
  - { endpoint: /ping, auth: none }
`,
        { UPSTREAM: upstream.url, KEY },
      ),
    );
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it("answers the attack run's model at once, unauthenticated, and keeps serving others meanwhile", async () => {
    const hostile = JSON.stringify({ model: `gpt-4${'-'.repeat(1_000_000)}x`, messages: [] });
    const [refused, ping] = await Promise.all([
      rawExchange(gateway.url, 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json', hostile),
      rawExchange(gateway.url, 'GET /ping HTTP/1.1\r\nHost: x'),
    ]);
    assert.ok([401, 404].includes(refused.status), `answered ${refused.status}`);
    assert.equal(ping.status, 200);
    assert.ok(!upstream.seen.some((seen) => seen.url === '/v1/chat/completions'), 'never forwarded');
    // The same route still matches what it is meant to, once authenticated.
    const meant = await rawExchange(
      gateway.url,
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-api-key: ${KEY}`,
      JSON.stringify({ model: 'gpt-4o-2024-preview' }),
    );
    assert.equal(meant.status, 200);
  });

  it('answers hostile header values for a header glob at once', async () => {
    for (const value of ['a'.repeat(8_000), `${'a'.repeat(4_000)}b`, 'ab'.repeat(3_000)]) {
      const answer = await rawExchange(gateway.url, `GET /v1/team HTTP/1.1\r\nHost: x\r\nx-team: ${value}`);
      assert.ok([401, 404].includes(answer.status), `answered ${answer.status}`);
    }
    const meant = await rawExchange(gateway.url, `GET /v1/team HTTP/1.1\r\nHost: x\r\nx-team: aaaaab\r\nx-api-key: ${KEY}`);
    assert.equal(meant.status, 200);
  });
});
