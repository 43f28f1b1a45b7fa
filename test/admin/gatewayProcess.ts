// A real gateway process for the control-plane tests: `ai-gateway-cli start` on a config file in a temp dir, port 0,
// with AI_GATEWAY_API_KEY set. Its JSON log lines are collected so a test can wait for "config applied" and friends.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { ProcessEvents } from '../../common/src/protocol';
import { cliCommand, repoRoot } from '../support/cli';

export const ADMIN_KEY = 'test-admin-key-3f9c1a7e';

export interface LogLine {
  msg?: string;
  [field: string]: unknown;
}

export interface GatewayProcess {
  url: string;
  adminUrl: string;
  dir: string;
  file: string;
  logs: LogLine[];
  readFile(): Promise<string>;
  /** Resolves with the count-th log line (1-based, counting from the start) whose msg is `msg`. */
  waitForLog(msg: string, count?: number): Promise<LogLine>;
  /** Sends a signal to the gateway process (stop() sends SIGTERM and waits). */
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  env?: Record<string, string | undefined>;
  args?: string[];
  fileName?: string;
  /** The CLI command that runs the gateway (default `start`; `record` takes `--out DIR` in `args`). */
  command?: 'start' | 'record';
}

export async function startGatewayProcess(configText: string, options: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ai-gateway-admin-'));
  const file = path.join(dir, options.fileName ?? 'gateway.yaml');
  await writeFile(file, configText);
  const { command, args } = cliCommand([options.command ?? 'start', '--config', file, '--port', '0', ...(options.args ?? [])]);
  const env: Record<string, string | undefined> = { ...process.env, AI_GATEWAY_API_KEY: ADMIN_KEY, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child: ChildProcess = spawn(command, args, { cwd: repoRoot, env: env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: LogLine[] = [];
  const waiters: { msg: string; count: number; resolve: (line: LogLine) => void }[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  const settle = () => {
    for (const waiter of [...waiters]) {
      const matching = logs.filter((l) => l.msg === waiter.msg);
      if (matching.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(matching[waiter.count - 1] as LogLine);
      }
    }
  };
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      logs.push(JSON.parse(text) as LogLine);
    } catch {
      logs.push({ text });
    }
    settle();
  });
  const exited = once(child, 'exit');
  const waitForLog = (msg: string, count = 1) =>
    new Promise<LogLine>((resolve, reject) => {
      waiters.push({ msg, count, resolve });
      settle();
      void exited.then(() => reject(new Error(`the gateway exited before logging "${msg}" x${count}: ${stderr}`)));
    });
  const listening = await waitForLog(ProcessEvents.listening);
  return {
    url: String(listening.url),
    adminUrl: String(listening.adminUrl),
    dir,
    file,
    logs,
    readFile: () => readFile(file, 'utf8'),
    waitForLog,
    kill: (signal) => void child.kill(signal),
    exited: exited.then(() => child.exitCode),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface AdminAnswer<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

/** One admin API call with the test key (or the given authorization), JSON body unless a string is given. */
export async function adminCall<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  pathAndQuery: string,
  options: { body?: unknown; auth?: string | null; contentType?: string; headers?: Record<string, string> } = {},
): Promise<AdminAnswer<T>> {
  const auth = options.auth === undefined ? `Bearer ${ADMIN_KEY}` : options.auth;
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const response = await fetch(`${baseUrl}${pathAndQuery}`, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(body !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}),
      ...options.headers,
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // YAML or empty
  }
  return { status: response.status, headers: response.headers, text, json: json as T };
}
