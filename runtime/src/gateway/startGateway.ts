// Starts the gateway, as wiring: load the config, compile it, listen, and connect what changes it (the file
// watcher, the admin API, the other replicas) to the config store, the one path every change takes. Closes gracefully.
import type { Server } from 'node:http';
import type { Middleware } from 'koa';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import pino, { type Logger } from 'pino';
import { loadConfigFile, type LoadOptions } from '../../../common/src/config';
import type { Diagnostic, GatewayConfig } from '../../../common/src/config';
import type { MetricsSource } from '../observability/metricsEndpoint';
import { Observability, type ObservabilityOptions, type WebhookSink } from '../observability/observability';
import type { RateCounterFactory } from '../security/rateCounters';
import { isoTimeField, stdoutLines } from '../observability/lineWriter';
import { startAdminListener } from '../admin';
import type { ChangeSource } from '../configStore/changes';
import { ConfigStore } from '../configStore/configStore';
import { ProcessEnv, ProcessEvents } from '../../../common/src/protocol';
import { startClusterConfig } from '../cluster/clusterConfig';
import { createRateLimitStore, type RateLimitStore } from '../limits';
import type { BudgetCounters } from '../budgets/budgetCounters';
import type { AnswerStore } from '../cache/answerStore';
import type { StoreOutage } from '../stores/storeOutage';
import { createGatewayStores, type GatewayStores } from '../stores/gatewayStores';
import { createGatewayApp, type GatewayAppOptions } from './app';
import type { GatewayState } from './context';
import { banner } from './banner';
import { logConfigChanges } from './configChangeLog';
import { watchConfigFile } from './configWatcher';
import { createGatewayServer, updateGatewayServer } from './listener';
import { GatewayRuntime } from './runtime';
import { mockUnreachableOverride } from './unreachableTargets';
import { recordFixtures } from '../replay/recorder';

export interface StartGatewayOptions {
  /** Loaded with `mode: 'start'` and watched for changes (unless `watch: false`). */
  configPath?: string;
  /** The config file as `loadStartConfig` already loaded it (the CLI reads gateway.workers from it first). */
  loaded?: StartConfig;
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
  /** `ai-gateway-cli record`: write each upstream exchange into this folder as a fixture (replay:// serves them). */
  recordTo?: string;
  /** This process is a worker of gateway.workers: its primary keeps the config, the admin API and shared state. */
  worker?: WorkerRole;
}

/** What the primary of gateway.workers does for a worker (workers/workerProcess.ts wires it over the IPC channel). */
export interface WorkerRole {
  /** Rate-limit counters the primary keeps for every worker (used unless gateway.store.redis is set). */
  counters: RateCounterFactory;
  /** Budget counters the primary keeps for every worker (used unless gateway.store.redis is set). */
  budgets: BudgetCounters;
  /** The response cache's store the primary keeps for every worker (used unless gateway.store.redis is set). */
  answers: (outage: StoreOutage) => AnswerStore;
  /** Forwards /api/v1 to the primary; absent when the admin API has its own listener there (gateway.admin.listen). */
  adminForward?: Middleware<GatewayState>;
  metrics: MetricsSource;
  webhookSink: WebhookSink;
}

export interface RunningGateway {
  url: string;
  adminUrl: string;
  runtime: GatewayRuntime;
  /** Metrics, stats summary, traces, log level and webhooks of this gateway (for the admin API). */
  observability: Observability;
  /** The response cache's answers, the budgets' counters and the spend ledger of this gateway. */
  stores: GatewayStores;
  server: Server;
  /** The config file's store (absent for a config given in code): every change goes through it. */
  configStore?: ConfigStore;
  /** Re-reads the config file now (what the watcher does on a change); resolves to whether it was applied. */
  reload(): Promise<boolean>;
  /** Applies a config accepted elsewhere (a worker's primary): the runtime and the listener's timeouts follow it. */
  apply(config: GatewayConfig, source: ChangeSource): Promise<{ version: number }>;
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
  const { config, file, warnings } = options.loaded ?? (await startingConfig(options));
  // Lines logged in one event-loop turn leave stdout in one write at its end (see lineWriter.ts).
  const logger = options.logger ?? pino({ level: config.gateway.logLevel, base: undefined, timestamp: isoTimeField }, stdoutLines());
  logWarnings(logger, file?.path, warnings);
  const runtime = new GatewayRuntime({
    logger,
    mockUnreachableTargets: mockUnreachableOverride(env[ProcessEnv.mockUnreachableTargets]),
    baseDir: file ? path.dirname(file.path) : process.cwd(),
  });
  const worker = options.worker;
  const observability = new Observability(runtime, {
    env,
    ...options.observability,
    traffic: { bodies: env[ProcessEnv.trafficBodies] === '1', ...options.observability?.traffic },
    ...(worker ? { webhookSink: worker.webhookSink } : {}),
  });
  if (options.recordTo) recordFixtures(observability.traffic, path.resolve(options.recordTo), logger);
  // Rate-limit counters in this process (in the primary for all workers), or shared by all replicas through Redis
  // (gateway.store; restart to change).
  const rateLimitStore = createRateLimitStore(config.gateway.store, {
    logger,
    registry: observability.metrics.registry,
    ...(worker ? { primaryCounters: worker.counters } : {}),
  });
  // The response cache, budgets and the spend ledger: in this process, or shared through the same Redis.
  const stores = createGatewayStores(config.gateway, {
    logger,
    failures: observability.spendMetrics.storeFailures,
    ...(worker ? { localBudgets: worker.budgets, localAnswers: worker.answers } : {}),
  });
  observability.useSpendLedger(stores.spend);
  observability.spendMetrics.watchCache(stores.answers);
  // What is open so far, closed again (latest first) if a later step of the start fails: nothing is left listening,
  // and no connection keeps the failed process alive.
  const opened: (() => Promise<unknown>)[] = [() => rateLimitStore.close(), () => stores.close(), () => runtime.close(), () => observability.close()];
  try {
    return await serve({ options, env, config, file, logger, runtime, observability, rateLimitStore, stores, opened });
  } catch (err) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw err;
  }
}

