// Where the e2e harness finds things, whether it runs compiled (out/test/e2e) or as TypeScript (test/e2e).
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'ai-gateway-vscode') {
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`e2e: no ai-gateway-vscode package.json above ${start}`);
  }
}

export const repoRoot = findRepoRoot(__dirname);
/** code-server and playwright-core live here, installed by scripts/setup-vscode-test.sh. */
export const vscodeTestDir = path.join(repoRoot, '.vscode-test');
export const codeServerEntry = path.join(vscodeTestDir, 'node_modules/code-server/out/node/entry.js');
export const playwrightCoreDir = path.join(vscodeTestDir, 'node_modules/playwright-core');
/** `AI_GATEWAY_E2E_SCREENSHOTS=docs` refreshes the README's committed screenshots; by default they stay out of git. */
export const screenshotsEnv = 'AI_GATEWAY_E2E_SCREENSHOTS';
export function screenshotsDirFor(env: NodeJS.ProcessEnv = process.env): string {
  const choice = env[screenshotsEnv];
  if (choice === undefined || choice === '') return path.join(vscodeTestDir, 'screenshots');
  if (choice === 'docs') return path.join(repoRoot, 'docs/screenshots');
  throw new Error(
    `e2e: ${screenshotsEnv}=${JSON.stringify(choice)} is not understood: leave it unset (screenshots go to .vscode-test/screenshots/) or set it to "docs" (docs/screenshots/)`,
  );
}
export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
