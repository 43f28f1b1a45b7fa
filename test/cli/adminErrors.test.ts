// How the admin commands fail: one line (status, message, what to do) and a documented exit code (2 no key or usage,
// 3 unreachable, 4 key refused, 1 refused change, with the diagnostics `validate` prints); 429/503 are retried with
// backoff; every command's --help shows an example.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { COMMENTED_CONFIG } from '../admin/fixtures';
import { ADMIN_KEY, startGatewayProcess, type GatewayProcess } from '../admin/gatewayProcess';
import { runCli, type CliEnv } from './support';

const ADMIN_COMMANDS = ['init', 'apply', 'add-route', 'secure', 'metrics', 'config', 'routes'];

describe('ai-gateway-cli admin commands: errors, exit codes, retries, help', function () {
  this.timeout(60_000);
  let gw: GatewayProcess;
  let home: string;
  let env: CliEnv;

  before(async () => {
    gw = await startGatewayProcess(COMMENTED_CONFIG);
    home = await mkdtemp(path.join(tmpdir(), 'ai-gateway-cli-errors-'));
    env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), AI_GATEWAY_URL: gw.url, AI_GATEWAY_API_KEY: ADMIN_KEY };
  });
  after(async () => {
    await gw?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('exits 2 with "API key required" when no key is given, set or saved', async () => {
    const run = await runCli(['routes'], { ...env, AI_GATEWAY_API_KEY: undefined });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^Error: API key required: pass --key KEY, set AI_GATEWAY_API_KEY/);
  });

  it('exits 4 with one line on a refused key; --gateway and --key work before or after the command', async () => {
    const wrong = await runCli(['routes', '--key', 'not-the-key'], env);
    assert.equal(wrong.code, 4);
    assert.equal(
      wrong.stderr,
      'Error: 401 unauthorized: Wrong admin API key: use the AI_GATEWAY_API_KEY the gateway was started with. Check --key or AI_GATEWAY_API_KEY.\n',
    );
    const before = await runCli(['--gateway', gw.url, '--key', ADMIN_KEY, 'routes'], { HOME: home, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME });
    assert.equal(before.code, 0, before.stderr);
    const after = await runCli(['routes', '--gateway', gw.url, '--key', ADMIN_KEY, '--format', 'json'], { HOME: home, XDG_CONFIG_HOME: env.XDG_CONFIG_HOME });
    assert.equal(after.code, 0, after.stderr);
    assert.equal((JSON.parse(after.stdout) as unknown[]).length, 1);
  });

  it('exits 3 when the gateway cannot be reached', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const run = await runCli(['add-route', '--path', '/x', '--target', 'http://x:1', '--gateway', `http://127.0.0.1:${port}`], env);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /^Error: unreachable: Cannot reach the gateway at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\. Is it running\?/);
  });

  it('exits 1 on an invalid route, printing FILE:LINE:COL diagnostics and one error line', async () => {
    const before = await gw.readFile();
    const run = await runCli(['add-route', '--path', 'predict', '--target', 'http://ai-service:8080'], env);
    assert.equal(run.code, 1);
    const lines = run.stderr.trim().split('\n');
    assert.ok(
      lines.slice(0, -1).every((l) => l.startsWith(`${gw.file}:`) && / error: /.test(l)),
      run.stderr,
    );
    assert.match(lines[0] ?? '', /gateway\.yaml:\d+:\d+: error: .*\[schema\.pattern\]|gateway\.yaml:\d+:\d+: error: /);
    assert.match(
      lines[lines.length - 1] ?? '',
      /^Error: 422 invalid_config: The change would make the config invalid; nothing was changed\. .* Fix the lines above and retry\.$/,
    );
    assert.equal(await gw.readFile(), before);
  });

  it('exits 1 with 409 on a duplicate route', async () => {
    const run = await runCli(['add-route', '--path', '/v1/chat/completions', '--target', 'mock://openai', '--method', 'POST'], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^Error: 409 already_exists: Route "v1-chat-completions" duplicates route "chat"/m);
  });

  it('apply refuses locally (exit 1, nothing pushed) a file with errors, and asks for a file when none is known', async () => {
    const bad = path.join(home, 'bad.yaml');
    await writeFile(bad, 'routes:\n  - path: /x\n    target: http://a:1\n    retries: many\n');
    const before = await gw.readFile();
    const run = await runCli(['apply', '--config', bad], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:14: error: `, 'm'));
    assert.match(run.stderr, /Error: .*bad\.yaml has errors; nothing was pushed/);
    assert.equal(await gw.readFile(), before);
    const none = await runCli(['apply'], env);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /No config file to apply: pass --config FILE, or remember one with `ai-gateway-cli init --config FILE`/);
  });

  it('retries 429 and 503 with backoff (honouring Retry-After), then reports the last refusal', async () => {
    const statuses = [503, 429, 503];
    let seen = 0;
    const server: Server = createServer((_req, res) => {
      seen += 1;
      const status = statuses.shift();
      if (status) {
        res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end(JSON.stringify({ error: { type: 'busy', message: 'try later' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ routes: [] }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const run = await runCli(['routes', '--gateway', url], env);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(seen, 4);
      assert.equal(
        run.stderr,
        'Gateway answered 503; retrying in 0 ms (retry 1).\nGateway answered 429; retrying in 0 ms (retry 2).\nGateway answered 503; retrying in 0 ms (retry 3).\n',
      );
      assert.match(run.stdout, /^No routes yet/);

      statuses.push(503, 503, 503, 503, 503, 503);
      seen = 0;
      const exhausted = await runCli(['routes', '--gateway', url], env);
      assert.equal(exhausted.code, 1);
      assert.equal(seen, 5, 'the first attempt and 4 retries');
      assert.match(exhausted.stderr, /^Error: 503 busy: try later$/m);
    } finally {
      server.close();
    }
  });

  it('shows an example and the exit codes in --help of every admin command; a usage error exits 2', async () => {
    for (const name of ADMIN_COMMANDS) {
      const run = await runCli([name, '--help'], env);
      assert.equal(run.code, 0, `${name}: ${run.stderr}`);
      assert.match(run.stdout, new RegExp(`Examples?:\\n  \\$ ai-gateway-cli ${name}`), name);
      assert.match(run.stdout, /Exit codes:\n  0  done\n/, name);
    }
    const usage = await runCli(['add-route', '--target', 'http://ai-service:8080'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /required option '--path <path>' not specified/);
    const main = await runCli(['--help'], env);
    assert.match(main.stdout, /--gateway <url>/);
    assert.match(main.stdout, /--key <key>/);
  });
});
