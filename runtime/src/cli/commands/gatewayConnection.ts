// What the admin commands (init, apply, add-route, secure, metrics, config, routes) share: the global
// --gateway/--key flags resolved against the environment and the saved context, one SDK client, and failures
// turned into one line (status, message, what to do) with a documented exit code.
import type { Command } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../../../../common/src/config';
import { AIGateway, AIGatewayError, readUserConfig, resolveConnection, type Connection } from '../../../../sdk/src';
import { Admin } from '../../../../common/src/protocol';
import { CliError } from '../cliError';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, unauthorized: 4 } as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  the gateway refused the change, or the config has errors
  2  usage error, or no API key (--key, AI_GATEWAY_API_KEY or init --cluster NAME --key KEY)
  3  the gateway cannot be reached (--gateway, AI_GATEWAY_URL)
  4  the API key was refused (401) or the admin API is off (403)`;

export interface GlobalFlags {
  gateway?: string;
  key?: string;
}

async function connection(command: Command): Promise<Connection> {
  const flags = command.optsWithGlobals<GlobalFlags>();
  try {
    return resolveConnection({ url: flags.gateway, apiKey: flags.key }, await readUserConfig());
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), EXIT.usage);
  }
}

/** The SDK client for this invocation; exits 2 with "API key required" when no key is known. */
export async function gatewayClient(command: Command): Promise<{ client: AIGateway; connection: Connection }> {
  const resolved = await connection(command);
  if (!resolved.apiKey) {
    throw new CliError('API key required: pass --key KEY, set AI_GATEWAY_API_KEY, or save it with `ai-gateway-cli init --cluster NAME --key KEY`.', EXIT.usage);
  }
  const client = new AIGateway({
    url: resolved.url,
    apiKey: resolved.apiKey,
    onRetry: ({ status, delayMs, attempt }) => process.stderr.write(`Gateway answered ${status}; retrying in ${delayMs} ms (retry ${attempt}).\n`),
  });
  return { client, connection: resolved };
}

/** Runs an SDK call; a refusal becomes the diagnostics (as `validate` prints them) and one error line. */
export async function call<T>(work: () => Promise<T>, diagnosticsFile?: string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof AIGatewayError)) throw err;
    printDiagnostics(diagnosticsFile ?? err.file ?? '<request>', err.diagnostics, ['error']);
    const status = err.status === 0 ? '' : `${err.status} `;
    throw new CliError(`${status}${err.type}: ${err.message}${hint(err)}`, exitCode(err));
  }
}

/** What a change's warnings point into: the gateway's config file, or (a gateway without one) its config as GET /config shows it. */
export function gatewayFile(result: { file?: string }, connection: Connection): string {
  return result.file ?? `${connection.url}${Admin.basePath}/config`;
}

export function printDiagnostics(file: string, diagnostics: Diagnostic[], severities: Diagnostic['severity'][] = ['error', 'warning']): void {
  for (const d of diagnostics) if (severities.includes(d.severity)) process.stderr.write(`${formatDiagnostic(file, d)}\n`);
}

function exitCode(err: AIGatewayError): number {
  if (err.status === 0) return err.type === 'api_key_required' ? EXIT.usage : EXIT.unreachable;
  if (err.status === 401 || err.type === 'admin_disabled') return EXIT.unauthorized;
  return EXIT.failed;
}

function hint(err: AIGatewayError): string {
  if (err.status === 401) return ' Check --key or AI_GATEWAY_API_KEY.';
  if (err.status === 422 && err.diagnostics.length > 0) return ' Fix the lines above and retry.';
  if (err.type === 'apply_failed' && /\bjwt\b/i.test(err.message)) return ' Name the key first: secure --endpoint PATH --jwt-secret-env JWT_SECRET.';
  if (err.type === 'apply_failed' && /api key/i.test(err.message)) return ' Name a key first: secure --endpoint PATH --api-key NAME=ENV_VAR.';
  return '';
}
