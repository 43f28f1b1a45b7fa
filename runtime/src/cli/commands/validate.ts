// `ai-gateway-cli validate FILE...`: the same diagnostics the editor shows, as FILE:LINE:COL lines or JSON.
import { Command, Option } from 'commander';
import { loadConfigFile, formatDiagnostic, type Diagnostic } from '../../../../common/src/config';
import { CliError } from '../cliError';

interface ValidateFlags {
  format: 'text' | 'json';
  mode: 'editor' | 'start';
}

export function validateCommand(): Command {
  return new Command('validate')
    .description('Check gateway config files: YAML syntax, schema and semantic rules. Exits 1 on any error.')
    .argument('<files...>', 'config files to check')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(
      new Option('--mode <mode>', '"start" also requires every referenced environment variable to be set').choices(['editor', 'start']).default('editor'),
    )
    .addHelpText('after', '\nExample:\n  $ ai-gateway-cli validate examples/ai-gateway.yaml\n  $ ai-gateway-cli validate --format json gateway.yaml\n')
    .action(async (files: string[], flags: ValidateFlags) => {
      const results: { file: string; diagnostics: Diagnostic[] }[] = [];
      for (const file of files) {
        try {
          const { diagnostics } = await loadConfigFile(file, { mode: flags.mode });
          results.push({ file, diagnostics });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          throw new CliError(code === 'ENOENT' ? `${file}: no such file` : `${file}: ${(err as Error).message}`);
        }
      }
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      } else {
        for (const { file, diagnostics } of results) for (const d of diagnostics) process.stdout.write(`${formatDiagnostic(file, d)}\n`);
        const errors = results.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === 'error').length, 0);
        const warnings = results.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === 'warning').length, 0);
        process.stderr.write(`${files.length} file(s) checked: ${errors} error(s), ${warnings} warning(s)\n`);
      }
      if (results.some((r) => r.diagnostics.some((d) => d.severity === 'error'))) process.exitCode = 1;
    });
}
