// The Python SDK (sdk/python) in `npm test`: its unittest suite, which pip-installs the package into a temporary
// directory and runs it against real gateway processes; every answer those tests received from a gateway, checked
// against schemas/admin-api.openapi.json; and `mypy --strict` for Python 3.9 over the package, its tests and backend.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../support/cli';
import { contractProblems, operations, pathTemplate, type RecordedAnswer } from './adminContract';

const PACKAGE_DIR = path.join(repoRoot, 'sdk', 'python');
// /readyz has no SDK call (neither SDK has one); it is checked in adminOpenApi.test.
// The Traffic view's stream and detail are read by the editor through the TypeScript SDK; the Python SDK has no calls
// for them yet (typescriptSdk.test checks both answers).
const NOT_CALLED_BY_THE_SDK = ['GET /readyz', 'GET /api/v1/traffic', 'GET /api/v1/traffic/{requestId}'];

interface Run {
  code: number;
  output: string;
}

/** Runs to the end, or to `timeoutMs` (SIGTERM: the Python suite then stops its gateways on the way out). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 200_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: PACKAGE_DIR, env, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
      resolve({ code, output: `${stdout}${stderr}${error && code === 127 ? error.message : ''}` });
    });
  });
}

describe('Python SDK (sdk/python)', function () {
  this.timeout(240_000); // the whole Python suite: about 15 s alone, slower on a busy shared machine
  let dir: string;
  let suite: Run;
  let answers: RecordedAnswer[];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ai-gateway-python-'));
    const log = path.join(dir, 'answers.jsonl');
    const env = {
      ...process.env,
      AI_GATEWAY_CONTRACT_LOG: log,
      PYTHONDONTWRITEBYTECODE: '1',
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
    };
    suite = await run('python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], env);
    const text = await readFile(log, 'utf8').catch(() => '');
    answers = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as RecordedAnswer);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('passes its unittest suite against real gateway processes', () => {
    assert.equal(suite.code, 0, suite.output.slice(-6000));
    assert.match(suite.output, /^Ran \d+ tests? in /m);
    assert.doesNotMatch(suite.output, /skipped|expected failures/);
  });

  it('received only answers that schemas/admin-api.openapi.json describes', () => {
    assert.ok(answers.length >= 50, `only ${answers.length} answers recorded`);
    assert.deepEqual(answers.flatMap(contractProblems), []);
  });

  it('called every operation of the admin API, and saw refusals of each kind it tests', () => {
    const called = new Set(answers.map((a) => `${a.method} ${pathTemplate(new URL(a.url).pathname) ?? new URL(a.url).pathname}`));
    const expected = operations()
      .map((o) => `${o.method} ${o.path}`)
      .filter((o) => !NOT_CALLED_BY_THE_SDK.includes(o));
    assert.deepEqual(
      expected.filter((o) => !called.has(o)),
      [],
    );
    const statuses = new Set(answers.map((a) => a.status));
    for (const status of [200, 201, 400, 401, 403, 404, 409, 412, 422]) assert.ok(statuses.has(status), `no ${status} answer recorded`);
  });

  it('type-checks with mypy --strict for Python 3.9 (sdk/python/pyproject.toml [tool.mypy])', async () => {
    const mypy = await run('mypy', ['--cache-dir', path.join(dir, 'mypy-cache')], process.env);
    assert.notEqual(mypy.code, 127, 'mypy is not installed: scripts/install-test-deps.sh installs it (Debian package "mypy")');
    assert.equal(mypy.code, 0, mypy.output);
    assert.match(mypy.output, /^Success: no issues found in \d+ source files/m);
  });
});
