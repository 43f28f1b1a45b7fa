// A gateway replica as a real child process (`ai-gateway-cli start`), with its JSON log lines collected so a
// test can wait for an event (listening, store unavailable, recovered, config applied) instead of sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ProcessEvents } from '../../common/src/protocol';
import { cliCommand } from './cli';
import { killOnExit } from './killOnExit';

export interface GatewayProcess {
  url: string;
  lines: Record<string, unknown>[];
  /** Resolves with the first line (logged before or after the call) whose msg is `msg` and that passes `test`. */
  waitFor(msg: string, test?: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startGatewayProcess(configPath: string, env: Record<string, string> = {}, extraArgs: string[] = []): Promise<GatewayProcess> {
  const { command, args } = cliCommand(['start', '--config', configPath, '--host', '127.0.0.1', '--port', '0', ...extraArgs]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  killOnExit(child);
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const text of complete) {
      if (!text.startsWith('{')) continue;
      lines.push(JSON.parse(text) as Record<string, unknown>);
    }
    child.emit('lines');
  });

  const waitFor = (msg: string, test: (line: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = lines.find((line) => line.msg === msg && test(line));
        if (!found) return;
        cleanup();
        resolve(found);
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`gateway exited before logging "${msg}":\n${stderr}`));
      };
      const cleanup = (): void => {
        child.off('lines', check);
        child.off('exit', onExit);
      };
      child.on('lines', check);
      child.once('exit', onExit);
      check();
    });

  const listening = await waitFor(ProcessEvents.listening);
  return { url: String(listening.url), lines, waitFor, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
