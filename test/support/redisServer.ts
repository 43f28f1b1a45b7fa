// A real redis-server (Debian's `redis-server` package) for the scale-out tests, on a free loopback port,
// without persistence. It can be stopped and started again on the same port to test outages and recovery.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { killOnExit } from './killOnExit';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Process id of the running server, if any. */
  readonly pid: number | undefined;
  /** Kills the server (SIGKILL: an outage, not a graceful shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same port (nothing to do while it runs). */
  start(): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) it: connections stay open but nothing answers. */
  freeze(frozen: boolean): void;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts a redis-server on `port` (default: a free one); `extraArgs` e.g. `['--replicaof', host, port]`. */
export async function startRedisServer(port?: number, extraArgs: string[] = []): Promise<RedisServer> {
  port ??= await freePort();
  // Its own working directory: a replica's full sync writes dump.rdb there, and a server started where one lies loads it.
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    if (child && child.exitCode === null) return;
    child = await spawnRedis(port, ['--dir', dir, ...extraArgs]);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.exitCode === null ? child.pid : undefined;
    },
    start,
    freeze: (frozen) => child?.kill(frozen ? 'SIGSTOP' : 'SIGCONT'),
    stop: async () => {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = once(running, 'exit');
      running.kill('SIGKILL');
      running.kill('SIGCONT');
      await exited;
    },
  };
}

/**
 * A Redis Sentinel (redis-server in sentinel mode; it rewrites its config file, so each gets its own in `dir`)
 * watching the master group `name` at `masterPort`, quick to declare it down and to fail over.
 */
export async function startRedisSentinel(dir: string, name: string, masterPort: number): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const file = path.join(dir, `sentinel-${port}.conf`);
  writeFileSync(
    file,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${name} 500`,
      `sentinel failover-timeout ${name} 5000`,
      '',
    ].join('\n'),
  );
  const child = await spawnRedisProcess([file, '--sentinel'], (output) => output.includes('+monitor master'));
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function spawnRedis(port: number, extraArgs: string[]): Promise<ChildProcess> {
  return spawnRedisProcess(
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice', ...extraArgs],
    (output) => output.includes('Ready to accept connections'),
  );
}

function spawnRedisProcess(args: string[], isReady: (output: string) => boolean): Promise<ChildProcess> {
  const child = spawn('redis-server', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (isReady(output)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('error', (err) => reject(new Error(`redis-server could not start (apt-get install -y redis-server): ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)));
  });
}
