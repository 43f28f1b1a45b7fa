// Starts the gateway: load the config, compile it, listen, watch the file and hot-apply valid changes (an invalid
// change is logged with its diagnostics and the last good config keeps serving), close gracefully.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import pino, { type Logger } from 'pino';
import { loadConfigFile } from '../../../common/src/config';
import type { Diagnostic, GatewayConfig } from '../../../common/src/config';
import { Observability, type ObservabilityOptions } from '../observability/observability';
import { isoTimeField, stdoutLines } from '../observability/lineWriter';
import { startAdminListener } from '../admin';
import { ConfigStore } from '../configStore/configStore';
import { ProcessEnv, ProcessEvents } from '../../../common/src/protocol';
import { startClusterConfig, type ClusterConfig } from '../cluster/clusterConfig';
import { createRateLimitStore } from '../limits';
import { createGatewayApp, type GatewayAppOptions } from './app';
import { banner } from './banner';
import { watchConfigFile, type ConfigWatcher } from './configWatcher';
import { createGatewayServer, updateGatewayServer } from './listener';
import { GatewayRuntime } from './runtime';
import { mockUnreachableOverride } from './unreachableTargets';
import { restartMessage, restartOnlyChanges, type RestartOnlyChange } from './restartOnlySettings';

export interface StartGatewayOptions {
  /** Loaded with `mode: 'start'` and watched for changes (unless `watch: false`). */
  configPath?: string;
  /** A config given directly (tests, the admin API); not watched. */
  config?: GatewayConfig;
  /** Win over `gateway.listen`. Port 0 picks a free port. */
  host?: string;
  port?: number;
  watch?: boolean;
  env?: Record<string, string | undefined>;
  /** Defaults to JSON lines on stdout at `gateway.logLevel`. */
  logger?: Logger;
  /** Print the human banner on stderr. */
  banner?: boolean;
  app?: GatewayAppOptions;
  /** Tuning of metrics, traces and webhooks (tests shorten webhook backoff and refusal windows). */
  observability?: ObservabilityOptions;
  /** Time in-flight requests get to finish on close before their connections are cut. */
  closeGraceMs?: number;
}

export interface RunningGateway {
  url: string;
  adminUrl: string;
  runtime: GatewayRuntime;
  /** Metrics, stats summary, traces, log level and webhooks of this gateway (for the admin API). */
  observability: Observability;
  server: Server;
  /** Re-reads the config file now (what the watcher does on a change); resolves to whether it was applied. */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

/** The config file could not be loaded: its diagnostics say why. */
export class ConfigLoadError extends Error {
  constructor(
    readonly file: string,
    readonly diagnostics: Diagnostic[],
  ) {
    super(`${file}: the config has errors`);
  }
}

/** How long start waits for a configured Redis before serving with the onStoreFailure policy. */
const STORE_READY_TIMEOUT_MS = 2_000;

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const configFile = options.configPath ? path.resolve(options.configPath) : undefined;
  const loadOptions = { mode: 'start' as const, env: options.env, baseDir: configFile ? path.dirname(configFile) : undefined };
  let lastText: string | undefined;
  let config = options.config;
  let startWarnings: Diagnostic[] = [];
  if (configFile) {
    const loaded = await loadConfigFile(configFile, loadOptions);
    if (!loaded.config) throw new ConfigLoadError(configFile, loaded.diagnostics);
    config = loaded.config;
    lastText = loaded.text;
    startWarnings = loaded.diagnostics;
  }
  if (!config) throw new Error('startGateway needs a configPath or a config');

  // Lines logged in one event-loop turn leave stdout in one write at its end (see lineWriter.ts).
  const logger = options.logger ?? pino({ level: config.gateway.logLevel, base: undefined, timestamp: isoTimeField }, stdoutLines());
  // Warnings do not stop the gateway, but the user should hear them where the gateway runs, not only in the editor.
  for (const d of startWarnings) logger.warn({ file: configFile, line: d.range.start.line + 1, column: d.range.start.character + 1, code: d.code }, d.message);
  const runtime = new GatewayRuntime({
    logger,
    mockUnreachableTargets: mockUnreachableOverride((options.env ?? process.env)[ProcessEnv.mockUnreachableTargets]),
  });
  const observability = new Observability(runtime, { env: options.env ?? process.env, ...options.observability });
  // Rate-limit counters in this process, or shared by all replicas through Redis (gateway.store; restart to change).
  const store = createRateLimitStore(config.gateway.store, { logger, registry: observability.metrics.registry });
  await store.ready(STORE_READY_TIMEOUT_MS);
  let cluster: ClusterConfig | undefined; // eslint-disable-line prefer-const -- the config store's callback, made before, reads it
  // Admin changes go through the config store: kept in the file's YAML, validated, applied, written atomically.
  const configStore =
    configFile && lastText !== undefined
      ? new ConfigStore(lastText, config, {
          file: configFile,
          load: loadOptions,
          readOnly: config.gateway.admin.readOnly,
          committed: (text) => cluster?.localChange(text),
          running: config.gateway,
          restartRequired: (changes) => logRestartRequired(logger, changes),
          apply: async (next) => {
            await runtime.apply(next);
            updateGatewayServer(server, next.gateway);
          },
        })
      : undefined;
  const admin = options.app?.admin ?? { store: configStore, apiKey: (options.env ?? process.env)[ProcessEnv.apiKey] };
  const adminListen = config.gateway.admin.listen;
  const app = createGatewayApp(runtime, {
    ...options.app,
    observability,
    security: { counters: store.counters, ...options.app?.security },
    admin: adminListen ? undefined : admin,
  });
  await runtime.apply(config);

