// `ai-gateway-cli config`: print the gateway's config, or change a setting of it (`--log-level debug`).
import { Command, Option } from 'commander';
import { LOG_LEVELS, type LogLevel } from '../../../../common/src/config';
import type { CommandResult } from '../main';
import { call, EXIT, EXIT_CODES_HELP, gatewayClient } from './gatewayConnection';

interface ConfigFlags {
  logLevel?: LogLevel;
  persist: boolean;
}

export function configCommand(result: CommandResult): Command {
  return new Command('config')
    .exitOverride() // usage errors exit 2 (main), like the other documented codes
    .description("Print the running gateway's config file, or change its log level while it runs.")
    .addOption(new Option('--log-level <level>', 'set the log level now (and as gateway.logLevel in the config file)').choices([...LOG_LEVELS]))
    .option('--no-persist', 'change the level of the running process only, not the file')
    .addHelpText(
      'after',
      `
Examples:
  $ ai-gateway-cli config --log-level debug
  $ ai-gateway-cli config --log-level info --no-persist
  $ ai-gateway-cli config > gateway.yaml
${EXIT_CODES_HELP}
`,
    )
    .action(async (flags: ConfigFlags, command: Command) => {
      const { client } = await gatewayClient(command);
      if (flags.logLevel) {
        const level = flags.logLevel;
        const changed = await call(() => client.setLogLevel(level, { persist: flags.persist }));
        process.stdout.write(
          `Log level is now ${changed.level}${changed.persisted ? ' (saved as gateway.logLevel in the config file)' : ' (this process only)'}.\n`,
        );
      } else {
        process.stdout.write(await call(() => client.config()));
      }
      result.exitCode = EXIT.ok;
    });
}
