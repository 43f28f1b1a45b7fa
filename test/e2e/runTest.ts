// Runs the extension's e2e suite in a real VS Code through @vscode/test-electron. Here the desktop binary cannot be
// downloaded, so code-server-host.js (code-server's VS Code driven by Debian's chromium) stands in for it; where a
// desktop VS Code is reachable, dropping `vscodeExecutablePath` runs the same suite in it. Then the packaged .vsix is
// installed into a fresh VS Code and smoke-tested (vsixSmoke.ts). AI_GATEWAY_E2E_ONLY=suite|vsix runs one of the two.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot, screenshotsDirFor } from './paths';
import { runVsixSmoke } from './vsixSmoke';

async function main(): Promise<void> {
  const bundle = path.join(repoRoot, 'dist/extension.js');
  if (!fs.existsSync(bundle)) throw new Error(`e2e: ${bundle} is missing; run \`npm run bundle\` first`);
  const host = path.join(__dirname, 'code-server-host.js');
  fs.chmodSync(host, 0o755); // tsc does not keep the executable bit; test-electron spawns the file directly

  const only = process.env['AI_GATEWAY_E2E_ONLY'];
  const screenshots = screenshotsDirFor(); // a misspelt AI_GATEWAY_E2E_SCREENSHOTS fails now, not after a minute of tests
  const vsix = path.join(repoRoot, 'ai-gateway.vsix');
  if (only !== 'suite' && !fs.existsSync(vsix)) throw new Error(`e2e: ${vsix} is missing; run \`npm run package\` first`);

  // Tests edit and save configs: give each run a fresh copy of the fixture workspace.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-gateway-e2e-run-'));
  const freshWorkspace = (name: string): string => {
    const workspace = path.join(scratch, name);
    fs.cpSync(path.join(repoRoot, 'test/e2e/fixtures/workspace'), workspace, { recursive: true });
    return workspace;
  };
  const started = Date.now();
  try {
    if (only !== 'vsix') {
      const workspace = freshWorkspace('workspace');
      await runTests({
        vscodeExecutablePath: host,
        extensionDevelopmentPath: repoRoot,
        extensionTestsPath: path.join(__dirname, 'suite/index.js'),
        launchArgs: [workspace, `--user-data-dir=${path.join(scratch, 'user-data')}`, `--extensions-dir=${path.join(scratch, 'extensions')}`],
        extensionTestsEnv: { AI_GATEWAY_E2E_WORKSPACE: workspace },
      });
    }
    if (only !== 'suite') await runVsixSmoke({ vsix, host, workspace: freshWorkspace('vsix-workspace'), scratch });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    console.log(`e2e: finished in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(repoRoot, screenshots)}/`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
