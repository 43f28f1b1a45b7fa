// The extension bundle (dist/extension.js) parses no YAML and validates no JSON Schema of its own: everything it shows
// of a gateway document comes from the language server. Checked on esbuild's metafile of the build `npm run bundle`
// makes (the same options, from scripts/bundleOptions.mjs), without writing the bundle.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { repoRoot } from '../support/cli';

const run = promisify(execFile);

/** The options scripts/bundle.mjs builds the extension with (an ES module, read through a child node). */
async function extensionBuildOptions(): Promise<esbuild.BuildOptions> {
  const options = pathToFileURL(path.join(repoRoot, 'scripts/bundleOptions.mjs')).href;
  const script = `import { buildOptions, programs } from ${JSON.stringify(options)};
process.stdout.write(JSON.stringify(buildOptions(programs.find((p) => p.name === 'extension'), { minify: true })));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot });
  return JSON.parse(stdout) as esbuild.BuildOptions;
}

describe('extension bundle', function () {
  this.timeout(60_000);

  it('contains no YAML parser and no JSON-schema validator (the language server is the one parse)', async () => {
    const result = await esbuild.build({ ...(await extensionBuildOptions()), absWorkingDir: repoRoot, write: false, metafile: true });
    // Relative to the repository; packages may resolve through a symlinked node_modules to a path outside it.
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.includes('client/src/extension.ts'), `the metafile lists the extension's sources: ${inputs.slice(0, 5).join(', ')}`);
    assert.ok(
      inputs.some((input) => input.includes('node_modules/vscode-languageclient/')),
      'and the packages it bundles',
    );
    const parsers = inputs.filter((input) => /(^|\/)node_modules\/(yaml|ajv[^/]*)\//.test(input));
    assert.deepEqual(parsers, [], 'no input from node_modules/yaml or node_modules/ajv');
    const configModel = inputs.filter((input) => input.startsWith('common/src/config/'));
    assert.deepEqual(configModel, [], 'nothing of the config model runs in the extension host (its types are erased)');
  });
});
