// The package as a user gets it: `npm pack`, installed from the tarball into a new TypeScript project (offline: its
// dependencies are copied from this checkout's node_modules first), which imports `ai-gateway-vscode/sdk` under
// `strict` with both module resolutions, requires it at run time, and runs the CLI it ships.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../support/cli';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) =>
    execFile(command, args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
}

/** Copies the package's runtime dependencies (and what they need) from this checkout's node_modules into `dir`. */
function copyDependencies(dir: string, extra: string[]): void {
  const modules = path.join(repoRoot, 'node_modules');
  const manifest = (at: string) => JSON.parse(readFileSync(path.join(at, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const resolve = (name: string, from: string): string | undefined => {
    for (let at = from; ; at = path.dirname(at)) {
      const candidate = path.join(at, 'node_modules', name);
      if (existsSync(path.join(candidate, 'package.json'))) return candidate;
      if (path.dirname(at) === at) return undefined;
    }
  };
  const seen = new Set<string>();
  const queue: [string, string][] = [...Object.keys(manifest(repoRoot).dependencies ?? {}), ...extra].map((name) => [name, repoRoot]);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [name, from] = next;
    const found = resolve(name, from);
    if (!found || seen.has(found)) continue;
    seen.add(found);
    // Hoisted packages are copied whole (nested node_modules included); nested ones come with their parent.
    if (found === path.join(modules, name)) cpSync(found, path.join(dir, 'node_modules', name), { recursive: true, verbatimSymlinks: true });
    const own = manifest(found);
    for (const dependency of Object.keys({ ...own.dependencies, ...own.optionalDependencies })) queue.push([dependency, found]);
  }
}

const USE = `import { AIGateway, AIGatewayError, connect, type Admin, type GatewayConfig } from 'ai-gateway-vscode/sdk';

export async function names(): Promise<string[]> {
  const gateway = new AIGateway({ url: 'http://127.0.0.1:8080', apiKey: 'key' });
  const routes: Admin.Route[] = await gateway.routes();
  return routes.map((route) => route.name);
}

export async function current(): Promise<GatewayConfig['routes'] | undefined> {
  try {
    const gateway = await connect({ cluster: 'aimlops' });
    return (await gateway.routes()).map(({ security: _security, ...route }) => route);
  } catch (err) {
    if (err instanceof AIGatewayError) return undefined;
    throw err;
  }
}
`;

// A misuse the declarations must catch (were the module untyped, it would compile).
const MISUSE = `import { AIGateway } from 'ai-gateway-vscode/sdk';
export const count: number = new AIGateway({ url: 'http://127.0.0.1:8080' }).routes;
`;

describe('the packed package: the SDK with its type declarations, and the CLI', function () {
  this.timeout(180_000);
  let work: string;
  let project: string;
  let files: string[];

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'ai-gateway-pack-'));
    // The test suite runs after `tsc -b`; packing must not build again while other tests read out/.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], repoRoot);
    assert.equal(packed.code, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(info);
    files = info.files.map((f) => f.path);
    project = path.join(work, 'consumer');
    copyDependencies(project, ['@types/node']);
    await writeFile(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'sdk-consumer', version: '1.0.0', private: true, devDependencies: { '@types/node': '^20.19.43' } }),
    );
    const installed = await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', path.join(work, info.filename)], project);
    assert.equal(installed.code, 0, installed.stderr);
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('contains the compiled SDK with its declarations, the CLI, its launcher and the schema, and no tests', () => {
    for (const file of [
      'out/sdk/src/index.js',
      'out/sdk/src/index.d.ts',
      'out/common/src/config/index.d.ts',
      'out/runtime/src/cli/entry.js',
      'out/schemas/gateway.schema.json',
      'bin/ai-gateway-cli.js',
      'schemas/gateway.schema.json',
    ]) {
      assert.ok(files.includes(file), `${file} is packed`);
    }
    assert.ok(!files.some((f) => f.startsWith('out/test/') || f.startsWith('out/client/') || f.startsWith('node_modules/')));
  });

  for (const resolution of [
    { module: 'node16', moduleResolution: 'node16' },
    { module: 'commonjs', moduleResolution: 'node' },
  ]) {
    it(`compiles a file using the SDK under strict (moduleResolution ${resolution.moduleResolution}), where a misuse is a type error`, async () => {
      const compilerOptions = { strict: true, noEmit: true, target: 'ES2022', types: ['node'], ...resolution };
      await writeFile(path.join(project, 'use.ts'), USE);
      await writeFile(path.join(project, 'misuse.ts'), MISUSE);
      await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['use.ts', 'misuse.ts'] }));
      const compiled = await run(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], project);
      // Exactly one error, the misuse: the SDK's declarations (and what they import) check clean under strict.
      const errors = compiled.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
      assert.equal(errors.length, 1, compiled.stdout + compiled.stderr);
      assert.match(errors[0] ?? '', /^misuse\.ts\(2,14\): error TS2322: Type '.*' is not assignable to type 'number'/);
    });
  }

  it('requires the SDK at run time and runs the CLI from node_modules/.bin', async () => {
    const required = await run(process.execPath, ['-e', "process.stdout.write(typeof require('ai-gateway-vscode/sdk').AIGateway)"], project);
    assert.equal(required.stdout, 'function', required.stderr);
    const cli = await run(
      path.join(project, 'node_modules/.bin/ai-gateway-cli'),
      ['validate', path.join(repoRoot, 'test/fixtures/card-example.yaml')],
      project,
    );
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout + cli.stderr, /warning: auth: jwt names no key yet/);
  });
});
