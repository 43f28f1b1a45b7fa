// `ai-gateway-cli start --config FILE [--host H] [--port N]`: run the gateway until SIGINT/SIGTERM.
import { Command } from 'commander';
import { formatDiagnostic } from '../../../../common/src/config';
import { ConfigLoadError, startGateway } from '../../gateway/startGateway';
import type { CommandResult } from '../main';
import { parsePort, untilSignal } from './shutdown';

interface StartFlags {
  config: string;
  host?: string;
  port?: number;
  watch: boolean;
}

export function startCommand(result: CommandResult): Command {
  return new Command('start')
    .description('Start the gateway on a config file; the file is watched and valid changes apply without a restart.')
    .requiredOption('-c, --config <file>', 'gateway YAML config')
    .option('--host <host>', 'listen address (wins over gateway.listen)')
    .option('-p, --port <port>', 'listen port, 0 for any free port (wins over gateway.listen)', parsePort)
    .option('--no-watch', 'do not reload the config file when it changes')
    .action(async (flags: StartFlags) => {
      let gateway;
      try {
        gateway = await startGateway({ configPath: flags.config, host: flags.host, port: flags.port, watch: flags.watch, banner: true });
      } catch (err) {
        if (!(err instanceof ConfigLoadError)) throw err;
        for (const diagnostic of err.diagnostics) process.stderr.write(`${formatDiagnostic(flags.config, diagnostic)}\n`);
        process.stderr.write(`Error: ${flags.config} has errors; the gateway did not start.\n`);
        result.exitCode = 1;
        return;
      }
      const signal = await untilSignal();
      gateway.runtime.logger.info({ signal }, 'gateway closing: finishing in-flight requests');
      await gateway.close();
      result.exitCode = 0;
    });
}
