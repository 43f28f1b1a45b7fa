// Hot reload from the watched file: a valid change applies without dropping in-flight requests; an invalid one is
// refused with its diagnostics and the last good config keeps serving; editors' rename-on-save is seen.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { ProcessEvents } from '../../common/src/protocol';
import { send, startTestGateway } from './support';

describe('hot reload', () => {
  let mock: MockServer;
  let dir: string;
  let file: string;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  const routesYaml = (paths: string[]): string => `routes:\n${paths.map((p) => `  - { path: ${p}, target: ${mock.url}/echo }`).join('\n')}\n`;

  before(async () => {
    mock = await startMockServer();
    dir = await mkdtemp(path.join(tmpdir(), 'gateway-reload-'));
    file = path.join(dir, 'gateway.yaml');
    await writeFile(file, routesYaml(['/a']));
    gateway = await startTestGateway(undefined, { configPath: file });
  });
  after(async () => {
    await gateway.close();
    await mock.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a valid change to the file', async () => {
    assert.equal((await send(`${gateway.url}/b`)).status, 404);
    const since = gateway.logs.lines.length;
    await writeFile(file, routesYaml(['/a', '/b']));
    const applied = await gateway.logs.next(ProcessEvents.configApplied, since);
    assert.equal(applied.routes, 2);
    assert.equal((await send(`${gateway.url}/b`)).status, 200);
  });

  it('refuses an invalid change with diagnostics and keeps serving the last good config', async () => {
    const since = gateway.logs.lines.length;
    await writeFile(file, 'routes:\n  - { path: /c, target: not a url }\n');
    const rejected = (await gateway.logs.next(ProcessEvents.configRejected, since)) as unknown as ProcessEvents.ConfigRejected;
    assert.ok(rejected.diagnostics.length > 0);
    assert.ok(rejected.diagnostics.every((d) => d.severity === 'error' && d.range.start.line === 1));
    assert.equal((await send(`${gateway.url}/b`)).status, 200, 'the last good config still serves');
    assert.equal((await send(`${gateway.url}/c`)).status, 404);
  });

  it("sees an editor's save by rename over the file", async () => {
    const since = gateway.logs.lines.length;
    const temp = path.join(dir, '.gateway.yaml.swp');
    await writeFile(temp, routesYaml(['/renamed']));
    await rename(temp, file);
    await gateway.logs.next(ProcessEvents.configApplied, since);
    assert.equal((await send(`${gateway.url}/renamed`)).status, 200);
    assert.equal((await send(`${gateway.url}/a`)).status, 404);
  });

  it('lets a request in flight finish on the config it started with', async () => {
    await writeFile(file, routesYaml(['/inflight']));
    await gateway.reload();
    // Wait until the mock has the request, so the reload below happens mid-request.
    const arrived = once(mock.requests, 'request');
    const inFlight = send(`${gateway.url}/inflight`, { headers: { 'x-mock-latency': '400' } });
    await arrived;
    await writeFile(file, routesYaml(['/other']));
    assert.equal(await gateway.reload(), true);
    assert.equal((await send(`${gateway.url}/inflight`)).status, 404, 'new requests see the new config');
    assert.equal((await inFlight).status, 200, 'the in-flight request completed against its own config');
  });
});
