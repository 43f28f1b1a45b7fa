// `ai-gateway-cli record --config FILE --out fixtures/`: runs the gateway as `start` does, and writes each upstream
// exchange it relays (request, answer, stream chunks with their timing; credentials left out) into the folder as a
// fixture file. A route with `target: replay://fixtures/` then answers from them, without the provider or its key.
import { Command } from 'commander';
import * as path from 'node:path';
import { formatDiagnostic } from '../../../../common/src/config';
import { ConfigLoadError, startGateway } from '../../gateway/startGateway';
import type { CommandResult } from '../main';
import { parsePort, untilSignal } from './shutdown';

interface RecordFlags {
  config: string;
  out: string;
  host?: string;
  port?: number;
  watch: boolean;
}

export function recordCommand(result: CommandResult): Command {
  return new Command('record')
    .description('Start the gateway and record every upstream exchange into a folder of fixtures that `target: replay://FOLDER/` serves back.')
    .requiredOption('-c, --config <file>', 'gateway YAML config')
    .requiredOption('-o, --out <dir>', 'folder the fixture files are written to (created if missing)')
    .option('--host <host>', 'listen address (wins over gateway.listen)')
    .option('-p, --port <port>', 'listen port, 0 for any free port (wins over gateway.listen)', parsePort)
    .option('--no-watch', 'do not reload the config file when it changes')
    .addHelpText(
      'after',
      `
Send the requests your route tests and your app make through it, then stop it (Ctrl+C). One file is written per
distinct route, method, path and body (a repeat replaces it). Then, in the config (or a copy for CI):

  routes:
    - name: chat
      path: /v1/chat/completions
      target: replay://fixtures/        # relative to the config file; ?pace=instant skips the recorded pauses

Example:
  $ ai-gateway-cli record --config gateway.yaml --out fixtures/`,
    )
    .action(async (flags: RecordFlags) => {
      let gateway;
      try {
        gateway = await startGateway({
          configPath: flags.config,
          host: flags.host,
          port: flags.port,
          watch: flags.watch,
          banner: true,
          recordTo: flags.out,
        });
      } catch (err) {
        if (!(err instanceof ConfigLoadError)) throw err;
        for (const diagnostic of err.diagnostics) process.stderr.write(`${formatDiagnostic(flags.config, diagnostic)}\n`);
        process.stderr.write(`Error: ${flags.config} has errors; the gateway did not start.\n`);
        result.exitCode = 1;
        return;
      }
      process.stderr.write(`Recording upstream answers into ${path.resolve(flags.out)}\n`);
      const signal = await untilSignal();
      gateway.runtime.logger.info({ signal }, 'gateway closing: finishing in-flight requests');
      await gateway.close();
      result.exitCode = 0;
    });
}
