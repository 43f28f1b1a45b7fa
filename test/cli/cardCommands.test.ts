// The product card's CLI lines, run exactly as the card prints them (through a shell, `$AI_GATEWAY_API_KEY` expanded), against
// a real gateway process: init, apply, add-route, secure, metrics, config, routes, each leaving its mark in the
// gateway and in its config file.
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../common/src/config';
import type { Admin } from '../../common/src/protocol';
import type { UserConfig } from '../../sdk/src';
import { COMMENTED_CONFIG } from '../admin/fixtures';
import { ADMIN_KEY, adminCall, startGatewayProcess, type GatewayProcess } from '../admin/gatewayProcess';
import { runCardLine, type CliEnv } from './support';

const LEGACY_ROUTE = '  - name: legacy\n    path: /legacy\n    target: mock://openai\n';

describe("ai-gateway-cli: the product card's command lines", function () {
  this.timeout(60_000);
  let gw: GatewayProcess;
  let home: string;
  let work: string;
  let env: CliEnv;

  before(async () => {
    gw = await startGatewayProcess(COMMENTED_CONFIG.replace('\nsecurity:\n', `${LEGACY_ROUTE}\nsecurity:\n`), {
      env: { JWT_SECRET: 'cli-jwt-secret-long-enough-for-hs256-0123', TEAM_A_KEY: 'team-a-key' },
    });
    home = await mkdtemp(path.join(tmpdir(), 'ai-gateway-cli-home-'));
    work = await mkdtemp(path.join(tmpdir(), 'ai-gateway-cli-work-'));
    env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), AI_GATEWAY_URL: gw.url, AI_GATEWAY_API_KEY: ADMIN_KEY };
  });
  after(async () => {
    await gw?.stop();
    await rm(home, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  const userConfig = async () => JSON.parse(await readFile(path.join(home, '.config', 'ai-gateway', 'config.json'), 'utf8')) as UserConfig;

  it('init --config path/to/config.yaml: writes a commented starter config that validates, and remembers it', async () => {
    const run = await runCardLine('ai-gateway-cli init --config path/to/config.yaml', env, work);
    assert.equal(run.code, 0, run.stderr);
    const file = path.join(work, 'path/to/config.yaml');
    const text = await readFile(file, 'utf8');
    assert.match(text, /^# AI Gateway config/);
    assert.equal(loadConfig(text).diagnostics.filter((d) => d.severity === 'error').length, 0);
    assert.equal((await userConfig()).contexts.default?.config, file);
    const again = await runCardLine('ai-gateway-cli init --config path/to/config.yaml', env, work);
    assert.equal(again.code, 0);
    assert.equal(await readFile(file, 'utf8'), text, 'an existing file is never overwritten');
  });

  it('apply: validates locally, pushes the remembered config, prints routes added, changed and removed', async () => {
    const run = await runCardLine('ai-gateway-cli apply', env, work);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Routes added: none\nRoutes changed: none\nRoutes removed: legacy\n/);
    assert.equal(await gw.readFile(), await readFile(path.join(work, 'path/to/config.yaml'), 'utf8'));

    const local = path.join(work, 'path/to/config.yaml');
    const edited = (await readFile(local, 'utf8')).replace(
      '    timeout: 30s\n',
      '    timeout: 45s\n  - name: embeddings\n    path: /v1/embeddings\n    target: mock://openai\n',
    );
    await writeFile(local, edited);
    const second = await runCardLine('ai-gateway-cli apply', env, work);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Routes added: embeddings\nRoutes changed: chat\nRoutes removed: none\n/);
  });

  it('init --cluster aimlops --key $AI_GATEWAY_API_KEY: a named context in a 0600 file, used without the environment', async () => {
    const run = await runCardLine('ai-gateway-cli init --cluster aimlops --key $AI_GATEWAY_API_KEY', env, work);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!run.stdout.includes(ADMIN_KEY), 'the key is not printed');
    const file = path.join(home, '.config', 'ai-gateway', 'config.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const saved = await userConfig();
    assert.equal(saved.currentContext, 'aimlops');
    // The new context keeps the config file `init --config` remembered, so `apply` still knows what to push.
    assert.deepEqual(saved.contexts.aimlops, { gateway: gw.url, key: ADMIN_KEY, config: path.join(work, 'path/to/config.yaml') });
    const routes = await runCardLine('ai-gateway-cli routes', { HOME: home, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME }, work);
    assert.equal(routes.code, 0, routes.stderr);
    assert.match(routes.stdout, /^NAME +METHODS +PATH +TARGETS +AUTH +RATE LIMIT\nchat +POST +\/v1\/chat\/completions +mock:\/\/openai +none +60\/min\n/);
  });

  it('add-route --path /predict --target http://ai-service:8080 --method POST', async () => {
    const before = await gw.readFile();
    const run = await runCardLine('ai-gateway-cli add-route --path /predict --target http://ai-service:8080 --method POST', env, work);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'Route "predict" added: POST /predict -> http://ai-service:8080\n');
    const after = await gw.readFile();
    // Right after the last route, above the comment that follows it.
    assert.equal(after, before.replace('  # More routes', '  - path: /predict\n    target: http://ai-service:8080\n    methods: [POST]\n  # More routes'));
  });

  it('export AI_GATEWAY_API_KEY=...; add-route --path /chat --target http://llm-service:5000 (and /ml-predict)', async () => {
    const lines = [
      `export AI_GATEWAY_API_KEY=${ADMIN_KEY}\nai-gateway-cli add-route --path /chat --target http://llm-service:5000`,
      `export AI_GATEWAY_API_KEY=${ADMIN_KEY}; ai-gateway-cli add-route --path /ml-predict --target http://model-service:8000`,
    ];
    for (const line of lines) {
      const run = await runCardLine(line, { ...env, AI_GATEWAY_API_KEY: undefined }, work);
      assert.equal(run.code, 0, run.stderr);
    }
    const routes = await adminCall<Admin.RouteList>(gw.url, 'GET', '/api/v1/routes');
    assert.deepEqual(routes.json.routes.map((r) => r.path).slice(-2), ['/chat', '/ml-predict']);
  });

  it('secure --endpoint /predict --auth jwt --rate-limit 100/min (once the JWT key is named)', async () => {
    const key = await runCardLine('ai-gateway-cli secure --endpoint /predict --jwt-secret-env JWT_SECRET', env, work);
    assert.equal(key.code, 0, key.stderr);
    const run = await runCardLine('ai-gateway-cli secure --endpoint /predict --auth jwt --rate-limit 100/min', env, work);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'Security for /predict updated: auth jwt, rate limit 100/min\n');
    const rule = (parse(await gw.readFile()) as { security: Record<string, unknown>[] }).security.find((s) => s.endpoint === '/predict');
    assert.deepEqual(rule, { endpoint: '/predict', jwt: { secretEnv: 'JWT_SECRET' }, auth: 'jwt', rateLimit: '100/min' });
    const anonymous = await fetch(`${gw.url}/predict`, { method: 'POST', body: '{}' });
    assert.equal(anonymous.status, 401);
    await anonymous.arrayBuffer();
  });

  it('secure --endpoint /chat --auth api-key --rate-limit 50/min (once a key is named), then metrics --endpoint /chat', async () => {
    const key = await runCardLine('ai-gateway-cli secure --endpoint /chat --api-key team-a=TEAM_A_KEY', env, work);
    assert.equal(key.code, 0, key.stderr);
    const run = await runCardLine('ai-gateway-cli secure --endpoint /chat --auth api-key --rate-limit 50/min', env, work);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Security for \/chat updated: auth api-key, rate limit 50\/min\n$/);
    const metrics = await runCardLine('ai-gateway-cli metrics --endpoint /chat', env, work);
    assert.equal(metrics.code, 0, metrics.stderr);
    assert.match(metrics.stdout, /^ROUTE +REQUESTS +RATE\/S +P50 MS +P95 MS +P99 MS +ERRORS +ERROR % +TOKENS +DOWN TARGETS\nchat-2 +0 +0\.00 /);
    assert.match(metrics.stdout, /\(last \d+ s\)\n$/);
  });

  it('metrics --format json: the per-route summary after real traffic', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
    const run = await runCardLine('ai-gateway-cli metrics --format json', env, work);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as Admin.MetricsSummary;
    const chat = summary.routes.find((r) => r.route === 'chat');
    assert.ok(chat && chat.count >= 2 && chat.p95 > 0, run.stdout);
  });

  it('config --log-level debug: the running gateway logs at debug, and gateway.logLevel says so in the file', async () => {
    const run = await runCardLine('ai-gateway-cli config --log-level debug', env, work);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Log level is now debug/);
    assert.match(await gw.readFile(), /\n {2}logLevel: debug # trace \| debug/);
    const shown = await runCardLine('ai-gateway-cli config', env, work);
    assert.equal(shown.stdout, await gw.readFile());
  });
});
