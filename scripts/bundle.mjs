// Bundles the three programs the extension ships into dist/: the extension itself (loaded by VS Code, `vscode`
// external), the language server and the gateway runtime CLI (both spawned with the extension host's node).
// Usage: node scripts/bundle.mjs [--minify] [--only extension|server|cli ...]
import * as esbuild from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildOptions, programs, root } from './bundleOptions.mjs';

const args = process.argv.slice(2);
const minify = args.includes('--minify');
const only = args.flatMap((a, i) => (args[i - 1] === '--only' ? [a] : []));

let failed = 0;
for (const program of programs) {
  if (only.length > 0 && !only.includes(program.name)) continue;
  const entry = join(root, program.entry);
  if (!existsSync(entry)) {
    console.error(`bundle: ${program.entry} does not exist; the ${program.name} bundle was not built`);
    failed++;
    continue;
  }
  const started = Date.now();
  try {
    const result = await esbuild.build(buildOptions(program, { minify }));
    if (minify) rmSync(join(root, `${program.out}.map`), { force: true }); // no stale map next to a minified bundle
    const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
    console.log(`bundle: ${program.out} ${(bytes / 1024).toFixed(0)} KiB in ${Date.now() - started} ms`);
  } catch {
    failed++; // esbuild already printed the errors with file and line
  }
}
process.exitCode = failed > 0 ? 1 : 0;
