// What a config change tells the outside: the config store's events as the log lines a parent process relies on
// (ProcessEvents: the editor shows a refused save's diagnostics) and as the runtime's `config.rejected` event
// (webhooks). A refused admin API change is answered to its caller, with diagnostics that point into its body,
// so it is not logged as a refused file.
import type { Logger } from 'pino';
import { ProcessEvents } from '../../../common/src/protocol';
import type { ConfigStore } from '../configStore/configStore';
import type { GatewayEvents } from './events';
import { restartMessage } from './restartOnlySettings';

export function logConfigChanges(store: ConfigStore, logger: Logger, events: GatewayEvents): void {
  store.events.on('applied', (change) => {
    if (change.source === 'file') logger.info({ file: store.file, version: change.version, routes: change.config.routes.length }, ProcessEvents.configApplied);
    if (change.source === 'cluster') logger.info({ ...change.publication }, ProcessEvents.clusterConfigAdopted);
    if (change.restart.length > 0) {
      logger.warn({ settings: change.restart.map((c) => c.setting), changes: change.restart.map(restartMessage) }, ProcessEvents.restartRequired);
    }
  });
  store.events.on('rejected', (change) => {
    if (change.source === 'file') {
      const error = change.diagnostics.length === 0 ? { error: change.error.message } : {};
      logger.warn({ file: store.file, diagnostics: change.diagnostics, ...error }, ProcessEvents.configRejected);
      events.emit('config.rejected', { source: store.file, diagnostics: change.diagnostics });
    }
    if (change.source === 'cluster') {
      // Typically an env var the publishing replica has and this one lacks: this replica keeps its last good config.
      const diagnostics = change.diagnostics.map((d) => ({ path: d.path.join('.'), code: d.code, message: d.message }));
      logger.warn({ ...change.publication, error: change.error.message, diagnostics }, ProcessEvents.clusterConfigNotAdopted);
    }
  });
}
