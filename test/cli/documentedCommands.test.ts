// The README's CLI lines in the README's order, against a real gateway process; the warnings of add-route and secure
// point into the gateway's file; and a change to a setting only a restart applies says so (answer, CLI and log).
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Admin } from '../../common/src/protocol';
import { ProcessEvents } from '../../common/src/protocol';
import { repoRoot } from '../support/cli';
import { COMMENTED_CONFIG } from '../admin/fixtures';
import { ADMIN_KEY, adminCall, startGatewayProcess, type GatewayProcess } from '../admin/gatewayProcess';
import { runCardLine, type CliEnv } from './support';

/** The `ai-gateway-cli ...` lines of the README's CLI block, as written (trailing comments dropped). */
async function readmeCliLines(): Promise<string[]> {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const block = /## The CLI\n+```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'the README has a CLI block');
  return block
    .split('\n')
    .filter((line) => line.startsWith('ai-gateway-cli '))
    .map((line) => line.replace(/\s+#.*$/, ''));
}

describe("ai-gateway-cli: the README's lines, and what a change tells", function () {
  this.timeout(90_000);
  let gw: GatewayProcess;
  let home: string;
  let work: string;
  let env: CliEnv;

  beforeEach(async () => {
    gw = await startGatewayProcess(COMMENTED_CONFIG);
    home = await mkdtemp(path.join(tmpdir(), 'ai-gateway-cli-home-'));
    work = await mkdtemp(path.join(tmpdir(), 'ai-gateway-cli-work-'));
    // What `export AI_GATEWAY_API_KEY=...` in the README sets, and the gateway the context is for.
    env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), AI_GATEWAY_URL: gw.url, AI_GATEWAY_API_KEY: ADMIN_KEY };
  });
  afterEach(async () => {
    await gw?.stop();
    await rm(home, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('init --config, then init --cluster, then apply: pushes the config file the first init remembered', async () => {
    const lines = await readmeCliLines();
    const sequence = [
      'ai-gateway-cli init --config path/to/config.yaml',
      'ai-gateway-cli init --cluster aimlops --key $AI_GATEWAY_API_KEY',
      'ai-gateway-cli apply',
    ];
    assert.deepEqual(
      lines.filter((line) => sequence.includes(line)),
      sequence,
      'the README lists them in this order',
    );
    const runs = [];
    for (const line of sequence) {
      const run = await runCardLine(line, env, work);
      assert.equal(run.code, 0, `${line}\n${run.stderr}`);
      runs.push(run);
    }
    const file = path.join(work, 'path/to/config.yaml');
    assert.match(runs[1]?.stdout ?? '', new RegExp(`config ${file.replace(/[/.]/g, '\\$&')} \\(kept from context "default"\\)`));
    assert.match(runs[2]?.stdout ?? '', new RegExp(`^Applied ${file.replace(/[/.]/g, '\\$&')} to ${gw.url.replace(/[/.]/g, '\\$&')}\\.\\n`));
    assert.equal(await gw.readFile(), await readFile(file, 'utf8'));
    // Without the environment, the saved context alone knows the gateway, the key and the file.
    const again = await runCardLine('ai-gateway-cli apply', { HOME: home, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME }, work);
    assert.equal(again.code, 0, again.stderr);
  });

  it("labels add-route's and secure's warnings with the gateway's config file", async () => {
    const added = await runCardLine('ai-gateway-cli add-route --path /predict --target http://ai-service:8080 --method POST', env, work);
    assert.equal(added.code, 0, added.stderr);
    const text = await gw.readFile();
    const line = text.split('\n').findIndex((l) => l.includes('path: /predict')) + 1;
    assert.equal(
      added.stderr,
      `${gw.file}:${line}:11: warning: Route "predict" has no security entry, so anyone who can reach the gateway can use it. Add one (auth: none makes public access explicit), or set gateway.defaultAuth: deny to close every route no rule covers. [route.unprotected]\n`,
    );
    const secured = await runCardLine('ai-gateway-cli secure --endpoint /predict --auth jwt', env, work);
    assert.equal(secured.code, 0, secured.stderr);
    assert.match(secured.stderr, new RegExp(`^${gw.file.replace(/[/.]/g, '\\$&')}:\\d+:\\d+: warning: auth: jwt names no key yet`));
    assert.doesNotMatch(added.stderr + secured.stderr, /<gateway config>/);
  });

  it('answers a change of gateway.listen through apply with a warning that it needs a restart, and logs it', async () => {
    const file = path.join(work, 'gateway.yaml');
    await writeFile(file, COMMENTED_CONFIG.replace('listen: 127.0.0.1:8080', 'listen: 127.0.0.1:9191'));
    const run = await runCardLine('ai-gateway-cli apply --config gateway.yaml', env, work);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stderr,
      `gateway.yaml:5:3: warning: gateway.listen changed (127.0.0.1:8080 -> 127.0.0.1:9191): the gateway keeps what it started with until it is restarted. [config.restartRequired]\n`,
    );
    const logged = await gw.waitForLog(ProcessEvents.restartRequired);
    assert.deepEqual(logged.settings, ['gateway.listen']);
    // The rest of the change is applied: the gateway still answers where it started.
    const health = await fetch(`${gw.url}/healthz`);
    assert.equal(health.status, 200);
    await health.arrayBuffer();
  });

  it('applies a hand edit of gateway.listen to the file and logs that it needs a restart', async () => {
    await writeFile(gw.file, (await gw.readFile()).replace('listen: 127.0.0.1:8080', 'listen: 127.0.0.1:9193'));
    const logged = await gw.waitForLog(ProcessEvents.restartRequired);
    assert.deepEqual(logged.settings, ['gateway.listen']);
    assert.deepEqual(logged.changes, [
      'gateway.listen changed (127.0.0.1:8080 -> 127.0.0.1:9193): the gateway keeps what it started with until it is restarted.',
    ]);
    await gw.waitForLog(ProcessEvents.configApplied);
  });

  it('answers PUT /config that changes gateway.store or gateway.admin.listen with the same warning, without the store URL', async () => {
    const body = COMMENTED_CONFIG.replace(
      '  logLevel: info\n',
      '  logLevel: info\n  admin:\n    listen: 127.0.0.1:9192\n  store:\n    redis: { url: "redis://user:hunter2@127.0.0.1:6390" }\n    replicas: 2\n',
    );
    const answer = await adminCall<Admin.ApplyResult>(gw.url, 'PUT', '/api/v1/config', { body, contentType: 'application/yaml' });
    assert.equal(answer.status, 200, answer.text);
    const restart = answer.json.warnings.filter((d) => d.code === 'config.restartRequired');
    assert.deepEqual(
      restart.map((d) => [d.message, d.range.start.line + 1]),
      [
        ['gateway.admin.listen changed (the gateway port -> 127.0.0.1:9192): the gateway keeps what it started with until it is restarted.', 8],
        ['gateway.store changed: the gateway keeps what it started with until it is restarted.', 9],
      ],
    );
    assert.equal(answer.json.file, gw.file);
    assert.doesNotMatch(answer.text, /hunter2/);
    const logged = await gw.waitForLog(ProcessEvents.restartRequired);
    assert.deepEqual(logged.settings, ['gateway.admin.listen', 'gateway.store']);
    assert.ok(!gw.logs.some((l) => JSON.stringify(l).includes('hunter2')), 'the password is in no log line');
  });
});
