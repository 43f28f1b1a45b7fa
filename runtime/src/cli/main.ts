// `ai-gateway-cli`: a registry of commands, one module each under ./commands/.
import { Command, CommanderError } from 'commander';
import { CliError } from './cliError';
import { validateCommand } from './commands/validate';
import { webhookCommand } from './commands/webhook';

export function buildProgram(): Command {
  const program = new Command('ai-gateway-cli')
    .description('Route, secure and monitor AI requests: run the gateway, validate its YAML, manage it over the admin API.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const command of [validateCommand(), webhookCommand()]) program.addCommand(command);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      process.stderr.write(`Error: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
