// How a test starts the real CLI as a child process: compiled JS under `npm test`, the TypeScript
// source through tsx when a test file is run directly with `mocha --require tsx/cjs`.
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, __filename.endsWith('.ts') ? '../..' : '../../..');

export function cliCommand(args: string[]): { command: string; args: string[] } {
  if (__filename.endsWith('.ts')) {
    return { command: process.execPath, args: ['--require', 'tsx/cjs', path.join(repoRoot, 'runtime/src/cli/entry.ts'), ...args] };
  }
  return { command: process.execPath, args: [path.join(repoRoot, 'bin/ai-gateway-cli.js'), ...args] };
}

export { repoRoot };
