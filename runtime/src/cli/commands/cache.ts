// `ai-gateway-cli cache purge ROUTE`: removes a route's stored answers from the running gateway's response cache.
import { Command } from 'commander';
import type { CommandResult } from '../main';
import { call, EXIT, EXIT_CODES_HELP, gatewayClient } from './gatewayConnection';

export function cacheCommand(result: CommandResult): Command {
  const purge = new Command('purge')
    .exitOverride()
    .description("Remove a route's stored answers (every replica's, when they share Redis).")
    .argument('<route>', 'the route name')
    .addHelpText(
      'after',
      `
Examples:
  $ ai-gateway-cli cache purge chat
${EXIT_CODES_HELP}
`,
    )
    .action(async (route: string, _flags: unknown, command: Command) => {
      const { client } = await gatewayClient(command);
      const purged = await call(() => client.purgeCache(route));
      process.stdout.write(`Purged ${purged.purged} stored answer(s) of route "${purged.route}".\n`);
      result.exitCode = EXIT.ok;
    });
  return new Command('cache').exitOverride().description("Manage the running gateway's response cache.").addCommand(purge);
}
