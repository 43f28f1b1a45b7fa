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
export const screenshotsDir = path.join(repoRoot, 'docs/screenshots');
export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
