// `ai-gateway-cli spend`: what was spent in a UTC day or month, by consumer, route or model, as a table or JSON.
import { Command, Option } from 'commander';
import type { Admin } from '../../../../common/src/protocol';
import type { CommandResult } from '../main';
import { call, EXIT, EXIT_CODES_HELP, gatewayClient } from './gatewayConnection';
import { formatTable } from './table';

interface SpendFlags {
  by: Admin.SpendBy;
  period: string;
  format: 'table' | 'json';
}

export function spendCommand(result: CommandResult): Command {
  return new Command('spend')
    .exitOverride() // usage errors exit 2 (main), like the other documented codes
    .description("Show what was spent (each answer's usage at its model's price) by consumer, route or model, in a UTC day or month.")
    .addOption(new Option('--by <view>', 'whose spending to add up').choices(['consumer', 'route', 'model']).default('consumer'))
    .option('--period <period>', 'month or day (the current ones), a UTC day 2026-07-14 or a month 2026-07', 'month')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText(
      'after',
      `
Examples:
  $ ai-gateway-cli spend
  $ ai-gateway-cli spend --by model --period day
  $ ai-gateway-cli spend --by route --period 2026-07 --format json
${EXIT_CODES_HELP}
`,
    )
    .action(async (flags: SpendFlags, command: Command) => {
      const { client } = await gatewayClient(command);
      const report = await call(() => client.spend({ by: flags.by, period: flags.period }));
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(spendTable(report));
      result.exitCode = EXIT.ok;
    });
}

function spendTable(report: Admin.SpendReport): string {
  if (report.entries.length === 0) return `Nothing spent in ${report.period}.\n`;
  const rows = report.entries.map((e) => [e.key, usd(e.usd), String(e.requests)]);
  rows.push(['TOTAL', usd(report.totalUsd), String(report.requests)]);
  return `${formatTable([report.by.toUpperCase(), 'USD', 'REQUESTS'], rows)}(${report.period}, UTC)\n`;
}

function usd(value: number): string {
  return value.toFixed(6);
}