  const server = createListener(config, app.callback());
  const host = options.host ?? config.gateway.host;
  const port = options.port ?? config.gateway.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    await store.close(); // an open Redis connection would keep the failed process alive
    throw err;
  });
  const url = listenUrl(server, config.gateway.tls !== undefined);
  const adminListener = adminListen
    ? await startAdminListener({ ...admin, runtime, observability }, adminListen).catch(async (err: unknown) => {
        await closeServer(server, 0); // the admin address is taken: do not leave the gateway half started
        await observability.close();
        await runtime.close();
        await store.close();
        throw err;
      })
    : undefined;
  const adminUrl = adminListener?.url ?? url;
  logger.info({ url, adminUrl }, ProcessEvents.listening);
  if (options.banner) process.stderr.write(banner(url, config, options.configPath));
  // gateway.cluster: admin changes reach the other replicas through Redis, and this one catches up with theirs.
  cluster = await startClusterConfig({ settings: config.gateway, store: configStore, logger });

  const startedWith = config.gateway;
  const reload = async (): Promise<boolean> => {
    if (!configFile) return false;
    let loaded;
    try {
      loaded = await loadConfigFile(configFile, loadOptions);
    } catch (err) {
      logger.warn({ file: configFile, diagnostics: [], error: err instanceof Error ? err.message : String(err) }, ProcessEvents.configRejected);
      runtime.events.emit('config.rejected', { source: configFile, diagnostics: [] });
      return false;
    }
    // The config store's own writes (and touches without change) are already running.
    if (configStore ? configStore.isCurrentText(loaded.text) : loaded.text === lastText) return false;
    if (!loaded.config) {
      logger.warn({ file: configFile, diagnostics: loaded.diagnostics.filter((d) => d.severity === 'error') }, ProcessEvents.configRejected);
      runtime.events.emit('config.rejected', { source: configFile, diagnostics: loaded.diagnostics });
      return false;
    }
    try {
      const snapshot = await runtime.apply(loaded.config);
      updateGatewayServer(server, loaded.config.gateway);
      lastText = loaded.text;
      configStore?.adopt(loaded.text, loaded.config);
      cluster?.localChange(loaded.text);
      logger.info({ file: configFile, version: snapshot.version, routes: loaded.config.routes.length }, ProcessEvents.configApplied);
      logRestartRequired(logger, restartOnlyChanges(startedWith, loaded.config.gateway));
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const diagnostic: Diagnostic = {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: 'error',
        code: 'runtime.apply',
        message,
        path: [],
      };
      logger.warn({ file: configFile, diagnostics: [diagnostic] }, ProcessEvents.configRejected);
      runtime.events.emit('config.rejected', { source: configFile, diagnostics: [diagnostic] });
      return false;
    }
  };

  let reloading = Promise.resolve(false);
  const guardedReload = (): Promise<boolean> => (configStore ? configStore.exclusive(reload) : reload());
  const watcher: ConfigWatcher | undefined =
    configFile && options.watch !== false ? watchConfigFile(configFile, () => void (reloading = reloading.then(guardedReload, guardedReload))) : undefined;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      watcher?.close();
      await closeServer(server, options.closeGraceMs ?? 10_000);
      await adminListener?.close();
      await observability.close();
      await cluster?.close();
      await runtime.close();
      await store.close();
    })();
    return closing;
  };
  return { url, adminUrl, runtime, observability, server, reload: () => (reloading = reloading.then(guardedReload, guardedReload)), close };
}

/** One warn line per applied config that sets restart-only settings differently from the running process. */
function logRestartRequired(logger: Logger, changes: RestartOnlyChange[]): void {
  if (changes.length === 0) return;
  logger.warn({ settings: changes.map((c) => c.setting), changes: changes.map(restartMessage) }, ProcessEvents.restartRequired);
}

function createListener(config: GatewayConfig, handler: ReturnType<ReturnType<typeof createGatewayApp>['callback']>): Server {
  return createGatewayServer(config.gateway, handler);
}

function listenUrl(server: Server, tls: boolean): string {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${tls ? 'https' : 'http'}://${host}:${address.port}`;
}

/** Stop accepting, let in-flight requests finish, then cut whatever is still open after the grace period. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
