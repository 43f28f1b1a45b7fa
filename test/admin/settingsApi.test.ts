// Security rules, the whole config, the log level and the metrics summary over a real gateway process: what the
// API accepts changes the running gateway and the file (comments kept); what it refuses changes neither.
import { strict as assert } from 'node:assert';
import { contentHash } from '../../runtime/src/configStore/configStore';
import type { Admin } from '../../common/src/protocol';
import { chatRequest, COMMENTED_CONFIG } from './fixtures';
import { ADMIN_KEY, adminCall, startGatewayProcess, type GatewayProcess } from './gatewayProcess';

const TEAM_KEY = 'team-a-secret-value-41b2';
const JWT_SECRET = 'jwt-secret-value-77c0-long-enough-for-hs256';

const PREDICT_ROUTE = `  - name: predict
    path: /predict
    methods: [POST]
    target: mock://openai
`;
const CONFIG = COMMENTED_CONFIG.replace('\nsecurity:\n', `${PREDICT_ROUTE}\nsecurity:\n`);

describe('admin API: security, config, log level, metrics', function () {
  let gw: GatewayProcess;

  before(async () => {
    gw = await startGatewayProcess(CONFIG, { env: { TEAM_A_KEY: TEAM_KEY, JWT_SECRET } });
  });
  after(async () => gw?.stop());

  it('PUT /security/{endpoint} URL-encoded: changes the rule live and in the file, keeping its comments; secrets never shown', async () => {
    const changed = await adminCall<Admin.SecurityResult>(gw.url, 'PUT', `/api/v1/security/${encodeURIComponent('/v1/chat/completions')}`, {
      body: { authType: 'api-key', rateLimit: 100, apiKeys: [{ name: 'team-a', keyEnv: 'TEAM_A_KEY' }] },
    });
    assert.equal(changed.status, 200);
    assert.equal(changed.json.created, false);
    assert.equal(changed.json.rule.auth, 'api-key');
    assert.deepEqual(changed.json.rule.apiKeys, [{ name: 'team-a', keyEnv: 'TEAM_A_KEY' }]);
    const expected = CONFIG.replace(
      '    auth: none   # public while testing\n    rateLimit: 1000/min\n',
      '    auth: api-key   # public while testing\n    rateLimit: 100\n    apiKeys:\n      - {name: team-a, keyEnv: TEAM_A_KEY}\n',
    );
    assert.equal(await gw.readFile(), expected);

    const anonymous = await fetch(`${gw.url}/v1/chat/completions`, chatRequest());
    assert.equal(anonymous.status, 401, 'the rule applies at once');
    await anonymous.arrayBuffer();
    const withKey = await fetch(`${gw.url}/v1/chat/completions`, {
      ...chatRequest(),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEAM_KEY}` },
    });
    assert.equal(withKey.status, 200);
    await withKey.arrayBuffer();

    const listed = await adminCall<Admin.SecurityList>(gw.url, 'GET', '/api/v1/security');
    assert.equal(listed.status, 200);
    assert.ok(!listed.text.includes(TEAM_KEY) && !listed.text.includes(contentHash(TEAM_KEY)), 'neither the key nor its digest is shown');
  });

  it('PUT /security/predict (bare name) creates a rule (201), then takes the product card body { authType, rateLimit } (200)', async () => {
    const created = await adminCall<Admin.SecurityResult>(gw.url, 'PUT', '/api/v1/security/predict', {
      body: { authType: 'jwt', jwt: { secretEnv: 'JWT_SECRET' } },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.created, true);
    assert.equal(created.json.rule.endpoint, '/predict');
    const cardBody = await adminCall<Admin.SecurityResult>(gw.url, 'PUT', '/api/v1/security/%2Fpredict', { body: { authType: 'jwt', rateLimit: 100 } });
    assert.equal(cardBody.status, 200, cardBody.text);
    assert.equal(cardBody.json.rule.rateLimit?.requests?.limit, 100);
    assert.equal(cardBody.json.rule.jwt?.secretEnv, 'JWT_SECRET');
    assert.ok(!cardBody.text.includes(JWT_SECRET));
    const text = await gw.readFile();
    assert.ok(text.endsWith('  - endpoint: /predict\n    auth: jwt\n    jwt: {secretEnv: JWT_SECRET}\n    rateLimit: 100\n'), text);
    const unauthenticated = await fetch(`${gw.url}/predict`, chatRequest());
    assert.equal(unauthenticated.status, 401);
    await unauthenticated.arrayBuffer();
  });

  it('refuses a rule for an endpoint no route has (422, with the diagnostic) and an unknown field', async () => {
    const before = await gw.readFile();
    const unknown = await adminCall<Admin.ErrorResponse>(gw.url, 'PUT', '/api/v1/security/%2Fnowhere', { body: { authType: 'none' } });
    assert.equal(unknown.status, 422);
    assert.ok(unknown.json.error.diagnostics?.some((d) => d.code === 'security.unknownEndpoint'));
    const typo = await adminCall<Admin.ErrorResponse>(gw.url, 'PUT', '/api/v1/security/predict', { body: { authTyp: 'jwt' } });
    assert.equal(typo.status, 422);
    assert.ok(
      typo.json.error.diagnostics?.some((d) => d.severity === 'error' && d.path.includes('authTyp')),
      typo.text,
    );
    assert.equal(await gw.readFile(), before);
  });

  it('GET /config: the file as YAML (with its ETag) or as JSON data', async () => {
    const text = await gw.readFile();
    const yaml = await adminCall(gw.url, 'GET', '/api/v1/config');
    assert.equal(yaml.status, 200);
    assert.match(yaml.headers.get('content-type') ?? '', /yaml/);
    assert.equal(yaml.text, text);
    assert.equal(yaml.headers.get('etag'), `"${contentHash(text)}"`);
    const json = await adminCall<Admin.ConfigDocument>(gw.url, 'GET', '/api/v1/config', { headers: { accept: 'application/json' } });
    assert.equal(json.json.hash, contentHash(text));
    assert.equal((json.json.config.routes as unknown[]).length, 2);
  });

  it('PUT /config: JSON data is merged into the file (comments kept); a stale If-Match is 412', async () => {
    const current = await adminCall<Admin.ConfigDocument>(gw.url, 'GET', '/api/v1/config?format=json');
    const data = current.json.config as { routes: Record<string, unknown>[] };
    data.routes.push({ name: 'embeddings', path: '/v1/embeddings', methods: ['POST'], target: 'mock://openai' });
    const before = await gw.readFile();
    const stale = await adminCall(gw.url, 'PUT', '/api/v1/config', { body: data, headers: { 'if-match': '"0000"' } });
    assert.equal(stale.status, 412);
    const applied = await adminCall<Admin.ApplyResult>(gw.url, 'PUT', '/api/v1/config', { body: data, headers: { 'if-match': `"${current.json.hash}"` } });
    assert.equal(applied.status, 200, applied.text);
    assert.deepEqual(applied.json.changes, { added: ['embeddings'], changed: [], removed: [] });
    const after = await gw.readFile();
    assert.equal(
      after,
      before.replace('\nsecurity:\n', '  - name: embeddings\n    path: /v1/embeddings\n    methods: [POST]\n    target: mock://openai\n\nsecurity:\n'),
    );
  });

  it('PUT /config: YAML is written as sent; an invalid one is refused with diagnostics positioned in the body', async () => {
    const current = await gw.readFile();
    const next = current.replace('logLevel: info', 'logLevel: warn # quieter');
    const applied = await adminCall<Admin.ApplyResult>(gw.url, 'PUT', '/api/v1/config', { body: next, contentType: 'application/yaml' });
    assert.equal(applied.status, 200, applied.text);
    assert.equal(await gw.readFile(), next);

    const broken = 'routes:\n  - path: /x\n    target: http://a:1\n    retries: many\n';
    const refused = await adminCall<Admin.ErrorResponse>(gw.url, 'PUT', '/api/v1/config', { body: broken, contentType: 'application/yaml' });
    assert.equal(refused.status, 422);
    assert.equal(refused.json.error.file, undefined, 'positions refer to the body that was sent');
    const error = refused.json.error.diagnostics?.find((d) => d.severity === 'error');
    assert.deepEqual(error?.path, ['routes', 0, 'retries']);
    assert.deepEqual(error?.range.start, { line: 3, character: 13 });
    assert.equal(await gw.readFile(), next);
  });

  it('PUT /log-level: takes effect, lands in gateway.logLevel (only that line changes); a bad level is 400', async () => {
    const before = await gw.readFile();
    const changed = await adminCall<Admin.LogLevelResult>(gw.url, 'PUT', '/api/v1/log-level', { body: { level: 'debug' } });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.json, { level: 'debug', persisted: true });
    assert.equal(await gw.readFile(), before.replace(/logLevel: \w+/, 'logLevel: debug'));
    const onlyRunning = await adminCall<Admin.LogLevelResult>(gw.url, 'PUT', '/api/v1/log-level', { body: { level: 'info', persist: false } });
    assert.deepEqual(onlyRunning.json, { level: 'info', persisted: false });
    assert.equal(await gw.readFile(), before.replace(/logLevel: \w+/, 'logLevel: debug'));
    const bad = await adminCall<Admin.ErrorResponse>(gw.url, 'PUT', '/api/v1/log-level', { body: { level: 'loud' } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /trace, debug, info/);
  });

  it('GET /metrics: a summary per route over the recent window, filtered by route or endpoint', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${gw.url}/v1/chat/completions`, {
        ...chatRequest(),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEAM_KEY}` },
      });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
    const latency = await adminCall<Admin.MetricsSummary>(gw.url, 'GET', '/api/v1/metrics?type=latency');
    assert.equal(latency.status, 200);
    const chat = latency.json.routes.find((r) => r.route === 'chat');
    assert.ok(chat && chat.count >= 3, latency.text);
    assert.ok(chat.p50 > 0 && chat.p99 >= chat.p50);
    assert.deepEqual(chat.targets, [{ url: 'mock://openai', healthy: true }]);
    assert.deepEqual(latency.json.routes.map((r) => r.route).sort(), ['chat', 'embeddings', 'predict']);

    const byEndpoint = await adminCall<Admin.MetricsSummary>(gw.url, 'GET', '/api/v1/metrics?endpoint=/predict');
    assert.deepEqual(
      byEndpoint.json.routes.map((r) => r.route),
      ['predict'],
    );
    const byRoute = await adminCall<Admin.MetricsSummary>(gw.url, 'GET', '/api/v1/metrics?route=chat&type=tokens');
    assert.deepEqual(
      byRoute.json.routes.map((r) => r.route),
      ['chat'],
    );
    assert.ok((byRoute.json.routes[0]?.tokens.total ?? 0) > 0, 'the mock reports usage');
    assert.equal((await adminCall(gw.url, 'GET', '/api/v1/metrics?type=bogus')).status, 400);
    assert.equal((await adminCall(gw.url, 'GET', '/api/v1/metrics?route=nope')).status, 404);
  });

  it('GET /traces/{requestId}: the pipeline decisions of a request sent with x-gateway-trace and the admin key', async () => {
    const traced = await fetch(`${gw.url}/v1/chat/completions`, {
      ...chatRequest(),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEAM_KEY}`, 'x-gateway-trace': '1', 'x-gateway-admin-key': ADMIN_KEY },
    });
    assert.equal(traced.status, 200);
    await traced.arrayBuffer();
    const requestId = traced.headers.get('x-request-id') ?? '';
    const trace = await adminCall<{ entries: { stage: string }[] }>(gw.url, 'GET', `/api/v1/traces/${requestId}`);
    assert.equal(trace.status, 200, trace.text);
    assert.ok(trace.text.includes('"route"'), trace.text);
    assert.equal((await adminCall(gw.url, 'GET', '/api/v1/traces/unknown-id')).status, 404);
  });
});
