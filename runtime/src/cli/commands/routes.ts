// `ai-gateway-cli routes`: the running gateway's routes as a table (or JSON), with how each is protected.
import { Command, Option } from 'commander';
import type { Admin } from '../../../../common/src/protocol';
import type { CommandResult } from '../main';
import { call, EXIT, EXIT_CODES_HELP, gatewayClient } from './gatewayConnection';
import { formatTable } from './table';

export function routesCommand(result: CommandResult): Command {
  return new Command('routes')
    .exitOverride() // usage errors exit 2 (main), like the other documented codes
    .description('List the routes of the running gateway: methods, path, targets, authentication and rate limit.')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText(
      'after',
      `
Examples:
  $ ai-gateway-cli routes
  $ ai-gateway-cli routes --format json --gateway http://gateway:8080
${EXIT_CODES_HELP}
`,
    )
    .action(async (flags: { format: 'table' | 'json' }, command: Command) => {
      const { client } = await gatewayClient(command);
      const routes = await call(() => client.routes());
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(routes, null, 2)}\n`);
      else
        process.stdout.write(
          routes.length === 0 ? 'No routes yet: add one with ai-gateway-cli add-route --path /predict --target http://ai-service:8080\n' : routesTable(routes),
        );
      result.exitCode = EXIT.ok;
    });
}

function routesTable(routes: Admin.Route[]): string {
  const rows = routes.map((r) => [
    r.name,
    r.methods?.join(',') ?? 'ANY',
    r.path,
    r.targets.map((t) => (r.targets.length > 1 && t.weight !== 1 ? `${t.url} (w${t.weight})` : t.url)).join(', '),
    r.security.map((s) => s.auth).join(',') || '-',
    r.security
      .map((s) => s.rateLimit?.requests?.source)
      .filter(Boolean)
      .join(',') || '-',
  ]);
  return formatTable(['NAME', 'METHODS', 'PATH', 'TARGETS', 'AUTH', 'RATE LIMIT'], rows);
}
