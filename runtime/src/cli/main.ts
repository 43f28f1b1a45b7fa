// The `ai-gateway-cli` program: a registry of commands, one file each under ./commands. A command reports its
// exit code through the `CommandResult` it is given (or process.exitCode), or throws a CliError; main returns it.
import { Command, CommanderError } from 'commander';
import { CliError } from './cliError';
import { addRouteCommand } from './commands/addRoute';
import { applyCommand } from './commands/apply';
import { cacheCommand } from './commands/cache';
import { configCommand } from './commands/config';
import { initCommand } from './commands/init';
import { metricsCommand } from './commands/metrics';
import { mockCommand } from './commands/mock';
import { recordCommand } from './commands/record';
import { routesCommand } from './commands/routes';
import { secureCommand } from './commands/secure';
import { spendCommand } from './commands/spend';
import { startCommand } from './commands/start';
import { testCommand } from './commands/test';
import { validateCommand } from './commands/validate';
import { webhookCommand } from './commands/webhook';

export interface CommandResult {
  exitCode?: number;
}

export type CommandFactory = (result: CommandResult) => Command;

const COMMANDS: CommandFactory[] = [
  startCommand,
  recordCommand,
  mockCommand,
  validateCommand,
  testCommand,
  webhookCommand,
  initCommand,
  applyCommand,
  addRouteCommand,
  secureCommand,
  metricsCommand,
  spendCommand,
  cacheCommand,
  configCommand,
  routesCommand,
];

export async function main(argv: string[]): Promise<number | void> {
  const result: CommandResult = {};
  const program = new Command('ai-gateway-cli')
    .description('Route, secure and monitor AI requests: run the gateway, validate its config, manage it.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    // Global: used by the commands that talk to a running gateway's admin API.
    .option('--gateway <url>', 'gateway (admin API) URL [env AI_GATEWAY_URL, then the saved context, then http://127.0.0.1:8080]')
    .option('--key <key>', 'admin API key [env AI_GATEWAY_API_KEY, then the saved context]');
  // addCommand does not pass exitOverride down: without it a subcommand's usage error would exit the process with 1.
  for (const create of COMMANDS) program.addCommand(create(result).exitOverride());
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // usage errors: 2, --help: 0
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`Error: ${err.message}\n`);
    return err.exitCode;
  }
  return result.exitCode ?? (typeof process.exitCode === 'number' ? process.exitCode : 0);
}
