// The SDK the CLI and the extension share, against a real gateway process: typed calls, refusals as
// AIGatewayError with status, type and diagnostics, the seed's "API key required", and connect() to a saved context.
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AIGateway, AIGatewayError, ApiKeyRequiredError, backoffDelay, connect, writeUserConfig } from '../../runtime/src/sdk';
import { COMMENTED_CONFIG } from './fixtures';
import { ADMIN_KEY, startGatewayProcess, type GatewayProcess } from './gatewayProcess';

describe('SDK: AIGateway', function () {
  this.timeout(30_000);
  let gw: GatewayProcess;
  let client: AIGateway;

  before(async () => {
    gw = await startGatewayProcess(COMMENTED_CONFIG, { env: { JWT_SECRET: 'sdk-secret' } });
    client = new AIGateway({ url: gw.url, apiKey: ADMIN_KEY });
  });
  after(async () => gw?.stop());

  it('createRoute, updateSecurity, routes, metrics, setLogLevel, applyConfig: typed, and kept in the file', async () => {
    const created = await client.createRoute({ path: '/predict', target: 'mock://openai', method: 'POST' });
    assert.equal(created.route.name, 'predict');
    const secured = await client.updateSecurity('/predict', { authType: 'jwt', rateLimit: '100/min', jwt: { secretEnv: 'JWT_SECRET' } });
    assert.equal(secured.rule.auth, 'jwt');
    assert.equal(secured.rule.rateLimit?.requests?.source, '100/min');
    const routes = await client.routes();
    assert.deepEqual(routes.map((r) => [r.name, r.security.map((s) => s.auth)]), [['chat', ['none']], ['predict', ['jwt']]]);
    const metrics = await client.metrics({ type: 'latency', route: 'predict' });
    assert.deepEqual(metrics.routes.map((r) => r.route), ['predict']);
    assert.deepEqual(await client.setLogLevel('warn'), { level: 'warn', persisted: true });
    const yaml = await client.config();
    assert.equal(yaml, await gw.readFile());
    const applied = await client.applyConfig(yaml.replace('timeout: 30s', 'timeout: 40s'));
    assert.deepEqual(applied.changes, { added: [], changed: ['chat'], removed: [] });
    assert.equal((await client.health()).status, 'ok');
  });

  it('throws AIGatewayError with the status, type and diagnostics of a refusal', async () => {
    await assert.rejects(client.createRoute({ path: '/predict', target: 'mock://openai', method: 'POST' }), (err: unknown) => {
      assert.ok(err instanceof AIGatewayError);
      assert.equal(err.status, 409);
      assert.equal(err.type, 'already_exists');
      assert.ok(err.diagnostics.some((d) => d.code === 'route.duplicate'));
      assert.equal(err.file, gw.file);
      return true;
    });
    await assert.rejects(new AIGateway({ url: gw.url, apiKey: 'wrong' }).routes(), (err: unknown) => err instanceof AIGatewayError && err.status === 401);
  });

  it('refuses to call without a key: "API key required", before anything is sent', async () => {
    const saved = process.env.AI_GATEWAY_API_KEY;
    delete process.env.AI_GATEWAY_API_KEY;
    try {
      await assert.rejects(new AIGateway({ url: gw.url }).routes(), (err: unknown) => err instanceof ApiKeyRequiredError && /^API key required/.test(err.message));
    } finally {
      if (saved !== undefined) process.env.AI_GATEWAY_API_KEY = saved;
    }
  });

  it("connect({ cluster: 'aimlops' }) uses the saved context's gateway and key", async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'ai-gateway-sdk-'));
    const saved = { ...process.env };
    try {
      process.env.XDG_CONFIG_HOME = home;
      delete process.env.AI_GATEWAY_URL;
      delete process.env.AI_GATEWAY_API_KEY;
      await writeUserConfig({ currentContext: 'other', contexts: { aimlops: { gateway: gw.url, key: ADMIN_KEY }, other: { gateway: 'http://127.0.0.1:9' } } });
      const connected = await connect({ cluster: 'aimlops' });
      assert.equal(connected.url, gw.url);
      assert.equal((await connected.routes()).length, 2);
      await assert.rejects(connect({ cluster: 'missing' }), /No context named "missing" \(known: aimlops, other\)/);
    } finally {
      process.env = saved;
      await rm(home, { recursive: true, force: true });
    }
  });

  it('backs off exponentially with jitter, honouring Retry-After up to the cap', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1_000 };
    assert.equal(backoffDelay(0, options, null, () => 0), 50);
    assert.equal(backoffDelay(0, options, null, () => 1), 100);
    assert.equal(backoffDelay(3, options, null, () => 1), 800);
    assert.equal(backoffDelay(6, options, null, () => 1), 1_000);
    assert.equal(backoffDelay(0, options, '2', () => 1), 1_000);
    assert.equal(backoffDelay(0, options, '0.25', () => 1), 250);
  });
});