/** Warnings do not stop the gateway, but the user should hear them where the gateway runs, not only in the editor. */
export function logWarnings(logger: Logger, file: string | undefined, warnings: Diagnostic[]): void {
  for (const d of warnings) logger.warn({ file, line: d.range.start.line + 1, column: d.range.start.character + 1, code: d.code }, d.message);
}

interface Starting {
  options: StartGatewayOptions;
  env: Record<string, string | undefined>;
  config: GatewayConfig;
  file: StartConfig['file'];
  logger: Logger;
  runtime: GatewayRuntime;
  observability: Observability;
  rateLimitStore: RateLimitStore;
  stores: GatewayStores;
  opened: (() => Promise<unknown>)[];
}

async function serve(starting: Starting): Promise<RunningGateway> {
  const { options, env, config, file, logger, runtime, observability, rateLimitStore, stores, opened } = starting;
  const worker = options.worker;
  await Promise.all([rateLimitStore.ready(STORE_READY_TIMEOUT_MS), stores.ready(STORE_READY_TIMEOUT_MS)]);
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
  const admin = { cache: stores.answers, ...(options.app?.admin ?? { store: configStore, apiKey: env[ProcessEnv.apiKey] }) };
  // A worker's admin API is its primary's, forwarded or on the primary's own listener.
  const adminListen = worker ? undefined : config.gateway.admin.listen;
  const app = createGatewayApp(runtime, {
    ...options.app,
    observability,
    security: { counters: rateLimitStore.counters, ...options.app?.security },
    stores,
    admin: adminListen || worker ? undefined : admin,
    adminKey: admin.apiKey,
    ...(worker ? { metrics: worker.metrics, ...(worker.adminForward ? { adminForward: worker.adminForward } : {}) } : {}),
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
  // A worker's primary says it for all of them.
  if (!worker) logger.info({ url, adminUrl }, ProcessEvents.listening);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      watcher?.close();
      observability.traffic.close(); // open Traffic streams end now rather than hold the close up
      await closeServer(server, options.closeGraceMs ?? 10_000);
      await adminListener?.close();
      await observability.close();
      await cluster?.close();
      await configStore?.close();
      await runtime.close();
      await rateLimitStore.close();
      await stores.close();
    })();
    return closing;
  };
  const reload = (): Promise<boolean> => configStore?.reloadFile() ?? Promise.resolve(false);
  return { url, adminUrl, runtime, observability, stores, server, configStore, reload, apply: applyChange, close };
}

export interface StartConfig {
  config: GatewayConfig;
  /** The file it was loaded from, when it was (then the config store keeps it). */
  file?: { path: string; text: string; load: LoadOptions };
  warnings: Diagnostic[];
}

async function startingConfig(options: StartGatewayOptions): Promise<StartConfig> {
  if (!options.configPath) {
    if (!options.config) throw new Error('startGateway needs a configPath or a config');
    return { config: options.config, warnings: [] };
  }
  return loadStartConfig(options.configPath, options.env);
}

/** The config file as the gateway starts from it (`${VAR}` read from `env`); throws ConfigLoadError when it has errors. */
export async function loadStartConfig(configPath: string, env?: Record<string, string | undefined>): Promise<StartConfig> {
  const file = path.resolve(configPath);
  const load: LoadOptions = { mode: 'start', env, baseDir: path.dirname(file) };
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

/** Connections whose request was answered while closing are closed this often (Node does not close them itself). */
const CLOSE_IDLE_EVERY_MS = 100;

/** Stop accepting, let in-flight requests finish, then cut whatever is still open after the grace period. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    // A keep-alive connection becomes idle when its answer ends; without this it would hold the close for the grace.
    const idle = setInterval(() => server.closeIdleConnections(), CLOSE_IDLE_EVERY_MS);
    idle.unref();
    server.close(() => {
      clearTimeout(force);
      clearInterval(idle);
      resolve();
    });
    server.closeIdleConnections();
  });
}
