// Who may use the admin API: the bearer of the gateway's AI_GATEWAY_API_KEY (401 otherwise, the key never echoed);
// without a key the API is off and says how to turn it on; /healthz and /readyz need no key; a separate admin
// listener (gateway.admin.listen) serves the API alone. Wrong keys count per client address (gateway.limits.authFailures).
import { strict as assert } from 'node:assert';
import { request as httpRequest } from 'node:http';
import type { Admin } from '../../common/src/protocol';
import { COMMENTED_CONFIG } from './fixtures';
import { ADMIN_KEY, adminCall, startGatewayProcess, type GatewayProcess } from './gatewayProcess';

describe('admin API: auth, health, admin listener', function () {
  let gw: GatewayProcess;

  before(async () => {
    gw = await startGatewayProcess(COMMENTED_CONFIG);
  });
  after(async () => gw?.stop());

  it('serves /healthz and /readyz without a key', async () => {
    const health = await adminCall<Admin.Health>(gw.url, 'GET', '/healthz', { auth: null });
    assert.equal(health.status, 200);
    assert.equal(health.json.status, 'ok');
    const ready = await adminCall<Admin.Health>(gw.url, 'GET', '/readyz', { auth: null });
    assert.equal(ready.status, 200);
    assert.equal(ready.json.status, 'ready');
    assert.ok((ready.json.configVersion ?? 0) >= 1);
  });

  it('answers 401 (with WWW-Authenticate) to a missing or wrong key, for reads and writes, without echoing it', async () => {
    const before = await gw.readFile();
    for (const auth of [null, 'Bearer wrong-key', `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}`, `Bearer ${ADMIN_KEY}x`]) {
      for (const [method, path] of [
        ['GET', '/api/v1/routes'],
        ['POST', '/api/v1/routes'],
        ['PUT', '/api/v1/log-level'],
        ['GET', '/api/v1/nope'],
      ]) {
        const answer = await adminCall<Admin.ErrorResponse>(gw.url, method as string, path as string, {
          auth,
          body: method === 'GET' ? undefined : { path: '/x', target: 'http://a:1', level: 'debug' },
        });
        assert.equal(answer.status, 401, `${method} ${path} with ${auth}`);
        assert.equal(answer.json.error.type, 'unauthorized');
        assert.equal(answer.headers.get('www-authenticate'), 'Bearer realm="ai-gateway-admin"');
        assert.ok(!answer.text.includes('wrong-key') && !answer.text.includes(ADMIN_KEY));
      }
    }
    assert.equal(await gw.readFile(), before);
    const lowerCase = await adminCall(gw.url, 'GET', '/api/v1/routes', { auth: `bearer ${ADMIN_KEY}` });
    assert.equal(lowerCase.status, 200);
    const unknown = await adminCall<Admin.ErrorResponse>(gw.url, 'GET', '/api/v1/nope');
    assert.equal(unknown.status, 404);
  });

  it('keeps the admin API off, saying how to enable it, when AI_GATEWAY_API_KEY is unset', async () => {
    const off = await startGatewayProcess(COMMENTED_CONFIG, { env: { AI_GATEWAY_API_KEY: undefined } });
    try {
      const answer = await adminCall<Admin.ErrorResponse>(off.url, 'GET', '/api/v1/routes');
      assert.equal(answer.status, 403);
      assert.equal(answer.json.error.type, 'admin_disabled');
      assert.match(answer.json.error.message, /AI_GATEWAY_API_KEY is not set .* start the gateway with AI_GATEWAY_API_KEY=/);
      assert.equal((await adminCall(off.url, 'GET', '/healthz', { auth: null })).status, 200);
    } finally {
      await off.stop();
    }
  });

  it('refuses an address that sent too many wrong keys (gateway.limits.authFailures), its right key too, while another address gets in', async () => {
    const limited = await startGatewayProcess(COMMENTED_CONFIG.replace('  logLevel: info\n', '  logLevel: info\n  limits:\n    authFailures: 3/min\n'));
    try {
      assert.equal((await adminCall(limited.url, 'GET', '/api/v1/routes', { auth: null })).status, 401);
      assert.equal((await adminCall(limited.url, 'GET', '/api/v1/routes', { auth: null })).status, 401);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await adminCall(limited.url, 'GET', '/api/v1/routes', { auth: `Bearer guess-${i}` })).status);
      assert.deepEqual(statuses, [401, 401, 401], 'requests without a key were not counted as guesses');
      const refused = await adminCall<Admin.ErrorResponse>(limited.url, 'GET', '/api/v1/routes');
      assert.equal(refused.status, 429, 'the right key, from the address that guessed');
      assert.equal(refused.json.error.type, 'rate_limited');
      assert.match(refused.json.error.message, /wrong admin API keys from this address \(gateway\.limits\.authFailures 3\/min\)/);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.equal((await fromAddress(limited.url, '127.0.0.2', `Bearer ${ADMIN_KEY}`)).status, 200, 'another client address is not blocked');
      assert.equal((await adminCall(limited.url, 'GET', '/healthz', { auth: null })).status, 200);
    } finally {
      await limited.stop();
    }
  });

  it('serves the admin API on gateway.admin.listen only, when configured', async () => {
    const separate = await startGatewayProcess(COMMENTED_CONFIG.replace('  logLevel: info\n', '  logLevel: info\n  admin:\n    listen: 127.0.0.1:0\n'));
    try {
      assert.notEqual(separate.adminUrl, separate.url);
      const onAdmin = await adminCall<Admin.RouteList>(separate.adminUrl, 'GET', '/api/v1/routes');
      assert.equal(onAdmin.status, 200);
      assert.deepEqual(
        onAdmin.json.routes.map((r) => r.name),
        ['chat'],
      );
      const added = await adminCall(separate.adminUrl, 'POST', '/api/v1/routes', { body: { path: '/predict', target: 'mock://openai' } });
      assert.equal(added.status, 201);
      assert.match(await separate.readFile(), /- path: \/predict\n {4}target: mock:\/\/openai\n/);
      const onGateway = await adminCall<Admin.ErrorResponse>(separate.url, 'GET', '/api/v1/routes');
      assert.equal(onGateway.status, 421, 'the public port does not serve the admin API, nor forward its key');
      assert.match(onGateway.json.error.message, /admin API listens on its own address \(gateway\.admin\.listen\)/);
      const anonymous = await adminCall(separate.url, 'GET', '/api/v1/routes', { auth: null });
      assert.equal(anonymous.status, 404, 'without the key, /api/v1 is a path like any other there');
    } finally {
      await separate.stop();
    }
  });
});

/** GET /api/v1/routes from another loopback address (Linux routes all of 127.0.0.0/8 to lo). */
function fromAddress(baseUrl: string, localAddress: string, authorization: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}/api/v1/routes`, { localAddress, headers: { authorization } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}
