// Starts the gateway, as wiring: load the config, compile it, listen, and connect what changes it (the file
// watcher, the admin API, the other replicas) to the config store, the one path every change takes. Closes gracefully.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import pino, { type Logger } from 'pino';
import { loadConfigFile, type LoadOptions } from '../../../common/src/config';
import type { Diagnostic, GatewayConfig } from '../../../common/src/config';
import { Observability, type ObservabilityOptions } from '../observability/observability';
import { isoTimeField, stdoutLines } from '../observability/lineWriter';
import { startAdminListener } from '../admin';
import type { ChangeSource } from '../configStore/changes';
import { ConfigStore } from '../configStore/configStore';
import { ProcessEnv, ProcessEvents } from '../../../common/src/protocol';
import { startClusterConfig } from '../cluster/clusterConfig';
import { createRateLimitStore, type RateLimitStore } from '../limits';
import { createGatewayApp, type GatewayAppOptions } from './app';
import { banner } from './banner';
import { logConfigChanges } from './configChangeLog';
import { watchConfigFile } from './configWatcher';
import { createGatewayServer, updateGatewayServer } from './listener';
import { GatewayRuntime } from './runtime';
import { mockUnreachableOverride } from './unreachableTargets';

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
  /** The config file's store (absent for a config given in code): every change goes through it. */
  configStore?: ConfigStore;
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
  const env = options.env ?? process.env;
  const { config, file, warnings } = await startingConfig(options);
  // Lines logged in one event-loop turn leave stdout in one write at its end (see lineWriter.ts).
  const logger = options.logger ?? pino({ level: config.gateway.logLevel, base: undefined, timestamp: isoTimeField }, stdoutLines());
  // Warnings do not stop the gateway, but the user should hear them where the gateway runs, not only in the editor.
  for (const d of warnings) logger.warn({ file: file?.path, line: d.range.start.line + 1, column: d.range.start.character + 1, code: d.code }, d.message);
  const runtime = new GatewayRuntime({ logger, mockUnreachableTargets: mockUnreachableOverride(env[ProcessEnv.mockUnreachableTargets]) });
  const observability = new Observability(runtime, { env, ...options.observability });
  // Rate-limit counters in this process, or shared by all replicas through Redis (gateway.store; restart to change).
  const rateLimitStore = createRateLimitStore(config.gateway.store, { logger, registry: observability.metrics.registry });
  // What is open so far, closed again (latest first) if a later step of the start fails: nothing is left listening,
  // and no connection keeps the failed process alive.
  const opened: (() => Promise<unknown>)[] = [() => rateLimitStore.close(), () => runtime.close(), () => observability.close()];
  try {
    return await serve({ options, env, config, file, logger, runtime, observability, rateLimitStore, opened });
  } catch (err) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw err;
  }
}

interface Starting {
  options: StartGatewayOptions;
  env: Record<string, string | undefined>;
  config: GatewayConfig;
  file: StartingConfig['file'];
  logger: Logger;
  runtime: GatewayRuntime;
  observability: Observability;
  rateLimitStore: RateLimitStore;
  opened: (() => Promise<unknown>)[];
}

async function serve(starting: Starting): Promise<RunningGateway> {
  const { options, env, config, file, logger, runtime, observability, rateLimitStore, opened } = starting;
  await rateLimitStore.ready(STORE_READY_TIMEOUT_MS);
  // Every change after start (file save, admin API, another replica) goes through the config store, and this.
  const applyChange = async (next: GatewayConfig, source: ChangeSource): Promise<{ version: number }> => {
    const snapshot = await runtime.apply(next, source === 'file' ? file?.path : source);
    updateGatewayServer(server, next.gateway);
    return snapshot;
  };
  const configStore = file
    ? new ConfigStore(file.text, config, {
        file: file.path,
        load: file.load,
        readOnly: config.gateway.admin.readOnly,
        running: config.gateway,
        apply: applyChange,
      })
    : undefined;
  if (configStore) {
    opened.push(() => configStore.close());
    logConfigChanges(configStore, logger, runtime.events);
  }
  const admin = options.app?.admin ?? { store: configStore, apiKey: env[ProcessEnv.apiKey] };
  const adminListen = config.gateway.admin.listen;
  const app = createGatewayApp(runtime, {
    ...options.app,
    observability,
    security: { counters: rateLimitStore.counters, ...options.app?.security },
    admin: adminListen ? undefined : admin,
    adminKey: admin.apiKey,
  });
  await runtime.apply(config);

  const server = createGatewayServer(config.gateway, app.callback());
  await listen(server, options.port ?? config.gateway.port, options.host ?? config.gateway.host);
  opened.push(() => closeServer(server, 0));
  const url = listenUrl(server, config.gateway.tls !== undefined);
  const adminListener = adminListen ? await startAdminListener({ ...admin, runtime, observability }, adminListen) : undefined;
  if (adminListener) opened.push(() => adminListener.close());
  const adminUrl = adminListener?.url ?? url;
  if (options.banner) process.stderr.write(banner(url, config, options.configPath));
  const watcher = configStore && options.watch !== false ? watchConfigFile(configStore.file, () => void configStore.reloadFile()) : undefined;
  if (watcher) opened.push(() => Promise.resolve(watcher.close()));
  // gateway.cluster: this replica's changes reach the others through Redis, and theirs come in through the store.
  const cluster = await startClusterConfig({ settings: config.gateway, store: configStore, logger });
  // Logged once the start is complete: whoever waits for it (the extension, tests) gets a gateway that stays up.
  logger.info({ url, adminUrl }, ProcessEvents.listening);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      watcher?.close();
      await closeServer(server, options.closeGraceMs ?? 10_000);
      await adminListener?.close();
      await observability.close();
      await cluster?.close();
      await configStore?.close();
      await runtime.close();
      await rateLimitStore.close();
    })();
    return closing;
  };
  const reload = (): Promise<boolean> => configStore?.reloadFile() ?? Promise.resolve(false);
  return { url, adminUrl, runtime, observability, server, configStore, reload, close };
}

interface StartingConfig {
  config: GatewayConfig;
  /** The file it was loaded from, when it was (then the config store keeps it). */
  file?: { path: string; text: string; load: LoadOptions };
  warnings: Diagnostic[];
}

async function startingConfig(options: StartGatewayOptions): Promise<StartingConfig> {
  if (!options.configPath) {
    if (!options.config) throw new Error('startGateway needs a configPath or a config');
    return { config: options.config, warnings: [] };
  }
  const file = path.resolve(options.configPath);
  const load: LoadOptions = { mode: 'start', env: options.env, baseDir: path.dirname(file) };
  const loaded = await loadConfigFile(file, load);
  if (!loaded.config) throw new ConfigLoadError(file, loaded.diagnostics);
  return { config: loaded.config, file: { path: file, text: loaded.text, load }, warnings: loaded.diagnostics };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
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
