// One validation of config text, as the config store needs it: the config model's result, and the restart-only
// settings it changes from what the gateway started with (warned about on their keys). Run on the validation
// worker thread (validationWorker.ts), or in this thread where the worker's file is missing.
import { loadConfig, type Diagnostic, type GatewayConfig, type GatewaySettings, type LoadOptions } from '../../../common/src/config';
import { restartOnlyChanges, restartWarning, type RestartOnlyChange } from '../gateway/restartOnlySettings';

export interface CheckedText {
  config?: GatewayConfig;
  diagnostics: Diagnostic[];
  restart: RestartOnlyChange[];
  /** One `config.restartRequired` warning per change in `restart`, positioned in the text. */
  restartWarnings: Diagnostic[];
}

export function checkConfigText(text: string, options: LoadOptions, running: GatewaySettings | undefined): CheckedText {
  const { config, diagnostics, document, lineCounter } = loadConfig(text, options);
  const restart = config && running ? restartOnlyChanges(running, config.gateway) : [];
  return {
    ...(config ? { config } : {}),
    diagnostics,
    restart,
    restartWarnings: restart.map((change) => restartWarning(change, { document, lineCounter })),
  };
}
