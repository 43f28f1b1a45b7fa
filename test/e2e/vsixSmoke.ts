// The shipped .vsix, as a user gets it: checks its size and contents, installs it with `code-server
// --install-extension` into a fresh extensions dir, and runs the vsixSuite in that VS Code, offline. VS Code only runs
// extension tests next to an extension under development, so a manifest-only host extension carries the suite, and
// the AI Gateway extension itself is the installed one.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { codeServerEntry, repoRoot } from './paths';

const run = promisify(execFile);
/** The goal the issue sets for the package. */
const maxVsixBytes = 3 * 1024 * 1024;
const requiredEntries = [
  'extension/package.json',
  'extension/LICENSE.txt',
  'extension/dist/extension.js',
  'extension/dist/server.js',
  'extension/dist/cli.js',
  'extension/dist/validationWorker.js',
];

export interface VsixSmokeOptions {
  vsix: string;
  host: string; // code-server-host.js
  workspace: string;
  scratch: string;
}

export async function runVsixSmoke(options: VsixSmokeOptions): Promise<void> {
  const bytes = fs.statSync(options.vsix).size;
  console.log(`vsix: ${path.relative(repoRoot, options.vsix)} is ${(bytes / 1024).toFixed(0)} KiB`);
  if (bytes > maxVsixBytes) throw new Error(`vsix: ${options.vsix} is ${bytes} bytes, over the ${maxVsixBytes} byte goal`);
  checkEntries(options.vsix);

  const extensionsDir = path.join(options.scratch, 'vsix-extensions');
  const userDataDir = path.join(options.scratch, 'vsix-user-data');
  const { stdout, stderr } = await run(
    process.execPath,
    [codeServerEntry, '--install-extension', options.vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir],
    {
      env: { ...process.env, XDG_CONFIG_HOME: path.join(options.scratch, 'vsix-xdg-config'), XDG_DATA_HOME: path.join(options.scratch, 'vsix-xdg-data') },
    },
  );
  if (!/was successfully installed/.test(stdout + stderr)) throw new Error(`vsix: code-server did not install ${options.vsix}:\n${stdout}\n${stderr}`);
  console.log(
    `vsix: installed into a fresh extensions dir: ${fs
      .readdirSync(extensionsDir)
      .filter((d) => !d.endsWith('.json'))
      .join(', ')}`,
  );

  const suiteHost = path.join(options.scratch, 'vsix-suite-host');
  fs.mkdirSync(suiteHost, { recursive: true });
  fs.writeFileSync(
    path.join(suiteHost, 'package.json'),
    JSON.stringify({
      name: 'ai-gateway-vsix-suite-host',
      publisher: 'ai-gateway-e2e',
      version: '0.0.0',
      engines: { vscode: '*' },
    }),
  );
  await runTests({
    vscodeExecutablePath: options.host,
    extensionDevelopmentPath: suiteHost,
    extensionTestsPath: path.join(__dirname, 'vsixSuite/index.js'),
    launchArgs: [options.workspace, `--user-data-dir=${userDataDir}`, `--extensions-dir=${extensionsDir}`],
    extensionTestsEnv: { AI_GATEWAY_E2E_EXTENSIONS_DIR: extensionsDir },
  });
}

/** The package carries what a user needs (README and LICENSE too) and none of the sources, tests or maps. */
function checkEntries(vsix: string): void {
  const names = zipEntryNames(fs.readFileSync(vsix));
  // README.md is the lead's: require it in the package once it exists in the repository.
  const required = fs.existsSync(path.join(repoRoot, 'README.md')) ? [...requiredEntries, 'extension/readme.md'] : requiredEntries;
  if (!fs.existsSync(path.join(repoRoot, 'README.md'))) console.warn('vsix: the repository has no README.md yet, so the package has none');
  const missing = required.filter((entry) => !names.some((n) => n.toLowerCase() === entry.toLowerCase()));
  if (missing.length > 0) throw new Error(`vsix: ${vsix} lacks ${missing.join(', ')} (has ${names.join(', ')})`);
  const stray = names.filter((n) => /\.(ts|map)$|(^|\/)(node_modules|test|out)\//.test(n));
  if (stray.length > 0) throw new Error(`vsix: ${vsix} carries files .vscodeignore should keep out: ${stray.join(', ')}`);
}

/** File names from the zip's central directory (headers "PK\x01\x02": name length at +28, name at +46). */
function zipEntryNames(zip: Buffer): string[] {
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  const names: string[] = [];
  for (let at = zip.indexOf(signature); at !== -1 && at + 46 <= zip.length; at = zip.indexOf(signature, at + 46)) {
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
  }
  return names;
}
