// The primary process of gateway.workers > 1. It serves no request itself: it forks the workers that share the
// gateway's port, and keeps what must be one for all of them. The config store (file watch, admin API, other
// replicas) applies each accepted config to every worker; the admin API runs here, on a private socket the workers
// forward /api/v1 to (or on gateway.admin.listen); rate-limit counters, budgets and the response cache's answers
// live here unless Redis keeps them; /metrics adds up every worker's registry with prom-client's AggregatorRegistry;
// the workers' log lines pass through here whole; webhooks go out from here once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pino, { type Logger } from 'pino';
import { AggregatorRegistry, Counter, type Registry } from 'prom-client';
import type { LogLevel } from '../../../common/src/config';
import { ProcessEnv, ProcessEvents, type Workers } from '../../../common/src/protocol';
import { startAdminListener, type AdminListener, type AdminOptions } from '../admin';
import { startClusterConfig } from '../cluster/clusterConfig';
import { ConfigStore } from '../configStore/configStore';
import { banner } from '../gateway/banner';
import { logConfigChanges } from '../gateway/configChangeLog';
import { watchConfigFile } from '../gateway/configWatcher';
import { GatewayEvents } from '../gateway/events';
import { logWarnings, type StartConfig } from '../gateway/startGateway';
import { isoTimeField, stdoutLines } from '../observability/lineWriter';
import { GatewayMetrics } from '../observability/metrics';
import { cacheUsageGauges } from '../observability/spendMetrics';
import { createMemoryAnswerStore, type AnswerStore } from '../cache/answerStore';
import { summarizeWindows } from '../observability/requestStats';
import { PrimaryWebhooks } from './primaryWebhooks';
import { sharedAnswerServices } from './sharedAnswers';
import { sharedBudgetServices } from './sharedBudgets';
import { SharedCounters } from './sharedCounters';
import { mergeSpendReports } from '../cost/spendLedger';
import { WorkerPool } from './workerPool';

export interface PrimaryOptions {
  /** The config file, loaded (the CLI read gateway.workers from it). */
  loaded: StartConfig & { file: NonNullable<StartConfig['file']> };
  workers: number;
  host?: string;
  port?: number;
  watch?: boolean;
  banner?: boolean;
  env?: Record<string, string | undefined>;
  /** Time a stopping worker's in-flight requests get before their connections are cut (default 10 s). */
  closeGraceMs?: number;
}

export interface RunningPrimary {
  url: string;
  adminUrl: string;
  logger: Logger;
  close(): Promise<void>;
}

export async function startPrimary(options: PrimaryOptions): Promise<RunningPrimary> {
  const env = options.env ?? process.env;
  const { config, file, warnings } = options.loaded;
  const logger = pino({ level: config.gateway.logLevel, base: undefined, timestamp: isoTimeField }, stdoutLines());
  logWarnings(logger, file.path, warnings);
  const metrics = new GatewayMetrics();
  const restarts = new Counter({
    name: 'ai_gateway_worker_restarts_total',
    help: 'Worker processes (gateway.workers) started again after they exited, by worker slot.',
    labelNames: ['worker'] as const,
    registers: [metrics.registry],
  });
  const webhooks = new PrimaryWebhooks(env, logger, metrics);
  const counters = new SharedCounters();
  // The response cache's one store for all workers (in Redis instead when configured; gateway.store is read at start).
  const answers = config.gateway.store.redis ? undefined : createMemoryAnswerStore(config.gateway.cache.maxMemoryBytes);
  if (answers) cacheUsageGauges(metrics.registry, () => answers.usage());
  // As configured, also for a worker started again: port 0 names the port the first workers got (node:cluster shares
  // one socket per address asked for), which is a new one only if every worker had died.
  const listen = { host: options.host ?? config.gateway.host, port: options.port ?? config.gateway.port };
  let version = 1;

  const pool: WorkerPool = new WorkerPool({
    count: options.workers,
    logger,
    config,
    graceMs: options.closeGraceMs ?? 10_000,
    listen: () => ({ ...listen, logLevel: logger.level as LogLevel, ...(adminSocket ? { adminSocket } : {}) }),
    services: {
      'counter.consume': (operation) => counters.consume(operation),
      'counter.adjust': (operation) => counters.adjust(operation),
      metrics: () => clusterMetrics(pool, metrics.registry),
      'webhook.publish': (event) => webhooks.publish(event),
      'webhook.refusal': (refusal) => webhooks.refusal(refusal),
      ...sharedBudgetServices(),
      ...sharedAnswerServices(answers),
    },
    onRestart: (slot) => restarts.inc({ worker: String(slot) }),
  });
  const store = new ConfigStore(file.text, config, {
    file: file.path,
    load: file.load,
    readOnly: config.gateway.admin.readOnly,
    running: config.gateway,
    apply: async (next, source) => {
      await pool.applyAll(next, source === 'file' ? file.path : source);
      logger.level = next.gateway.logLevel;
      return { version: ++version };
    },
  });
  logConfigChanges(store, logger, new GatewayEvents());
  store.events.on('applied', (change) => webhooks.applied(change.config, change.version, change.source === 'file' ? file.path : change.source));
  store.events.on('rejected', (change) => change.source === 'file' && webhooks.rejected(change, file.path));

  const opened: (() => Promise<unknown>)[] = [() => store.close(), () => webhooks.close()];
  let adminSocket: string | undefined;
  try {
    const admin = await startAdmin(
      adminOptions(store, pool, logger, () => version, env, answers),
      config.gateway.admin.listen,
      opened,
    );
    adminSocket = admin.socket;
    // PUT /api/v1/log-level sets the primary's level: every worker follows (a worker starting later starts at it).
    logger.on('level-change', (level) => void pool.each('logLevel', { level: level as LogLevel }));
    const url = await pool.start();
    opened.push(() => pool.stop());
    webhooks.applied(config, version);
    const watcher = options.watch !== false ? watchConfigFile(store.file, () => void store.reloadFile()) : undefined;
    const cluster = await startClusterConfig({ settings: config.gateway, store, logger });
    const adminUrl = admin.listener.url.startsWith('unix:') ? url : admin.listener.url;
    if (options.banner) process.stderr.write(banner(url, config, file.path));
    logger.info({ url, adminUrl, workers: options.workers }, ProcessEvents.listening);

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        watcher?.close();
        await cluster?.close();
        // The workers first (each stops accepting, finishes its requests and exits), then what they used here.
        for (const done of opened.reverse()) await done().catch(() => undefined);
      })());
    return { url, adminUrl, logger, close };
  } catch (err) {
    for (const done of opened.reverse()) await done().catch(() => undefined);
    throw err;
  }
}

