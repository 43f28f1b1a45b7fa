// Webhooks over real sockets: each `callback:` receives signed JSON events (config.applied, config.rejected,
// target.down, target.up, and auth.failed / ratelimit.exceeded aggregated per window), failed deliveries are
// retried with backoff under the same id, the queue is bounded, and none of it slows or fails a request.
import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import type { DeliveryReport } from '../../runtime/src/observability/webhooks/deliveryQueue';
import { WebhookDispatcher } from '../../runtime/src/observability/webhooks/dispatcher';
import { verifySignature } from '../../runtime/src/observability/webhooks/signature';
import type { Webhook } from '../../common/src/protocol';
import { CHAT, send, startTestGateway } from '../gateway/support';
import { closedPortUrl, sample, scrape, WebhookReceiver, type Delivery } from './support';

const HOOK_SECRET = 'whsec-test-secret-4f3e2d1c';
const TEAM_KEY = 'sk-team-hook-test-9a8b7c';

/** An upstream whose /health answer a test switches, to drive active health checks up and down. */
async function switchableBackend(): Promise<{ url: string; healthy: boolean; server: Server }> {
  const backend = {
    url: '',
    healthy: true,
    server: createServer((req, res) => res.writeHead(req.url === '/health' && !backend.healthy ? 503 : 200).end('{}')),
  };
  backend.server.listen(0, '127.0.0.1');
  await once(backend.server, 'listening');
  backend.url = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}`;
  return backend;
}

describe('observability: webhooks through the gateway', () => {
  let receiver: WebhookReceiver;
  let healthOnly: WebhookReceiver;
  let mock: MockServer;
  let backend: Awaited<ReturnType<typeof switchableBackend>>;
  let dir: string;
  let configPath: string;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  const reports: DeliveryReport[] = [];

  const yaml = (extraRoute = '') => `
