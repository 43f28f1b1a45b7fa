// Running `ai-gateway-cli` as a user does: a child process with its own HOME/XDG_CONFIG_HOME, either with an
// argument list or a shell line copied from the product card (`ai-gateway-cli ...`, `export ...; ai-gateway-cli ...`).
import { execFile, type ExecFileException } from 'node:child_process';
import { cliCommand, repoRoot } from '../support/cli';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export type CliEnv = Record<string, string | undefined>;

function childEnv(env: CliEnv): NodeJS.ProcessEnv {
  const base: CliEnv = { ...process.env };
  delete base.AI_GATEWAY_URL;
  delete base.AI_GATEWAY_API_KEY;
  const merged: CliEnv = { ...base, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged;
}

function finish(resolve: (run: CliRun) => void) {
  return (err: ExecFileException | null, stdout: string, stderr: string) => {
    const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
    resolve({ code, stdout, stderr });
  };
}

/** cliCommand, with `--require tsx/cjs` made absolute so the CLI also starts from a directory outside the repo. */
function command(args: string[]): { command: string; args: string[] } {
  const { command: executable, args: full } = cliCommand(args);
  return { command: executable, args: full.map((a) => (a === 'tsx/cjs' ? require.resolve('tsx/cjs') : a)) };
}

export function runCli(args: string[], env: CliEnv, cwd = repoRoot): Promise<CliRun> {
  const { command: executable, args: full } = command(args);
  return new Promise((resolve) => execFile(executable, full, { env: childEnv(env), cwd, encoding: 'utf8' }, finish(resolve)));
}

/** Runs a product card's command line through `sh -c`, with `ai-gateway-cli` standing for this checkout's CLI. */
export function runCardLine(line: string, env: CliEnv, cwd = repoRoot): Promise<CliRun> {
  const { command: executable, args } = command([]);
  const cli = [executable, ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) =>
    execFile('sh', ['-c', line.replaceAll('ai-gateway-cli', cli)], { env: childEnv(env), cwd, encoding: 'utf8' }, finish(resolve)),
  );
}
