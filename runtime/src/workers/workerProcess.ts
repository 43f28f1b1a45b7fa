// One worker process of gateway.workers: the whole gateway on the shared port, started with the config its primary
// sends, and wired to the primary for what must be one across workers: rate-limit counters, budgets and the response
// cache's store (unless Redis keeps them), /metrics, the admin API, webhook events. It applies each config the
// primary sends, and drains and exits when the primary says so, when the primary is gone, or on SIGINT/SIGTERM of its
// own.
import pino from 'pino';
import type { Workers } from '../../../common/src/protocol';
import type { ChangeSource } from '../configStore/changes';
import { startGateway, type RunningGateway } from '../gateway/startGateway';
import { isoTimeField, stdoutLines } from '../observability/lineWriter';
import type { WebhookSink } from '../observability/observability';
import { forwardAdmin, type AdminForward } from './adminForward';
import { IpcChannel, type IpcEndpoint } from './ipcChannel';
import { primaryAnswerStore } from './sharedAnswers';
import { primaryBudgetCounters } from './sharedBudgets';
import { primaryRateCounters } from './sharedCounters';
import { WORKER_SLOT_ENV } from './workerPool';

type WorkerChannel = IpcChannel<Workers.PrimaryMethods, Workers.WorkerMethods>;

export function runGatewayWorker(): void {
  const worker = new WorkerProcess(Number(process.env[WORKER_SLOT_ENV]));
  process.on('disconnect', () => worker.primaryGone());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void worker.drain());
}

class WorkerProcess {
  private readonly primary: WorkerChannel;
  private readonly started: Promise<RunningGateway>;
  private forward: AdminForward | undefined;
  private draining: Promise<void> | undefined;

  constructor(private readonly slot: number) {
    this.primary = new IpcChannel<Workers.PrimaryMethods, Workers.WorkerMethods>(processEndpoint(), {
      apply: async ({ config, source }) => (await this.started).apply(config, source as ChangeSource),
      logLevel: async ({ level }) => {
        (await this.started).runtime.logger.level = level;
        return null;
      },
      // prom-client types `type` as its own enum; over the channel it is the string it holds.
      metricsJson: async () => (await (await this.started).observability.metrics.registry.getMetricsAsJSON()) as unknown as Workers.MetricFamily[],
      stats: async () => (await this.started).observability.window(),
      trace: async ({ requestId }) => (await this.started).observability.trace(requestId) ?? null,
      spend: async ({ by, period }) => (await this.started).observability.spend.report(by, period),
      'cache.purge': async ({ prefix }) => (await this.started).stores.answers.purge(prefix),
      drain: () => {
        void this.drain();
        return null;
      },
    });
    this.started = this.start();
    this.started.catch(async (err: unknown) => {
      await this.primary.call('started', { error: err instanceof Error ? err.message : String(err) }).catch(() => undefined);
      process.exit(1);
    });
  }

  /** Stops accepting, lets in-flight requests finish within the grace period, then exits. */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      const running = await this.started.catch(() => undefined);
      await running?.close();
      await this.forward?.close();
      await this.primary.flush(); // the last counter settlements
      stdoutLines().flushSync();
      process.exit(0);
    })();
    return this.draining;
  }

  primaryGone(): void {
    this.primary.close(new Error('the primary process is gone'));
    void this.drain();
  }

  private async start(): Promise<RunningGateway> {
    const start = await this.primary.call('start', {});
    this.forward = start.adminSocket ? forwardAdmin(start.adminSocket) : undefined;
    const logger = pino({ level: start.logLevel, base: { worker: this.slot }, timestamp: isoTimeField }, stdoutLines());
    const running = await startGateway({
      config: start.config,
      host: start.host,
      port: start.port,
      logger,
      worker: {
        counters: primaryRateCounters(this.primary),
        budgets: primaryBudgetCounters(this.primary),
        answers: (outage) => primaryAnswerStore(this.primary, outage, start.config.gateway.cache.maxMemoryBytes),
        ...(this.forward ? { adminForward: this.forward.middleware } : {}),
        metrics: () => this.primary.call('metrics', {}),
        webhookSink: webhookSink(this.primary),
      },
    });
    running.runtime.logger.level = start.logLevel; // applying the config set the config's
    await this.primary.call('started', { url: running.url });
    return running;
  }
}

function webhookSink(primary: WorkerChannel): WebhookSink {
  const ignore = (): undefined => undefined; // a primary that is gone takes the worker with it
  return {
    publish: (type, data, time = new Date()) => void primary.call('webhook.publish', { type, data, time: time.toISOString() }).catch(ignore),
    refusal: (type, route, consumer, reason) => void primary.call('webhook.refusal', { type, route, consumer, reason }).catch(ignore),
    configEvents: false,
  };
}

/** This process's end of the cluster's IPC channel. */
function processEndpoint(): IpcEndpoint {
  return {
    send(message, callback) {
      if (!process.send || !process.connected) return callback(new Error('no IPC channel to the primary'));
      try {
        process.send(message, callback);
      } catch (err) {
        callback(err as Error);
      }
    },
    on: (event, listener) => process.on(event, listener),
    off: (event, listener) => process.off(event, listener),
  };
}
