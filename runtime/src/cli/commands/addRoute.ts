// `ai-gateway-cli add-route --path /predict --target http://ai-service:8080 --method POST`: POST /api/v1/routes.
// The route is written into the gateway's config file with its comments kept, and serves at once.
import { Command } from 'commander';
import type { Admin } from '../../../../common/src/protocol';
import type { CommandResult } from '../main';
import { call, EXIT, EXIT_CODES_HELP, gatewayClient, gatewayFile, printDiagnostics } from './gatewayConnection';

interface AddRouteFlags {
  path: string;
  target: string[];
  method?: string[];
  name?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addRouteCommand(result: CommandResult): Command {
  return new Command('add-route')
    .exitOverride() // usage errors exit 2 (main), like the other documented codes
    .description('Add a route to the running gateway and its config file.')
    .requiredOption('--path <path>', 'request path to match, e.g. /predict, /v1/*, /models/:id')
    .requiredOption('--target <url>', 'backend URL; repeat for several targets (balanced, with failover)', collect)
    .option('--method <method>', 'HTTP method; repeat for several (default: any)', collect)
    .option('--name <name>', 'route name (default: derived from the path)')
    .addHelpText(
      'after',
      `
Examples:
  $ ai-gateway-cli add-route --path /predict --target http://ai-service:8080 --method POST
  $ ai-gateway-cli add-route --path /chat --target http://llm-service:5000
  $ ai-gateway-cli add-route --name chat --path /v1/chat/completions --target http://a:9101 --target http://b:9102 --method POST
${EXIT_CODES_HELP}
`,
    )
    .action(async (flags: AddRouteFlags, command: Command) => {
      const { client, connection } = await gatewayClient(command);
      const [first, ...more] = flags.target;
      const methods = flags.method?.map((m) => m.toUpperCase());
      const body: Admin.RouteInput = {
        ...(flags.name ? { name: flags.name } : {}),
        path: flags.path,
        ...(more.length === 0 ? { target: first } : { targets: flags.target }),
        ...(methods?.length === 1 ? { method: methods[0] } : methods ? { methods } : {}),
      };
      const created = await call(() => client.createRoute(body));
      const route = created.route;
      printDiagnostics(
        gatewayFile(created, connection),
        created.warnings.filter((d) => d.message.includes(`"${route.name}"`)),
        ['warning'],
      );
      process.stdout.write(
        `Route "${route.name}" added: ${route.methods?.join(',') ?? 'ANY'} ${route.path} -> ${route.targets.map((t) => t.url).join(', ')}\n`,
      );
      result.exitCode = EXIT.ok;
    });
}
