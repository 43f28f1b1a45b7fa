// Makes ai-gateway.vsix from a staging folder holding what .vscodeignore lets in. vsce refuses a package.json "files"
// list beside a .vscodeignore, and the two describe different packages: "files" is the npm package (SDK, CLI,
// runtime), .vscodeignore the extension (three bundles, media, language files). The staged manifest has no "files".
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, process.argv[2] ?? 'ai-gateway.vsix');
const stage = mkdtempSync(join(tmpdir(), 'ai-gateway-vsix-'));
try {
  const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
  // The patterns it lets in are files (`dist/server.js`) or folders (`client/media/**`).
  const included = ignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('!'))
    .map((line) => line.slice(1).replace(/\/\*\*$/, ''));
  for (const entry of included) if (existsSync(join(root, entry))) cpSync(join(root, entry), join(stage, entry), { recursive: true });
  cpSync(join(root, '.vscodeignore'), join(stage, '.vscodeignore'));
  const { files: _npmFiles, ...manifest } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  execFileSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--out', out], {
    cwd: stage,
    stdio: 'inherit',
  });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
