// Compiles the e2e harness and suite (test/e2e/**/*.ts) to .vscode-test/out with esbuild, one file per file: the
// e2e run then needs neither `tsc -b` over the whole project nor the shared out/ folder. Types are checked by `npm test`.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = readdirSync(join(root, 'test/e2e'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.startsWith('fixtures'))
  .map((file) => join(root, 'test/e2e', file));
// Product modules the suite imports at run time (not only their types), compiled alongside so relative imports resolve.
sources.push(join(root, 'common/src/nodeFlags.ts'));

const started = Date.now();
await esbuild.build({
  entryPoints: sources,
  outbase: root,
  outdir: join(root, '.vscode-test/out'),
  bundle: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
});
console.log(`build-e2e: ${sources.length} files to ${relative(root, join(root, '.vscode-test/out'))} in ${Date.now() - started} ms`);
