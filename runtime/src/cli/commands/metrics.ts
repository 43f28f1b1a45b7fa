// `ai-gateway-cli metrics`: the per-route summary over the gateway's recent window, as a table or JSON.
import { Command, Option } from 'commander';
import type { Admin } from '../../../../common/src/protocol';
import type { CommandResult } from '../main';
import { call, EXIT, EXIT_CODES_HELP, gatewayClient } from './gatewayConnection';
import { formatTable } from './table';

interface MetricsFlags {
  format: 'table' | 'json';
  endpoint?: string;
  route?: string;
  type?: 'latency' | 'requests' | 'errors' | 'tokens';
}

export function metricsCommand(result: CommandResult): Command {
  return new Command('metrics')
    .exitOverride() // usage errors exit 2 (main), like the other documented codes
    .description('Show requests, latency percentiles, errors and tokens per route over the recent window.')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--endpoint <path>', 'only the route(s) with this path, e.g. /chat')
    .option('--route <name>', 'only this route')
    .addOption(new Option('--type <type>', 'what to show in the table').choices(['latency', 'requests', 'errors', 'tokens']))
    .addHelpText(
      'after',
      `
Examples:
  $ ai-gateway-cli metrics
  $ ai-gateway-cli metrics --format json
  $ ai-gateway-cli metrics --endpoint /chat
  $ ai-gateway-cli metrics --type latency --route chat
${EXIT_CODES_HELP}
`,
    )
    .action(async (flags: MetricsFlags, command: Command) => {
      const { client } = await gatewayClient(command);
      const summary = await call(() => client.metrics({ type: flags.type, route: flags.route, endpoint: flags.endpoint }));
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else process.stdout.write(metricsTable(summary, flags.type));
      result.exitCode = EXIT.ok;
    });
}

const COLUMNS: Record<string, { header: string; cell: (r: Admin.RouteMetricsSummary) => string }[]> = {
  requests: [
    { header: 'REQUESTS', cell: (r) => String(r.count) },
    { header: 'RATE/S', cell: (r) => r.rate.toFixed(2) },
  ],
  latency: [
    { header: 'P50 MS', cell: (r) => ms(r.p50) },
    { header: 'P95 MS', cell: (r) => ms(r.p95) },
    { header: 'P99 MS', cell: (r) => ms(r.p99) },
  ],
  errors: [
    { header: 'ERRORS', cell: (r) => String(r.errors) },
    { header: 'ERROR %', cell: (r) => (r.errorRatio * 100).toFixed(1) },
  ],
  tokens: [
    { header: 'TOKENS', cell: (r) => String(r.tokens.total) },
    { header: 'PROMPT', cell: (r) => String(r.tokens.prompt) },
    { header: 'COMPLETION', cell: (r) => String(r.tokens.completion) },
  ],
};

function metricsTable(summary: Admin.MetricsSummary, type: MetricsFlags['type']): string {
  const columns = type
    ? [...(type === 'requests' ? [] : COLUMNS.requests!.slice(0, 1)), ...COLUMNS[type]!]
    : [...COLUMNS.requests!, ...COLUMNS.latency!, ...COLUMNS.errors!, COLUMNS.tokens![0]!];
  if (summary.routes.length === 0) return 'No routes match.\n';
  const rows = summary.routes.map((r) => [r.route, ...columns.map((c) => c.cell(r)), unhealthy(r)]);
  return `${formatTable(['ROUTE', ...columns.map((c) => c.header), 'DOWN TARGETS'], rows)}(last ${summary.windowSeconds} s)\n`;
}

function ms(value: number): string {
  return value.toFixed(1);
}

function unhealthy(r: Admin.RouteMetricsSummary): string {
  const down = (r.targets ?? []).filter((t) => !t.healthy).map((t) => t.url);
  return down.length > 0 ? down.join(', ') : '-';
}
