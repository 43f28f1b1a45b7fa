// `ai-gateway-cli test FILE [--gateway URL] [--junit FILE]`: runs the routes' `tests:` (the engine the editor's
// Testing view uses) against a gateway, prints one line per test, exits 1 when any fails. Without --gateway it starts
// the gateway itself, in this process, on FILE and a free port, so CI needs no other step.
import { Command, Option } from 'commander';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import pino from 'pino';
import { formatDiagnostic, loadConfigFile, type GatewayConfig } from '../../../../common/src/config';
import { ConfigLoadError, startGateway, type RunningGateway } from '../../gateway/startGateway';
import { routeTestCases, runRouteTests, toJUnitXml, type RouteTestResult } from '../../../../sdk/src';
import { ProcessEnv } from '../../../../common/src/protocol';
import { CliError } from '../cliError';
import type { CommandResult } from '../main';
import type { GlobalFlags } from './gatewayConnection';

interface TestFlags {
  junit?: string;
  route?: string[];
  timeout: number;
}

const EXIT = { passed: 0, failed: 1, usage: 2 } as const;

export function testCommand(result: CommandResult): Command {
  return new Command('test')
    .description('Run the route tests (`tests:` of each route) of a config file; exits 1 when one fails.')
    .argument('<file>', 'gateway config whose route tests to run')
    .option('--junit <file>', 'also write the results as JUnit XML to this file')
    .option('--route <name...>', 'only the tests of these routes')
    .addOption(new Option('--timeout <ms>', 'budget of each test request').default(30_000).argParser(parseTimeout))
    .addHelpText(
      'after',
      `
Without the global --gateway URL, the gateway is started in this process on FILE and a free port, and closed after.
With --gateway, the admin key (--key or AI_GATEWAY_API_KEY) lets \`expect.guardrail\` read the gateway's trace.

Exit codes:
  0  every test passed (or there were none)
  1  a test failed or could not be sent, or the config has errors
  2  usage error (no such file, unknown --route)

Example:
  $ ai-gateway-cli test gateway.yaml --junit reports/route-tests.xml
  $ ai-gateway-cli test gateway.yaml --gateway http://127.0.0.1:8080`,
    )
    .action(async (file: string, flags: TestFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalFlags>();
      const gatewayFlag = globals.gateway;
      // Against a remote gateway the env vars it needs are its business: only read the tests (editor mode).
      const config = await loadTests(file, gatewayFlag ? 'editor' : 'start');
      const cases = routeTestCases(config).filter((c) => !flags.route || flags.route.includes(c.route));
      const unknown = (flags.route ?? []).filter((name) => !config.routes.some((r) => r.name === name));
      if (unknown.length > 0) throw new CliError(`--route: ${file} has no route named ${unknown.map((n) => `"${n}"`).join(', ')}`, EXIT.usage);
      if (cases.length === 0) {
        process.stderr.write(`${file}: no route test to run (add a \`tests:\` list to a route).\n`);
        if (flags.junit) await writeJUnit(flags.junit, []);
        return;
      }
      // The admin key lets the runner read the gateway's trace (expect.guardrail): a fresh one for a gateway started here.
      const adminKey = gatewayFlag ? (globals.key ?? process.env[ProcessEnv.apiKey]) : randomBytes(24).toString('base64url');
      const gateway = gatewayFlag ? undefined : await startOn(file, adminKey!);
      const gatewayUrl = gatewayFlag ?? gateway?.url ?? '';
      const started = performance.now();
      let results: RouteTestResult[];
      try {
        process.stdout.write(`Running ${cases.length} route test(s) of ${file} against ${gatewayUrl}${gateway ? ' (started for this run)' : ''}\n`);
        results = await runRouteTests(cases, {
          gatewayUrl,
          adminUrl: gateway?.adminUrl,
          adminKey,
          timeoutMs: flags.timeout,
          onResult: (r) => process.stdout.write(formatResult(r)),
        });
      } finally {
        await gateway?.close();
      }
      const failed = results.filter((r) => !r.passed).length;
      process.stdout.write(
        `\n${results.length} test(s): ${results.length - failed} passed, ${failed} failed (${Math.round(performance.now() - started)} ms)\n`,
      );
      if (flags.junit) await writeJUnit(flags.junit, results);
      result.exitCode = failed > 0 ? EXIT.failed : EXIT.passed;
    });
}

function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`--timeout must be a positive number of milliseconds, got "${value}"`);
  return ms;
}

async function loadTests(file: string, mode: 'editor' | 'start'): Promise<GatewayConfig> {
  let loaded;
  try {
    loaded = await loadConfigFile(file, { mode });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${file}: no such file` : `${file}: ${(err as Error).message}`, code === 'ENOENT' ? EXIT.usage : EXIT.failed);
  }
  for (const d of loaded.diagnostics) if (d.severity === 'error') process.stderr.write(`${formatDiagnostic(file, d)}\n`);
  if (!loaded.config) throw new CliError(`${file} has errors; no test was run.`, EXIT.failed);
  return loaded.config;
}

/** The gateway on FILE, in this process, on loopback and a free port; its warnings (not its access log) on stderr. */
async function startOn(file: string, adminKey: string): Promise<RunningGateway> {
  const logger = pino({ level: 'warn', base: undefined }, { write: (line: string) => void process.stderr.write(gatewayLogLine(line)) });
  try {
    return await startGateway({
      configPath: file,
      host: '127.0.0.1',
      port: 0,
      watch: false,
      logger,
      closeGraceMs: 1_000,
      env: { ...process.env, [ProcessEnv.apiKey]: adminKey },
    });
  } catch (err) {
    if (!(err instanceof ConfigLoadError)) throw err;
    for (const d of err.diagnostics) process.stderr.write(`${formatDiagnostic(file, d)}\n`);
    throw new CliError(`${file} has errors; the gateway did not start and no test was run.`, EXIT.failed);
  }
}

/** A pino JSON line as one readable stderr line; the access log (below warn) stays out of the test output. */
function gatewayLogLine(json: string): string {
  try {
    const { msg, level, time: _time, ...fields } = JSON.parse(json) as Record<string, unknown>;
    // The runtime sets the logger to gateway.logLevel on apply: filter here rather than rely on the level given.
    if (typeof level === 'number' && level < 40) return '';
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `gateway: ${String(msg)}${extra ? ` (${extra})` : ''}\n`;
  } catch {
    return `gateway: ${json}`;
  }
}

function formatResult(result: RouteTestResult): string {
  const took = `${Math.round(result.durationMs)} ms`;
  const head = `${result.passed ? '  ✔' : '  ✘'} ${result.route} › ${result.test} (${took})\n`;
  if (result.error) return `${head}      ${result.request.method} ${result.request.url || '(no URL)'}: ${result.error}\n`;
  return head + result.failures.map((f) => `      ${f.expectation}: expected ${f.expected}, actual ${f.actual}\n`).join('');
}

async function writeJUnit(file: string, results: RouteTestResult[]): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, toJUnitXml(results));
  process.stdout.write(`JUnit XML written to ${file}\n`);
}
