// `/api/v1/routes` over a real gateway process: create (201, the product card's body), duplicate (409), invalid (422 with
// positions), unreadable (400), read, replace, delete; every accepted change is in the file, comments kept.
import { strict as assert } from 'node:assert';
import type { Diagnostic } from '../../common/src/config/types';
import type { Admin } from '../../common/src/protocol';
import { adminCall, startGatewayProcess, type GatewayProcess } from './gatewayProcess';
import { COMMENTED_CONFIG } from './fixtures';

const SEED_BODY = { path: '/predict', target: 'http://ai-service:8080', method: 'POST' };

const WITH_PREDICT = COMMENTED_CONFIG.replace(
  '    timeout: 30s\n',
  '    timeout: 30s\n  - path: /predict\n    target: http://ai-service:8080\n    methods: [POST]\n',
);

describe('admin API: routes', function () {
  let gw: GatewayProcess;

  before(async () => {
    gw = await startGatewayProcess(COMMENTED_CONFIG);
  });
  after(async () => gw?.stop());

  it('lists the running routes with the rules that protect them', async () => {
    const answer = await adminCall<Admin.RouteList>(gw.url, 'GET', '/api/v1/routes');
    assert.equal(answer.status, 200);
    assert.deepEqual(
      answer.json.routes.map((r) => [r.name, r.path, r.methods, r.targets.map((t) => t.url)]),
      [['chat', '/v1/chat/completions', ['POST'], ['mock://openai']]],
    );
    assert.equal(answer.json.routes[0]?.security[0]?.auth, 'none');
  });

  it("creates the product card's route (201), writes it into the file with every comment kept, and 409s the duplicate", async () => {
    const created = await adminCall<Admin.RouteResult>(gw.url, 'POST', '/api/v1/routes', { body: SEED_BODY });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), '/api/v1/routes/predict');
    assert.equal(created.json.route.name, 'predict');
    assert.deepEqual(created.json.route.methods, ['POST']);
    assert.deepEqual(created.json.changes, { added: ['predict'], changed: [], removed: [] });
    assert.equal(await gw.readFile(), WITH_PREDICT);

    const listed = await adminCall<Admin.RouteList>(gw.url, 'GET', '/api/v1/routes');
    assert.deepEqual(
      listed.json.routes.map((r) => r.name),
      ['chat', 'predict'],
    );

    const duplicate = await adminCall<Admin.ErrorResponse>(gw.url, 'POST', '/api/v1/routes', { body: SEED_BODY });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.json.error.type, 'already_exists');
    assert.ok(duplicate.json.error.diagnostics?.some((d) => d.code === 'route.duplicate' && d.severity === 'error'));
    assert.equal(await gw.readFile(), WITH_PREDICT, 'a refused change leaves the file alone');
  });

  it('refuses an invalid route with 422 and the diagnostics `validate` prints, changing nothing', async () => {
    const before = await gw.readFile();
    const answer = await adminCall<Admin.ErrorResponse>(gw.url, 'POST', '/api/v1/routes', { body: { path: 'predict-v2', target: 'not a url' } });
    assert.equal(answer.status, 422);
    assert.equal(answer.json.error.type, 'invalid_config');
    assert.equal(answer.json.error.file, gw.file);
    const errors = (answer.json.error.diagnostics ?? []).filter((d: Diagnostic) => d.severity === 'error');
    assert.ok(errors.length >= 2, JSON.stringify(errors));
    // The new route would be the third entry, at the end of the routes block: each error points into it.
    const lines = before.split('\n');
    const routesEnd = lines.indexOf('security:') - 1;
    for (const d of errors) {
      assert.equal(d.path[0], 'routes');
      assert.equal(d.path[1], 2);
      assert.ok(d.range.start.line >= routesEnd, `line ${d.range.start.line} is inside the new route`);
    }
    assert.match(answer.json.error.message, /line \d+, column \d+/);
    assert.equal(await gw.readFile(), before);
    const listed = await adminCall<Admin.RouteList>(gw.url, 'GET', '/api/v1/routes');
    assert.equal(listed.json.routes.length, 2);
  });

  it('answers 400 with the position for a body that is not JSON, and for a body that is not an object', async () => {
    const broken = await adminCall<Admin.ErrorResponse>(gw.url, 'POST', '/api/v1/routes', { body: '{"path": "/x",\n "target": "http://a:1"' });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error.type, 'bad_request');
    assert.match(broken.json.error.message, /line 2, column \d+/);
    const list = await adminCall<Admin.ErrorResponse>(gw.url, 'POST', '/api/v1/routes', { body: [SEED_BODY] });
    assert.equal(list.status, 400);
    assert.match(list.json.error.message, /JSON object/);
  });

  it('serves a created route at once', async () => {
    const created = await adminCall(gw.url, 'POST', '/api/v1/routes', { body: { name: 'echo', path: '/echo', target: 'mock://openai', methods: ['POST'] } });
    assert.equal(created.status, 201);
    const response = await fetch(`${gw.url}/echo`, { method: 'POST', body: 'ping' });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    const removed = await adminCall(gw.url, 'DELETE', '/api/v1/routes/echo');
    assert.equal(removed.status, 200);
    const gone = await fetch(`${gw.url}/echo`, { method: 'POST', body: 'ping' });
    assert.equal(gone.status, 404);
    await gone.arrayBuffer();
  });

  it('reads one route, and answers 404 for an unknown one', async () => {
    const one = await adminCall<Admin.Route>(gw.url, 'GET', '/api/v1/routes/predict');
    assert.equal(one.status, 200);
    assert.equal(one.json.path, '/predict');
    const missing = await adminCall<Admin.ErrorResponse>(gw.url, 'GET', '/api/v1/routes/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.type, 'route_not_found');
    const method = await adminCall<Admin.ErrorResponse>(gw.url, 'PATCH', '/api/v1/routes');
    assert.equal(method.status, 405);
    assert.equal(method.headers.get('allow'), 'GET, POST');
  });

  it('replaces a route (only its changed line moves in the file) and deletes it (the file is as it was)', async () => {
    const replaced = await adminCall<Admin.RouteResult>(gw.url, 'PUT', '/api/v1/routes/predict', {
      body: { path: '/predict', target: 'http://ai-service:9090', methods: ['POST'] },
    });
    assert.equal(replaced.status, 200);
    assert.deepEqual(replaced.json.changes, { added: [], changed: ['predict'], removed: [] });
    assert.equal(await gw.readFile(), WITH_PREDICT.replace('http://ai-service:8080', 'http://ai-service:9090'));

    const conflict = await adminCall(gw.url, 'PUT', '/api/v1/routes/predict', {
      body: { path: '/v1/chat/completions', target: 'http://ai-service:9090', methods: ['POST'] },
    });
    assert.equal(conflict.status, 409, 'renaming onto an existing route is a duplicate');

    const deleted = await adminCall<Admin.RouteDeleted>(gw.url, 'DELETE', '/api/v1/routes/predict');
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.json.changes.removed, ['predict']);
    assert.equal(await gw.readFile(), COMMENTED_CONFIG);
    const missing = await adminCall(gw.url, 'DELETE', '/api/v1/routes/predict');
    assert.equal(missing.status, 404);
  });

  it('deletes the security rule written for exactly the deleted route', async () => {
    const deleted = await adminCall<Admin.RouteDeleted>(gw.url, 'DELETE', '/api/v1/routes/chat');
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.json.removedSecurity, ['/v1/chat/completions']);
    const text = await gw.readFile();
    assert.ok(text.startsWith('# AI gateway for the ML team\nversion: 1\n\ngateway:\n'), text);
    assert.ok(!text.includes('/v1/chat/completions'), text);
  });
});
