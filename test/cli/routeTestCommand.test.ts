// `ai-gateway-cli test FILE` as CI runs it: the real CLI process, its exit code, its lines and its JUnit XML, with the
// gateway started by the command itself or one already running (--gateway).
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { startGateway, type RunningGateway } from '../../runtime/src/gateway/startGateway';
import { cliCommand, repoRoot } from '../support/cli';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<CliRun> {
  const { command, args: fullArgs } = cliCommand(args);
  const child = spawn(command, fullArgs, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const fixture = (name: string): string => path.join('test', 'routeTests', 'fixtures', name);

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('ai-gateway-cli test', () => {
  let scratch: string;
  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'route-test-cli-'));
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('starts the gateway on FILE itself, runs every route test, exits 0 and writes JUnit XML when all pass', async () => {
    const junit = path.join(scratch, 'reports', 'passing.xml');
    const run = await runCli(['test', fixture('passing.gateway.yaml'), '--junit', junit]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /against http:\/\/127\.0\.0\.1:\d+ \(started for this run\)/);
    assert.match(run.stdout, /✔ chat › answers a chat completion \(\d+ ms\)/);
    assert.match(run.stdout, /✔ models › lists the models/);
    assert.match(run.stdout, /2 test\(s\): 2 passed, 0 failed/);
    const xml = fs.readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuites name="ai-gateway route tests" tests="2" failures="0" errors="0">/);
    assert.match(xml, /<testcase classname="models" name="lists the models" time="[\d.]+"\/>/);
  });

  it('exits 1 on a failing test, printing each broken expectation with expected and actual, also in the JUnit XML', async () => {
    const junit = path.join(scratch, 'failing.xml');
    const run = await runCli(['test', fixture('failing.gateway.yaml'), '--junit', junit]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /✔ chat › answers a chat completion/);
    assert.match(
      run.stdout,
      /✘ chat › expects the wrong status on purpose .*\n\s+status: expected 201, actual 200\n\s+json object: expected "list", actual "chat.completion"/,
    );
    assert.match(run.stdout, /✘ embeddings › expects a word the answer lacks .*\n\s+contains object: expected …chat…, actual "list"/);
    assert.match(run.stdout, /3 test\(s\): 1 passed, 2 failed/);
    const xml = fs.readFileSync(junit, 'utf8');
    assert.match(xml, /tests="3" failures="2" errors="0"/);
    assert.match(
      xml,
      /<failure message="expected status 201, got 200">status: expected 201, actual 200\njson object: expected &quot;list&quot;, actual &quot;chat.completion&quot;<\/failure>/,
    );
  });

  it('checks guardrail verdicts: a refusal from the answer, redactions and flags from the trace of the gateway it started', async () => {
    const run = await runCli(['test', fixture('guardrails.gateway.yaml')]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /✔ chat › refuses a card number/);
    assert.match(run.stdout, /✔ chat › redacts an address/);
    assert.match(run.stdout, /✔ chat › flags a codename/);
    assert.match(run.stdout, /✔ chat › lets a plain question through/);
    assert.match(run.stdout, /✘ chat › expects a block that does not happen .*\n\s+guardrail: expected blocked by pii, actual status 200, not blocked/);
    // The card number itself, not its first digits: the port or a duration in the output can hold "4111".
    assert.ok(!/4111[ -]?1111/.test(run.stdout), 'no matched text in the output');
    assert.match(run.stdout, /5 test\(s\): 4 passed, 1 failed/);
  });

  it('--route runs only the tests of the named routes', async () => {
    const run = await runCli(['test', fixture('failing.gateway.yaml'), '--route', 'embeddings']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /1 test\(s\): 0 passed, 1 failed/);
    assert.doesNotMatch(run.stdout, /chat ›/);
    const unknown = await runCli(['test', fixture('failing.gateway.yaml'), '--route', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--route: .*failing\.gateway\.yaml has no route named "nope"/);
  });

  describe('--gateway URL', () => {
    let gateway: RunningGateway;
    before(async () => {
      gateway = await startGateway({
        configPath: path.join(repoRoot, fixture('passing.gateway.yaml')),
        host: '127.0.0.1',
        port: 0,
        watch: false,
        logger: pino({}, { write: () => undefined }),
      });
    });
    after(() => gateway.close());

    it('runs the tests against a gateway that is already running instead of starting one', async () => {
      const run = await runCli(['test', fixture('passing.gateway.yaml'), '--gateway', gateway.url]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`against ${gateway.url.replace(/\./g, '\\.')}\\n`));
      assert.match(run.stdout, /2 passed, 0 failed/);
    });

    it('reports a gateway that cannot be reached as an error of each test, exit 1', async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const junit = path.join(scratch, 'unreachable.xml');
      const run = await runCli(['test', fixture('passing.gateway.yaml'), '--gateway', url, '--junit', junit, '--timeout', '5000']);
      assert.equal(run.code, 1);
      assert.match(
        run.stdout,
        new RegExp(`✘ chat › answers a chat completion .*\\n\\s+POST ${url.replace(/\./g, '\\.')}/v1/chat/completions: fetch failed: .*ECONNREFUSED`),
      );
      assert.match(fs.readFileSync(junit, 'utf8'), /tests="2" failures="0" errors="2"/);
    });
  });

  it('refuses a config with errors with FILE:LINE:COL diagnostics and exits 1; a missing file exits 2', async () => {
    const run = await runCli(['test', path.join('test', 'gateway', 'fixtures', 'broken.yaml')]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /broken\.yaml:\d+:\d+: error: /);
    assert.match(run.stderr, /broken\.yaml has errors; no test was run\./);
    const missing = await runCli(['test', 'no/such/gateway.yaml']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no\/such\/gateway\.yaml: no such file/);
  });

  it('says so and exits 0 when the config has no route tests', async () => {
    const run = await runCli(['test', fixture('no-tests.gateway.yaml')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /no-tests\.gateway\.yaml: no route test to run \(add a `tests:` list to a route\)/);
  });

  it('works on the shipped example with no other step', async () => {
    const run = await runCli(['test', path.join('examples', 'ai-gateway.yaml')]);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  });
});