gateway:
  webhookSecretEnv: HOOK_SECRET
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mock.url} }
  - { name: secure, path: /secure/*, stripPrefix: /secure, target: ${mock.url} }
  - { name: limited, path: /echo/limited, target: ${mock.url} }
  - name: switchable
    path: /echo/switchable
    target: ${backend.url}
    healthCheck: { path: /health, interval: 40ms, healthyThreshold: 1, unhealthyThreshold: 1 }
${extraRoute}
security:
  - endpoint: /secure/*
    auth: api-key
    apiKeys: [{ name: team-hook, keyEnv: TEAM_KEY }]
  - endpoint: /echo/limited
    auth: none
    rateLimit: 1/min
callback:
  - ${receiver.url}
  - { url: ${healthOnly.url}, events: [target.down, target.up] }
`;

  before(async () => {
    receiver = await new WebhookReceiver().start();
    healthOnly = await new WebhookReceiver().start();
    mock = await startMockServer({ options: { name: 'm1' } });
    backend = await switchableBackend();
    dir = mkdtempSync(path.join(tmpdir(), 'ai-gateway-hooks-'));
    configPath = path.join(dir, 'ai-gateway.yaml');
    writeFileSync(configPath, yaml());
    gateway = await startTestGateway(undefined, {
      configPath,
      watch: false,
      env: { HOOK_SECRET, TEAM_KEY },
      observability: {
        processMetrics: false,
        refusalWindowMs: 1_000,
        webhooks: { baseDelayMs: 20, maxDelayMs: 200, onReport: (report) => reports.push(report) },
      },
    });
  });
  after(async () => {
    await gateway.close();
    await receiver.close();
    await healthOnly.close();
    await mock.close();
    backend.server.closeAllConnections();
    backend.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs each event: HMAC-SHA256 of the raw body with the configured secret, plus event and delivery headers', async () => {
    const applied = await receiver.waitFor((d) => d.event.type === 'config.applied');
    const expected = `sha256=${createHmac('sha256', HOOK_SECRET).update(applied.raw).digest('hex')}`;
    assert.equal(applied.headers['x-gateway-signature'], expected);
    assert.ok(verifySignature(applied.raw, HOOK_SECRET, String(applied.headers['x-gateway-signature'])));
    assert.ok(!verifySignature(applied.raw, 'another-secret', String(applied.headers['x-gateway-signature'])));
    assert.equal(applied.headers['x-gateway-event'], 'config.applied');
    assert.equal(applied.headers['x-gateway-delivery'], applied.event.id);
    assert.equal(applied.headers['content-type'], 'application/json');
    const data = applied.event.data as Webhook.EventData['config.applied'];
    assert.equal(data.version, 1);
    assert.equal(data.routes, 4);
    assert.ok(!applied.raw.includes(HOOK_SECRET) && !applied.raw.includes(TEAM_KEY), 'no secret in the event');
  });

  it('sends only the subscribed event types to a callback with an events list', async () => {
    await receiver.waitFor((d) => d.event.type === 'config.applied');
    await gateway.observability.webhooks.idle();
    assert.equal(healthOnly.deliveries.filter((d) => d.event.type === 'config.applied').length, 0);
  });

  it('reports a refused config change with its diagnostics, then an applied one', async () => {
    writeFileSync(configPath, 'routes:\n  - path: /x\n    target: not a url\n');
    assert.equal(await gateway.reload(), false);
    const rejected = await receiver.waitFor((d) => d.event.type === 'config.rejected');
    const data = rejected.event.data as Webhook.EventData['config.rejected'];
    assert.equal(data.source, configPath);
    assert.ok(data.diagnostics.length > 0);
    assert.equal(data.diagnostics[0]!.line, 3, 'the diagnostic points at the bad target line');

    writeFileSync(configPath, yaml(`  - { name: extra, path: /extra, target: ${mock.url} }`));
    assert.equal(await gateway.reload(), true);
    const applied = await receiver.waitFor((d) => d.event.type === 'config.applied' && (d.event.data as { version: number }).version === 2);
    assert.equal((applied.event.data as Webhook.EventData['config.applied']).routes, 5);
  });

  it('reports target.down and target.up from health checks', async () => {
    backend.healthy = false;
    const down = await receiver.waitFor((d) => d.event.type === 'target.down');
    assert.deepEqual(
      { ...(down.event.data as Webhook.TargetChange), detail: undefined },
      { route: 'switchable', target: backend.url, source: 'health-check', detail: undefined },
    );
    backend.healthy = true;
    const up = await receiver.waitFor((d) => d.event.type === 'target.up');
    assert.equal((up.event.data as Webhook.TargetChange).target, backend.url);
    const subscribed = await healthOnly.waitFor((d) => d.event.type === 'target.up');
    assert.equal(subscribed.event.id, up.event.id, 'the same event goes to every interested callback');
  });

  it('aggregates auth failures into one event per window with counts by kind and route', async () => {
    const before = receiver.ofType('auth.failed').length;
    for (let i = 0; i < 3; i++) assert.equal((await send(`${gateway.url}/secure/v1/chat/completions`, { body: CHAT })).status, 401);
    for (let i = 0; i < 2; i++)
      assert.equal((await send(`${gateway.url}/secure/v1/chat/completions`, { body: CHAT, headers: { 'x-api-key': `wrong-${i}` } })).status, 401);
    const event = await receiver.waitFor((d) => d.event.type === 'auth.failed' && receiver.ofType('auth.failed').indexOf(d) >= before);
    const data = event.event.data as Webhook.EventData['auth.failed'];
    assert.equal(data.count, 5);
    assert.deepEqual(data.kinds, { missing: 3, invalid: 2 });
    assert.deepEqual(data.routes, { secure: 5 });
    assert.ok(Date.parse(data.windowEnd) - Date.parse(data.windowStart) >= 900);
    assert.equal(receiver.ofType('auth.failed').length, before + 1);
    assert.ok(!event.raw.includes('wrong-0'), 'the refused keys are not in the event');
  });

  it('aggregates rate-limit rejections the same way', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(`${gateway.url}/echo/limited`)).status);
    assert.deepEqual(statuses, [200, 429, 429]);
    const event = await receiver.waitFor((d) => d.event.type === 'ratelimit.exceeded');
    const data = event.event.data as Webhook.EventData['ratelimit.exceeded'];
    assert.equal(data.count, 2);
    assert.deepEqual(data.limits, { requests: 2 });
    assert.deepEqual(data.routes, { limited: 2 });
    assert.deepEqual(data.consumers, { '(anonymous)': 2 });
  });

  it('retries a failed delivery with backoff under the same id and signature until it is accepted', async () => {
    receiver.statuses = [503, 500];
    const from = receiver.deliveries.length;
    writeFileSync(configPath, yaml(`  - { name: extra2, path: /extra2, target: ${mock.url} }`));
    assert.equal(await gateway.reload(), true);
    const accepted = await new Promise<Delivery[]>((resolve) => {
      const check = (): void => {
        const attempts = receiver.deliveries.slice(from).filter((d) => d.event.type === 'config.applied');
        if (attempts.length < 3) return;
        receiver.off('delivery', check);
        resolve(attempts);
      };
      receiver.on('delivery', check);
      check();
    });
    assert.equal(new Set(accepted.map((d) => d.event.id)).size, 1, 'every retry carries the same event id');
    assert.ok(accepted.every((d) => verifySignature(d.raw, HOOK_SECRET, String(d.headers['x-gateway-signature']))));
    await gateway.observability.webhooks.idle();
    const outcomes = reports.filter((r) => r.event.id === accepted[0]!.event.id && r.url === receiver.url).map((r) => [r.outcome, r.status]);
    assert.deepEqual(outcomes, [
      ['retried', 503],
      ['retried', 500],
      ['delivered', 200],
    ]);
    const text = await scrape(gateway.url);
    assert.ok(sample(text, 'ai_gateway_webhook_deliveries_total', { outcome: 'retried' })! >= 2);
    assert.ok(sample(text, 'ai_gateway_webhook_deliveries_total', { outcome: 'delivered' })! >= 5);
  });

  it('never slows or fails requests while a receiver hangs', async () => {
    receiver.holding = true;
    try {
      for (let i = 0; i < 3; i++) assert.equal((await send(`${gateway.url}/secure/v1/chat/completions`, { body: CHAT })).status, 401);
      const served = await send(`${gateway.url}/v1/chat/completions`, { body: CHAT });
      assert.equal(served.status, 200);
    } finally {
      receiver.release();
    }
  });
});

describe('observability: webhook delivery queue', () => {
  let receiver: WebhookReceiver;
  before(async () => {
    receiver = await new WebhookReceiver().start();
  });
  after(async () => {
    await receiver.close();
  });

  const change = (n: number): Webhook.TargetChange => ({ route: 'r', target: `http://t${n}`, source: 'health-check', detail: `event ${n}` });

  it('is bounded: when full it drops the oldest queued events, delivers the rest in order, and says so', async () => {
    const reports: DeliveryReport[] = [];
    const dispatcher = new WebhookDispatcher({ queueLimit: 2, onReport: (report) => reports.push(report) });
    dispatcher.configure([{ url: receiver.url }], undefined);
    receiver.holding = true;
    const inFlight = once(receiver, 'held');
    dispatcher.publish('target.down', change(1));
    await inFlight;
    for (let n = 2; n <= 6; n++) dispatcher.publish('target.down', change(n));
    assert.deepEqual(
      reports.filter((r) => r.outcome === 'dropped').map((r) => (r.event.data as Webhook.TargetChange).detail),
      ['event 2', 'event 3', 'event 4'],
    );
    receiver.release();
    await dispatcher.idle();
    const details = receiver.deliveries.map((d) => (d.event.data as Webhook.TargetChange).detail);
    assert.deepEqual(details, ['event 1', 'event 5', 'event 6']);
    assert.equal(receiver.deliveries[0]!.headers['x-gateway-signature'], undefined, 'unsigned without a secret');
    dispatcher.close();
  });

  it('gives up on a 4xx answer and after the last attempt against a dead receiver', async () => {
    const reports: DeliveryReport[] = [];
    const dead = await closedPortUrl();
    const dispatcher = new WebhookDispatcher({ maxAttempts: 3, baseDelayMs: 5, onReport: (report) => reports.push(report) });
    receiver.statuses = [400];
    dispatcher.configure([{ url: receiver.url }, { url: `${dead}/hook` }], 's');
    dispatcher.publish('target.up', change(7));
    await dispatcher.idle();
    assert.deepEqual(
      reports.filter((r) => r.url === receiver.url).map((r) => [r.outcome, r.status]),
      [['failed', 400]],
    );
    assert.deepEqual(
      reports.filter((r) => r.url !== receiver.url).map((r) => [r.outcome, r.attempt]),
      [
        ['retried', 1],
        ['retried', 2],
        ['failed', 3],
      ],
    );
    dispatcher.close();
  });
});
