// `ai-gateway-cli start --config FILE [--host H] [--port N]`: run the gateway until SIGINT/SIGTERM, in this process or,
// with gateway.workers above 1, in that many worker processes on the same port.
import { Command } from 'commander';
import { formatDiagnostic } from '../../../../common/src/config';
import { ConfigLoadError, loadStartConfig, startGateway } from '../../gateway/startGateway';
import { startPrimary, workerCount } from '../../workers';
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
        const loaded = await loadStartConfig(flags.config);
        const workers = workerCount(loaded.config.gateway.workers);
        const options = { host: flags.host, port: flags.port, watch: flags.watch, banner: true };
        if (workers > 1 && loaded.file) {
          gateway = await startPrimary({ ...options, loaded: { ...loaded, file: loaded.file }, workers });
        } else {
          const started = await startGateway({ ...options, configPath: flags.config, loaded });
          gateway = { logger: started.runtime.logger, close: () => started.close() };
        }
      } catch (err) {
        if (!(err instanceof ConfigLoadError)) throw err;
        for (const diagnostic of err.diagnostics) process.stderr.write(`${formatDiagnostic(flags.config, diagnostic)}\n`);
        process.stderr.write(`Error: ${flags.config} has errors; the gateway did not start.\n`);
        result.exitCode = 1;
        return;
      }
      const signal = await untilSignal();
      gateway.logger.info({ signal }, 'gateway closing: finishing in-flight requests');
      await gateway.close();
      result.exitCode = 0;
    });
}
