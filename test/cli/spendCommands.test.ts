// `ai-gateway-cli spend` and `ai-gateway-cli cache purge` against a real gateway process: the spend table and JSON
// after a real request, and a purge of a cached route (and of one that does not exist).
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Admin } from '../../common/src/protocol';
import { COMMENTED_CONFIG, chatRequest } from '../admin/fixtures';
import { ADMIN_KEY, startGatewayProcess, type GatewayProcess } from '../admin/gatewayProcess';
import { runCli, type CliEnv } from './support';

describe('ai-gateway-cli spend and cache purge', function () {
  this.timeout(60_000);
  let gw: GatewayProcess;
  let home: string;
  let env: CliEnv;

  before(async () => {
    gw = await startGatewayProcess(COMMENTED_CONFIG.replace('    timeout: 30s\n', '    timeout: 30s\n    cache: { ttl: 10m }\n'));
    home = await mkdtemp(path.join(tmpdir(), 'ai-gateway-cli-spend-'));
    env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), AI_GATEWAY_URL: gw.url, AI_GATEWAY_API_KEY: ADMIN_KEY };
    for (let i = 0; i < 2; i++) await (await fetch(`${gw.url}/v1/chat/completions`, chatRequest())).text();
  });
  after(async () => {
    await gw?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('prints what was spent by model today, as a table and as JSON', async () => {
    const table = await runCli(['spend', '--by', 'model', '--period', 'day'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^MODEL\s+USD\s+REQUESTS\nopenai\/gpt-4o-mini\s+0\.\d{6}\s+1\nTOTAL\s+0\.\d{6}\s+1\n\(\d{4}-\d{2}-\d{2}, UTC\)\n$/);
    const json = await runCli(['spend', '--by', 'consumer', '--format', 'json'], env);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as Admin.SpendReport;
    assert.equal(report.periodKind, 'month');
    assert.deepEqual(
      report.entries.map((e) => [e.key, e.requests]),
      [['(anonymous)', 1]],
      'the second request was a cache hit: it cost nothing',
    );
    const bad = await runCli(['spend', '--period', 'yesterday'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /"period" must be day, month, a UTC day/);
  });

  it("purges a route's stored answers, and says so when the route does not exist", async () => {
    const purged = await runCli(['cache', 'purge', 'chat'], env);
    assert.equal(purged.code, 0, purged.stderr);
    assert.equal(purged.stdout, 'Purged 1 stored answer(s) of route "chat".\n');
    const unknown = await runCli(['cache', 'purge', 'nope'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /There is no route named "nope"/);
  });
});
