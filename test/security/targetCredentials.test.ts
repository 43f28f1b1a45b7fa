// Credentials in target URLs (`http://user:${PASS}@host/base?api_key=${KEY}`): the userinfo goes upstream as
// `Authorization: Basic` (health checks included) and the query before the client's, while everything the gateway
// shows of the target carries `http://***@host/base?api_key=***`: /metrics (unauthenticated), the access log,
// traces, client error bodies, the admin API's routes and metrics, webhooks, and the unreachable-target warning.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startGateway as startServer } from '../../runtime/src/gateway/startGateway';
import { closedPortUrl, WebhookReceiver } from '../observability/support';
import { RecordingUpstream } from '../support/recordingUpstream';
import { ADMIN_KEY, configFrom, request } from './support';

const PASS = 'target-pass-9c1d';
const KEY = 'target-query-key-4e2a';
const USER = 'svc-user';

function withoutSecrets(text: string, where: string): void {
  assert.ok(!text.includes(PASS), `${where} shows the password: ${text.slice(0, 400)}`);
  assert.ok(!text.includes(KEY), `${where} shows the query key: ${text.slice(0, 400)}`);
}

describe('security: credentials in target URLs', function () {
  this.timeout(20_000);
  let upstream: RecordingUpstream;
  let receiver: WebhookReceiver;
  let dead: string;
  let logged = '';
  let gateway: Awaited<ReturnType<typeof startServer>>;
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };

  before(async () => {
    upstream = await new RecordingUpstream().start();
    receiver = await new WebhookReceiver().start();
    dead = await closedPortUrl();
    const env = { PASS, KEY, AI_GATEWAY_API_KEY: ADMIN_KEY };
    const host = new URL(upstream.url).host;
    const deadHost = new URL(dead).host;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString('utf8');
        done();
      },
    });
    gateway = await startServer({
      config: configFrom(
        `
routes:
  - name: keyed
    path: /t/*
    stripPrefix: /t
    target: "http://${USER}:\${PASS}@${host}/base?api_key=\${KEY}"
    healthCheck: { path: /health, interval: 1m }
  - { name: gone, path: /gone, target: "http://${USER}:\${PASS}@${deadHost}/?api_key=\${KEY}", retries: 0, circuitBreaker: { consecutiveFailures: 1 } }
security:
  - { endpoint: /t/*, auth: none }
  - { endpoint: /gone, auth: none }
callback: ${receiver.url}
`,
        env,
      ),
      host: '127.0.0.1',
      port: 0,
      env,
      logger: pino({ level: 'trace' }, sink),
      closeGraceMs: 100,
    });
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
    await receiver?.close();
  });

  it('sends the userinfo as Basic auth and the query before the client’s, on requests and health checks', async () => {
    const answer = await request(`${gateway.url}/t/v1/x?q=1`, { headers: { authorization: 'Bearer client-token' } });
    assert.equal(answer.status, 200, answer.text);
    const seen = upstream.received.find((record) => record.url.startsWith('/base/v1/x'))!;
    assert.equal(seen.url, `/base/v1/x?api_key=${KEY}&q=1`);
    assert.equal(seen.headers.authorization, `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`, 'the target’s credentials win');
    const check = upstream.received.find((record) => record.url === '/health');
    assert.ok(check, 'the health check reached the target');
    assert.equal(check.headers.authorization, seen.headers.authorization);
  });

  it('/metrics, the access log and traces show the redacted URL only', async () => {
    const traced = await request(`${gateway.url}/t/y`, { headers: { 'x-gateway-trace': '1', 'x-gateway-admin-key': ADMIN_KEY } });
    assert.equal(traced.status, 200);
    withoutSecrets(traced.headers.get('x-gateway-trace') ?? '', 'the trace header');
    const stored = await request(`${gateway.url}/api/v1/traces/${traced.headers.get('x-request-id')}`, { headers: admin });
    assert.equal(stored.status, 200);
    withoutSecrets(stored.text, 'the stored trace');
    assert.ok(stored.text.includes(`http://***@${new URL(upstream.url).host}/base?api_key=***`), stored.text);
    const metrics = await request(`${gateway.url}/metrics`);
    withoutSecrets(metrics.text, '/metrics');
    assert.match(metrics.text, /target="http:\/\/\*\*\*@127\.0\.0\.1:\d+\/base\?api_key=\*\*\*"/);
    withoutSecrets(logged, 'the log');
  });

  it('an unreachable target: the 502 body, the log and the target.down webhook show the redacted URL', async () => {
    const answer = await request(`${gateway.url}/gone`);
    assert.equal(answer.status, 502);
    withoutSecrets(answer.text, 'the error body');
    assert.match(answer.text, /http:\/\/\*\*\*@127\.0\.0\.1:\d+\/\?api_key=\*\*\*/);
    const down = await receiver.waitFor((delivery) => delivery.event.type === 'target.down');
    withoutSecrets(down.raw, 'the webhook');
    withoutSecrets(logged, 'the log');
  });

  it('the admin API shows the redacted URL in routes and metrics', async () => {
    for (const path of ['/api/v1/routes', '/api/v1/routes/keyed', '/api/v1/metrics']) {
      const answer = await request(`${gateway.url}${path}`, { headers: admin });
      assert.equal(answer.status, 200, `${path}: ${answer.text}`);
      withoutSecrets(answer.text, path);
      assert.ok(answer.text.includes('***@'), `${path} names the target: ${answer.text}`);
    }
  });

  it('the unreachable-target warning at start shows the redacted URL', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    let startLog = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        startLog += chunk.toString('utf8');
        done();
      },
    });
    const env = { PASS, KEY };
    const mocked = await startServer({
      config: configFrom(
        `
gateway: { mockUnreachableTargets: true }
routes:
  - { name: far, path: /far, target: "http://${USER}:\${PASS}@127.0.0.1:${port}/?api_key=\${KEY}" }
`,
        env,
      ),
      host: '127.0.0.1',
      port: 0,
      env,
      logger: pino({ level: 'info' }, sink),
    });
    try {
      assert.match(startLog, /target not reachable from here/);
      withoutSecrets(startLog, 'the start log');
    } finally {
      await mocked.close();
    }
  });
});
