// `ai-gateway-cli secure --endpoint /predict --auth jwt --rate-limit 100/min`: PUT /api/v1/security/{endpoint}.
// Sets the given fields of the endpoint's rule (creating it if needed) and keeps the others as they are.
import { Command, Option } from 'commander';
import type { Admin } from '../../../../common/src/protocol';
import { CliError } from '../cliError';
import type { CommandResult } from '../main';
import { call, EXIT, EXIT_CODES_HELP, gatewayClient, gatewayFile, printDiagnostics } from './gatewayConnection';

interface SecureFlags {
  endpoint: string;
  auth?: 'jwt' | 'api-key' | 'none';
  rateLimit?: string;
  jwtSecretEnv?: string;
  apiKey?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function secureCommand(result: CommandResult): Command {
  return new Command('secure')
    .exitOverride() // usage errors exit 2 (main), like the other documented codes
    .description('Set the authentication and rate limit of an endpoint (a route path) on the running gateway and in its config file.')
    .requiredOption('--endpoint <path>', 'route path to protect, e.g. /predict')
    .addOption(new Option('--auth <type>', 'authentication').choices(['jwt', 'api-key', 'none']))
    .option('--rate-limit <rate>', 'requests per window: 100 (per minute), 100/min, 10/s, 5000/hour, 100000/day; "off" removes it')
    .option('--jwt-secret-env <name>', 'environment variable of the gateway holding the HS256 secret (auth jwt)')
    .option('--api-key <name=ENV>', 'a consumer and the environment variable holding its key (auth api-key); repeatable', collect)
    .addHelpText(
      'after',
      `
Examples:
  $ ai-gateway-cli secure --endpoint /predict --auth jwt --rate-limit 100/min
  $ ai-gateway-cli secure --endpoint /chat --auth api-key --rate-limit 50/min
  $ ai-gateway-cli secure --endpoint /chat --auth api-key --api-key team-a=TEAM_A_KEY
  $ ai-gateway-cli secure --endpoint /predict --auth jwt --jwt-secret-env JWT_SECRET
${EXIT_CODES_HELP}
`,
    )
    .action(async (flags: SecureFlags, command: Command) => {
      const { client, connection } = await gatewayClient(command);
      const body: Admin.SecurityInput = {
        ...(flags.auth ? { authType: flags.auth } : {}),
        ...(flags.rateLimit !== undefined ? { rateLimit: rateLimitValue(flags.rateLimit) } : {}),
        ...(flags.jwtSecretEnv ? { jwt: { secretEnv: flags.jwtSecretEnv } } : {}),
        ...(flags.apiKey ? { apiKeys: flags.apiKey.map(apiKeyEntry) } : {}),
      };
      const applied = await call(() => client.updateSecurity(flags.endpoint, body));
      printDiagnostics(
        gatewayFile(applied, connection),
        applied.warnings.filter((d) => d.path[0] === 'security'),
        ['warning'],
      );
      const rule = applied.rule;
      const limit = rule.rateLimit?.requests?.source ?? 'none';
      process.stdout.write(`Security for ${rule.endpoint} ${applied.created ? 'created' : 'updated'}: auth ${rule.auth}, rate limit ${limit}\n`);
      result.exitCode = EXIT.ok;
    });
}

/** `100` stays a number (per minute: the short form `rateLimit: 100`); `off` removes the limit. */
function rateLimitValue(text: string): number | string | null {
  if (text === 'off' || text === 'none') return null;
  return /^\d+$/.test(text) ? Number(text) : text;
}

function apiKeyEntry(text: string): { name: string; keyEnv: string } {
  const match = /^([^=]+)=([A-Za-z_][A-Za-z0-9_]*)$/.exec(text);
  if (!match) throw new CliError(`--api-key "${text}": write NAME=ENV_VAR, e.g. --api-key team-a=TEAM_A_KEY.`, EXIT.usage);
  return { name: match[1] as string, keyEnv: match[2] as string };
}
