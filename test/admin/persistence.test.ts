// Nothing lost: 50 concurrent POST /api/v1/routes leave 50 routes in the gateway and in the file (comments kept);
// a hand edit the gateway has not loaded is never overwritten (409); once the watcher has applied it, changes build
// on it; and the watcher never re-applies the store's own writes.
import { strict as assert } from 'node:assert';
import { writeFile } from 'node:fs/promises';
import { ProcessEvents, type Admin } from '../../common/src/protocol';
import { parse } from 'yaml';
import { ROUTES_LAST_CONFIG } from './fixtures';
import { adminCall, startGatewayProcess, type GatewayProcess } from './gatewayProcess';

describe('admin API: persistence', function () {
  this.timeout(60_000);
  let gw: GatewayProcess | undefined;

  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  it('serializes 50 concurrent route creations: 50 routes running and in the file, every original line kept', async () => {
    gw = await startGatewayProcess(ROUTES_LAST_CONFIG);
    const url = gw.url;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        adminCall(url, 'POST', '/api/v1/routes', { body: { path: `/echo/model-${i}`, target: 'mock://openai', method: 'POST' } }),
      ),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(50).fill(201),
    );
    const listed = await adminCall<Admin.RouteList>(url, 'GET', '/api/v1/routes');
    assert.equal(listed.json.routes.length, 51);
    const text = await gw.readFile();
    assert.ok(text.startsWith(ROUTES_LAST_CONFIG), 'the original file is untouched; routes were appended after it');
    const routes = (parse(text) as { routes: { path: string }[] }).routes;
    assert.deepEqual(
      routes
        .map((r) => r.path)
        .slice(1)
        .sort(),
      Array.from({ length: 50 }, (_, i) => `/echo/model-${i}`).sort(),
    );
    const served = await fetch(`${url}/echo/model-7`, { method: 'POST', body: '{}' });
    assert.equal(served.status, 200, 'the last routes serve');
    await served.arrayBuffer();

    // The watcher saw 50 writes of the store: none was applied again (config version 1 + 50), only a hand edit is.
    assert.equal((await adminCall<Admin.Health>(url, 'GET', '/readyz')).json.configVersion, 51);
    await writeFile(gw.file, text.replace('# routes only', '# routes only, edited'));
    await gw.waitForLog(ProcessEvents.configApplied);
    assert.equal(gw.logs.filter((l) => l.msg === ProcessEvents.configApplied).length, 1);
    assert.equal((await adminCall<Admin.Health>(url, 'GET', '/readyz')).json.configVersion, 52);
  });

  it('refuses (409) to overwrite a hand edit the gateway has not loaded, and keeps the edit', async () => {
    gw = await startGatewayProcess(ROUTES_LAST_CONFIG, { args: ['--no-watch'] });
    const handEdited = `${ROUTES_LAST_CONFIG}  # a note typed by hand\n`;
    await writeFile(gw.file, handEdited);
    const refused = await adminCall<Admin.ErrorResponse>(gw.url, 'POST', '/api/v1/routes', { body: { path: '/predict', target: 'mock://openai' } });
    assert.equal(refused.status, 409);
    assert.equal(refused.json.error.type, 'config_conflict');
    assert.match(refused.json.error.message, /was edited since the gateway loaded it/);
    assert.equal(await gw.readFile(), handEdited);
    const listed = await adminCall<Admin.RouteList>(gw.url, 'GET', '/api/v1/routes');
    assert.equal(listed.json.routes.length, 1, 'and the running gateway did not change either');
    const level = await adminCall(gw.url, 'PUT', '/api/v1/log-level', { body: { level: 'debug' } });
    assert.equal(level.status, 409);
  });

  it('builds on a hand edit once the watcher applied it, and never re-applies its own writes', async () => {
    gw = await startGatewayProcess(ROUTES_LAST_CONFIG);
    const own = await adminCall(gw.url, 'POST', '/api/v1/routes', { body: { path: '/first', target: 'mock://openai' } });
    assert.equal(own.status, 201);
    const afterOwn = await gw.readFile();
    const handEdited = afterOwn.replace('# routes only', '# routes only (edited by hand)');
    await writeFile(gw.file, handEdited);
    await gw.waitForLog(ProcessEvents.configApplied);
    assert.equal(gw.logs.filter((l) => l.msg === ProcessEvents.configApplied).length, 1, 'only the hand edit was applied by the watcher');
    assert.equal((await adminCall<Admin.Health>(gw.url, 'GET', '/readyz')).json.configVersion, 3, 'start, own write, hand edit');
    const next = await adminCall(gw.url, 'POST', '/api/v1/routes', { body: { path: '/second', target: 'mock://openai' } });
    assert.equal(next.status, 201, next.text);
    const text = await gw.readFile();
    assert.ok(text.startsWith('# routes only (edited by hand)\n'), text);
    assert.match(text, /- path: \/first\n[\s\S]*- path: \/second\n/);
  });
});