/** The admin API as the workers' primary serves it: the config store, and figures gathered from every worker. */
function adminOptions(
  store: ConfigStore,
  pool: WorkerPool,
  logger: Logger,
  version: () => number,
  env: Record<string, string | undefined>,
  answers: AnswerStore | undefined,
): AdminOptions {
  const shared = (): boolean => store.config.gateway.store.redis !== undefined; // gateway.store is read at start: as running
  return {
    runtime: {
      get hasConfig() {
        return pool.serving > 0;
      },
      get snapshot() {
        return { config: store.config, version: version() };
      },
      logger,
    },
    store,
    observability: {
      summary: async () => summarizeWindows(await pool.each('stats', {})),
      trace: async (requestId) => (await pool.each('trace', { requestId })).find((trace) => trace !== null) ?? undefined,
      spend: {
        // Without Redis each worker booked its own requests: added up. With Redis any one worker reads them all.
        report: async (by, period) => {
          const reports = shared() ? [await pool.one('spend', { by, period })] : await pool.each('spend', { by, period });
          return mergeSpendReports(by, period, reports);
        },
      },
    },
    cache: {
      // The one store every worker uses: the primary's own, or Redis (purged once, by any worker).
      purge: (prefix) => (answers ? answers.purge(prefix) : pool.one('cache.purge', { prefix })),
    },
    apiKey: env[ProcessEnv.apiKey],
  };
}

/** On gateway.admin.listen, or on a socket in a directory only this user can enter, for the workers to forward to. */
async function startAdmin(
  options: AdminOptions,
  address: { host: string; port: number } | undefined,
  opened: (() => Promise<unknown>)[],
): Promise<{ listener: AdminListener; socket?: string }> {
  if (address) {
    const listener = await startAdminListener(options, address);
    opened.push(() => listener.close());
    return { listener };
  }
  const directory = await mkdtemp(path.join(tmpdir(), 'ai-gateway-')); // mode 0700
  opened.push(() => rm(directory, { recursive: true, force: true }));
  // Windows has no Unix sockets in the file system: a named pipe (untested here: this machine is Linux).
  const socket = process.platform === 'win32' ? `\\\\.\\pipe\\${path.basename(directory)}-admin` : path.join(directory, 'admin.sock');
  const listener = await startAdminListener(options, { socketPath: socket });
  opened.push(() => listener.close());
  return { listener, socket };
}

/** `GET /metrics` of any worker: every worker's families and the primary's own (webhooks, restarts), added up. */
async function clusterMetrics(pool: WorkerPool, own: Registry): Promise<{ contentType: string; text: string }> {
  const families: Workers.MetricFamily[][] = [...(await pool.each('metricsJson', {})), (await own.getMetricsAsJSON()) as unknown as Workers.MetricFamily[]];
  const registry = AggregatorRegistry.aggregate(families);
  return { contentType: registry.contentType, text: await registry.metrics() };
}
