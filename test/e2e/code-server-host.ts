#!/usr/bin/env node
// Stands in for the desktop VS Code binary that @vscode/test-electron would download (unreachable here): it takes
// the same arguments, runs code-server's real VS Code, opens the workbench in Debian's chromium with the
// extension-test payload, relays the suite's output and exits with the suite's exit code. Everything it starts
// (code-server and the processes under it, chromium) is ended before it exits.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { startDriverServer } from './driverServer';
import type { PlaywrightBrowser, PlaywrightChromium, PlaywrightPage } from './playwrightTypes';
import { driverUrlEnv } from './driverProtocol';
import { chromiumPath, codeServerEntry, playwrightCoreDir } from './paths';

interface HostArgs {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  folder?: string;
  userDataDir?: string;
  extensionsDir?: string;
}

const suiteTimeoutMs = Number(process.env['AI_GATEWAY_E2E_TIMEOUT_MS'] ?? 10 * 60_000);

function parseArgs(argv: string[]): HostArgs {
  const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const extensionDevelopmentPath = value('extensionDevelopmentPath');
  const extensionTestsPath = value('extensionTestsPath');
  if (!extensionDevelopmentPath || !extensionTestsPath) {
    throw new Error('code-server-host: --extensionDevelopmentPath= and --extensionTestsPath= are required');
  }
  const folder = argv.find((a) => !a.startsWith('-'));
  return {
    extensionDevelopmentPath: path.resolve(extensionDevelopmentPath),
    extensionTestsPath: path.resolve(extensionTestsPath),
    folder: folder === undefined ? undefined : path.resolve(folder),
    userDataDir: value('user-data-dir'),
    extensionsDir: value('extensions-dir'),
  };
}

/** Starts code-server in its own process group and resolves with its URL once it says it is listening. */
function startCodeServer(args: HostArgs, scratch: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const dir = (name: string, given?: string): string => {
    const d = given ?? path.join(scratch, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const configFile = path.join(dir('config'), 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\n');
  const child = spawn(
    process.execPath,
    [
      codeServerEntry,
      '--auth',
      'none',
      '--bind-addr',
      '127.0.0.1:0',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--ignore-last-opened',
      '--user-data-dir',
      dir('user-data', args.userDataDir),
      '--extensions-dir',
      dir('extensions', args.extensionsDir),
      '--config',
      configFile,
      ...(args.folder ? [args.folder] : []),
    ],
    {
      detached: true, // own process group: one signal ends code-server and everything the extension host spawned
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, XDG_CONFIG_HOME: dir('xdg-config'), XDG_DATA_HOME: dir('xdg-data') },
    },
  );
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      if (process.env['AI_GATEWAY_E2E_VERBOSE']) process.stderr.write(`[code-server] ${text}`);
      seen += text;
      const match = /HTTP server listening on (http:\/\/[^\s/]+)/.exec(seen);
      if (match?.[1]) {
        child.stdout?.off('data', onData);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      if (process.env['AI_GATEWAY_E2E_VERBOSE']) process.stderr.write(`[code-server] ${chunk.toString()}`);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`code-server exited with ${code} before listening:\n${seen}`)));
  });
}

function workbenchUrl(base: string, args: HostArgs): string {
  const remote = (p: string): string => `vscode-remote://${new URL(base).host}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(args.extensionDevelopmentPath)],
    ['extensionTestsPath', remote(args.extensionTestsPath)],
  ];
  const query = new URLSearchParams({ payload: JSON.stringify(payload) });
  if (args.folder) query.set('folder', args.folder);
  return `${base}/?${query.toString()}`;
}

// Workbench chatter around every run (connection set-up, the unreachable marketplace); shown only when verbose.
const workbenchNoise =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin|\[Service Worker\]|ChatSessionStore)|ENOTFOUND (open-vsx\.org|[\w.-]*marketplace)/;

function printAutomationLog(type: string, message: unknown): void {
  // The runner sends console arguments: a printf-style format string first (mocha's reporters use them).
  const text = Array.isArray(message) ? format(...(message as unknown[])) : String(message);
  if (workbenchNoise.test(text) && !process.env['AI_GATEWAY_E2E_VERBOSE']) return;
  (type === 'error' ? process.stderr : process.stdout).write(`${process.env['AI_GATEWAY_E2E_VERBOSE'] ? `[${type}] ` : ''}${text}\n`);
}

/** Opens the workbench; `exitCode` resolves with the code the extension-test runner passes to codeAutomationExit. */
async function openWorkbench(page: PlaywrightPage, url: string): Promise<{ exitCode: Promise<number> }> {
  const exitCode = new Promise<number>((resolve) => {
    void page.exposeFunction('codeAutomationExit', (code: unknown) => resolve(Number(code)));
  });
  await page.exposeFunction('codeAutomationLog', (type: unknown, message: unknown) => printAutomationLog(String(type), message));
  page.on('pageerror', (err) => process.stderr.write(`[workbench] ${String(err)}\n`));
  await page.goto(url);
  return { exitCode };
}

/** Resolves with 1 when code-server exits without the suite having reported its exit code shortly after. */
function codeServerFailure(child: ChildProcess, exitCode: Promise<number>): Promise<number> {
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      // The server may go down a moment before the page relays the suite's own exit code: give that a bounded chance.
      const give = setTimeout(() => {
        process.stderr.write(`code-server-host: code-server exited (${code}) before the suite finished\n`);
        resolve(1);
      }, 5_000);
      void exitCode.then(() => clearTimeout(give));
    });
  });
}

function endProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    // A process that ignores SIGTERM gets SIGKILL: the harness must never leave anything behind.
    const force = setTimeout(() => tryKill(-pid, 'SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      tryKill(-pid, 'SIGKILL'); // stragglers left in the group after code-server itself exited
      resolve();
    });
    tryKill(-pid, 'SIGTERM');
  });
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(codeServerEntry)) {
    throw new Error(`code-server-host: ${codeServerEntry} is missing; run scripts/setup-vscode-test.sh first`);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-gateway-e2e-'));
  let codeServer: ChildProcess | undefined;
  let browser: PlaywrightBrowser | undefined;
  let page: PlaywrightPage | undefined;
  const driver = await startDriverServer(() => page);
  const timeout = setTimeout(() => {
    process.stderr.write(`code-server-host: the suite did not finish within ${suiteTimeoutMs} ms\n`);
    void cleanup().then(() => process.exit(1));
  }, suiteTimeoutMs);
  const cleanup = async (): Promise<void> => {
    clearTimeout(timeout);
    await browser?.close().catch(() => undefined);
    if (codeServer) await endProcessGroup(codeServer);
    await driver.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));
  try {
    const started = await startCodeServer(args, scratch, { ...process.env, [driverUrlEnv]: driver.url });
    codeServer = started.child;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- playwright-core lives in .vscode-test/, outside the project's modules
    const playwright = require(playwrightCoreDir) as { chromium: PlaywrightChromium };
    browser = await playwright.chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const { exitCode } = await openWorkbench(page, workbenchUrl(started.url, args));
    return await Promise.race([exitCode, codeServerFailure(started.child, exitCode)]);
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
