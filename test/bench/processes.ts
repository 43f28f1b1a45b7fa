// Child processes of the bench: start one, wait for the line that says where it listens, stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export interface Started {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Node with the TypeScript loader when the bench itself runs from source. */
export function nodeArgs(script: string): string[] {
  return __filename.endsWith('.ts') ? ['--require', 'tsx/cjs', script] : [script];
}

export async function startProcess(
  command: string,
  args: string[],
  urlOf: (line: string) => string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Started> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + String(chunk)).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const found = urlOf(line);
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited (${code}) before listening:\n${stderr}`)));
  });
  child.stdout.resume();
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function jsonUrl(line: string): string | undefined {
  try {
    const parsed = JSON.parse(line) as { url?: unknown };
    return typeof parsed.url === 'string' ? parsed.url : undefined;
  } catch {
    return undefined;
  }
}

/** A port free right now, for servers (Portkey) that cannot listen on port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/**
 * User + system CPU time of a process and its child processes (a gateway's workers) so far, in microseconds (Linux
 * /proc); undefined elsewhere or once it exited.
 */
export function cpuTimeUs(pid: number | undefined): number | undefined {
  const own = ownCpuTimeUs(pid);
  if (own === undefined || pid === undefined) return own;
  return childPids(pid).reduce((total, child) => total + (cpuTimeUs(child) ?? 0), own);
}

function childPids(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'latin1').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

function ownCpuTimeUs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND : undefined;
}

/**
 * Resident memory (VmRSS) of a process and its child processes (a gateway's workers), in bytes, from Linux /proc;
 * undefined elsewhere or once it exited. Shared pages of a forked worker are counted in each, as `ps` does.
 */
export function rssBytes(pid: number | undefined): number | undefined {
  const own = ownRssBytes(pid);
  if (own === undefined || pid === undefined) return own;
  return childPids(pid).reduce((total, child) => total + (rssBytes(child) ?? 0), own);
}

function ownRssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK); /proc counts CPU time in these ticks. */
const CLOCK_TICKS_PER_SECOND = 100;

/** A gateway child process; its URL comes from the banner on stderr (at logLevel warn the JSON line is not printed). */
/** A gateway process; `logTail` keeps its first log lines (warn and above at the bench's level): what went wrong first. */
/** `logFile`: its log (stdout) appended to that file instead of read by the bench; `logTail` then stays empty. */
export async function startGatewayProcess(command: string, args: string[], env: NodeJS.ProcessEnv, logFile?: string): Promise<Started & { logTail: string[] }> {
  const logFd = logFile === undefined ? undefined : openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', logFd ?? 'pipe', 'pipe'], env });
  if (logFd !== undefined) closeSync(logFd); // the child has its own copy
  const logTail: string[] = [];
  if (child.stdout)
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (logTail.length < 12) logTail.push(line);
    });
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += String(chunk);
      const found = /listening on (http:\/\/\S+)/.exec(stderr);
      if (found?.[1]) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before listening:\n${stderr}`)));
  });
  return {
    url,
    child,
    logTail,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')))),
  };
}
