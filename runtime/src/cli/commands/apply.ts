// `ai-gateway-cli apply`: validate the remembered (or given) config locally, push it to the gateway, and print
// the routes it added, changed and removed. Nothing is sent while the file has errors.
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { loadConfig } from '../../../../common/src/config';
import { CliError } from '../cliError';
import type { CommandResult } from '../main';
import { call, EXIT, EXIT_CODES_HELP, gatewayClient, printDiagnostics } from './gatewayConnection';

export function applyCommand(result: CommandResult): Command {
  return new Command('apply')
    .exitOverride() // usage errors exit 2 (main), like the other documented codes
    .description('Validate the config file locally, push it to the gateway (applied atomically, or refused with diagnostics), print what changed.')
    .option('--config <file>', 'config file to push (default: the one saved by `init --config`)')
    .addHelpText(
      'after',
      `
Examples:
  $ ai-gateway-cli apply                      # the file saved by: ai-gateway-cli init --config path/to/config.yaml
  $ ai-gateway-cli apply --config gateway.yaml --gateway http://gateway:8080
${EXIT_CODES_HELP}
`,
    )
    .action(async (flags: { config?: string }, command: Command) => {
      const { client, connection } = await gatewayClient(command);
      const file = flags.config ?? connection.config;
      if (!file) throw new CliError('No config file to apply: pass --config FILE, or remember one with `ai-gateway-cli init --config FILE`.', EXIT.usage);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new CliError(
          `${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}. Check the path, or run \`ai-gateway-cli init --config ${file}\`.`,
          EXIT.failed,
        );
      }
      // Editor mode: variables the gateway's environment sets may be unset here; the gateway checks them itself.
      const local = loadConfig(text, { mode: 'editor' });
      printDiagnostics(file, local.diagnostics);
      if (!local.config) throw new CliError(`${file} has errors; nothing was pushed. Fix the lines above and retry.`, EXIT.failed);
      const applied = await call(() => client.applyConfig(text), file);
      // What only the gateway can tell (a setting that waits for a restart), beside the warnings printed above.
      const printed = new Set(local.diagnostics.map((d) => `${d.code}|${d.message}`));
      printDiagnostics(
        file,
        applied.warnings.filter((d) => !printed.has(`${d.code}|${d.message}`)),
        ['warning'],
      );
      const list = (names: string[]) => (names.length > 0 ? names.join(', ') : 'none');
      process.stdout.write(`Applied ${file} to ${connection.url}.\n`);
      process.stdout.write(
        `Routes added: ${list(applied.changes.added)}\nRoutes changed: ${list(applied.changes.changed)}\nRoutes removed: ${list(applied.changes.removed)}\n`,
      );
      result.exitCode = EXIT.ok;
    });
}
