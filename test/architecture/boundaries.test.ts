// The projects' boundaries are the compiler's, not a convention: each project is composite and references only what
// it may use, so an import of anything else fails `tsc -b` with TS6307. A probe file is compiled as if it belonged to
// a project (its tsconfig, its references) and must fail exactly on the forbidden import.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/cli';

const run = promisify(execFile);
const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');

interface Probe {
  project: string;
  references: string[];
  imports: string; // a module path relative to the repository
}

/** Compiles one import as part of `project`; resolves to the compiler's errors about the probe file. */
async function compileProbe(probe: Probe): Promise<string[]> {
  // Inside the repository (out/ is ignored by git) so node_modules and @types resolve as for the real projects.
  const dir = mkdtempSync(path.join(repoRoot, 'out', 'boundary-probe-'));
  try {
    writeFileSync(path.join(dir, 'probe.ts'), `import * as probed from '${path.join(repoRoot, probe.imports)}';\nexport const used = probed;\n`);
    const config = {
      extends: path.join(repoRoot, probe.project, 'tsconfig.json'),
      compilerOptions: { rootDir: repoRoot, outDir: path.join(dir, 'emit'), tsBuildInfoFile: path.join(dir, 'emit', 'build.json') },
      include: ['probe.ts'],
      references: probe.references.map((r) => ({ path: path.join(repoRoot, r) })),
    };
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config));
    const out = await run(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json'), '--noEmit', '--pretty', 'false'], { cwd: dir }).then(
      (r) => r.stdout,
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    return out.split('\n').filter((line) => line.startsWith('probe.ts('));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const references: Record<string, string[]> = {
  common: [],
  sdk: ['common'],
  server: ['common'],
  client: ['common', 'sdk'],
};

describe('project boundaries', function () {
  this.timeout(120_000);

  const forbidden: [string, string][] = [
    ['client', 'runtime/src/gateway/app'],
    ['client', 'server/src/service/languageService'],
    ['server', 'runtime/src/gateway/app'],
    ['server', 'sdk/src/index'],
    ['sdk', 'runtime/src/gateway/app'],
    ['common', 'runtime/src/gateway/app'],
  ];
  for (const [project, target] of forbidden) {
    it(`${project} cannot import ${target}: the build fails with TS6307`, async () => {
      const errors = await compileProbe({ project, references: references[project] ?? [], imports: target });
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0] ?? '', /error TS6307: File '.*' is not listed within the file list of project/);
    });
  }

  it('the imports each project is meant to make compile', async () => {
    const allowed: [string, string][] = [
      ['client', 'common/src/protocol'],
      ['client', 'sdk/src/index'],
      ['server', 'common/src/config/index'],
      ['sdk', 'common/src/protocol'],
    ];
    for (const [project, target] of allowed) {
      assert.deepEqual(await compileProbe({ project, references: references[project] ?? [], imports: target }), [], `${project} -> ${target}`);
    }
  });
});
