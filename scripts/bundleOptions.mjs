// The esbuild options of the three programs the extension ships, shared by scripts/bundle.mjs and the test that
// checks what the extension bundle contains (test/client/extensionBundle.test.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const programs = [
  { name: 'extension', entry: 'client/src/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
  { name: 'server', entry: 'server/src/server.ts', out: 'dist/server.js', external: [] },
  { name: 'cli', entry: 'runtime/src/cli/entry.ts', out: 'dist/cli.js', external: [] },
  // The CLI validates config changes on a worker thread, which loads this file next to dist/cli.js.
  { name: 'cli', entry: 'runtime/src/configStore/validationWorker.ts', out: 'dist/validationWorker.js', external: [] },
];

/** @param {(typeof programs)[number]} program @param {{ minify: boolean }} options */
export function buildOptions(program, { minify }) {
  return {
    entryPoints: [join(root, program.entry)],
    outfile: join(root, program.out),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify,
    sourcemap: minify ? false : 'linked',
    metafile: true,
    logLevel: 'warning',
    // Optional peer modules some dependencies probe for at run time and the gateway never uses; and gpt-tokenizer's
    // tables (3.5 MB), which would take the .vsix past its 3 MiB goal: the bundled gateway estimates tokens instead.
    external: program.name === 'extension' ? program.external : [...program.external, 'pino-pretty', 'bufferutil', 'utf-8-validate', 'gpt-tokenizer'],
  };
}
