// The worker processes of gateway.workers, as the primary sees them: forked with node:cluster (they share the
// gateway's port; the primary hands each new connection to the next worker in turn), each in a numbered slot. Every
// worker that was given the config is given each config applied after; one that dies while the gateway runs is
// started again in its slot after a backoff; a stop lets each finish its requests before it exits.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../../common/src/config';
import { ProcessEvents, type Workers } from '../../../common/src/protocol';
import { IpcChannel, type Handlers } from './ipcChannel';
import { relayLines } from './logRelay';

/** The worker's slot number (1..N), in its environment: its log lines carry it as "worker". */
export const WORKER_SLOT_ENV = 'AI_GATEWAY_WORKER';

/** Restart delays: doubled for each exit of the slot in the last minute, from 100 ms up to 30 s. */
const FIRST_RESTART_MS = 100;
const MAX_RESTART_MS = 30_000;
const CRASH_MEMORY_MS = 60_000;
/** What a worker gets past the drain's grace period before it is killed. */
const KILL_MARGIN_MS = 5_000;

type PrimaryChannel = IpcChannel<Workers.WorkerMethods, Workers.PrimaryMethods>;

interface Slot {
  index: number;
  worker?: Worker;
  channel?: PrimaryChannel;
  /** Was given the config: it gets every config applied from then on. */
  configured: boolean;
  serving: boolean;
  exits: number[];
  restart?: NodeJS.Timeout;
}

export interface WorkerPoolOptions {
  count: number;
  logger: Logger;
  config: GatewayConfig;
  /** Where a worker listens, forwards the admin API to and logs at (the config is the pool's). */
  listen(): Omit<Workers.StartWith, 'config'>;
  /** Answers the workers' calls, but for `start` and `started`, which the pool answers. */
  services: Omit<Handlers<Workers.PrimaryMethods>, 'start' | 'started'>;
  /** A worker was started again after it died. */
  onRestart?(slot: number): void;
  /** How long a draining worker may take to finish its requests (then it cuts them and exits). */
  graceMs: number;
}

export class WorkerPool {
  private readonly slots: Slot[];
  private config: GatewayConfig;
  private stopping = false;
  private starting: { resolve(url: string): void; reject(err: Error): void; ready: Set<number>; url?: string } | undefined;

  constructor(private readonly options: WorkerPoolOptions) {
    this.config = options.config;
    this.slots = Array.from({ length: options.count }, (_, i): Slot => ({ index: i + 1, configured: false, serving: false, exits: [] }));
    // The workers run this program again (process.argv, process.execArgv: node flags and loaders included); their
    // stdout comes to the primary, which writes whole lines only, so the log is one stream however many write to it.
    cluster.setupPrimary({ stdio: ['ignore', 'pipe', 'inherit', 'ipc'], serialization: 'json' });
  }

  /** Workers serving now (a readiness probe of the primary's admin listener is ready while one is). */
  get serving(): number {
    return this.slots.filter((slot) => slot.serving).length;
  }

  /** Forks every worker; resolves with the URL they serve on once all listen, rejects if one cannot start. */
  start(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.starting = { resolve, reject, ready: new Set() };
      for (const slot of this.slots) this.fork(slot);
    });
  }

  /** Applies a config in every worker that has one, or in none: a failure puts the previous one back everywhere. */
  async applyAll(config: GatewayConfig, source: string): Promise<void> {
    const previous = this.config;
    this.config = config; // a worker that starts meanwhile starts with it
    const targets = this.slots.filter((slot) => slot.configured && slot.channel);
    const outcomes = await Promise.all(targets.map((slot) => this.applyIn(slot, config, source)));
    const refused = outcomes.find((outcome) => outcome instanceof Error);
    if (!refused) return;
    this.config = previous;
    const stillOld = new Set(targets.filter((_, i) => outcomes[i] instanceof Error));
    const back = this.slots.filter((slot) => slot.configured && slot.channel && !stillOld.has(slot)); // those started meanwhile too
    await Promise.all(back.map((slot) => this.applyIn(slot, previous, source)));
    throw refused;
  }

  /** Each serving worker's answer to a call (a worker that exits meanwhile is left out). */
  async each<K extends keyof Workers.WorkerMethods>(method: K, params: Workers.WorkerMethods[K]['params']): Promise<Workers.WorkerMethods[K]['result'][]> {
    const serving = this.slots.filter((slot) => slot.serving && slot.channel);
    const answers = await Promise.all(
      serving.map((slot) =>
        slot.channel!.call(method, params).then(
          (answer) => ({ answer }),
          () => undefined,
        ),
      ),
    );
    return answers.flatMap((answer) => (answer ? [answer.answer] : []));
  }

  /** One serving worker's answer (the next one's if it exits meanwhile): for what every worker would answer alike. */
  async one<K extends keyof Workers.WorkerMethods>(method: K, params: Workers.WorkerMethods[K]['params']): Promise<Workers.WorkerMethods[K]['result']> {
    let failure: unknown = new Error('no worker is serving');
    for (const slot of this.slots.filter((candidate) => candidate.serving && candidate.channel)) {
      try {
        return await slot.channel!.call(method, params);
      } catch (err) {
        failure = err;
      }
    }
    throw failure;
  }

  /** Every worker stops accepting, finishes what is in flight and exits; resolves once all have. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running = this.slots.filter((slot) => {
      clearTimeout(slot.restart);
      return slot.worker && !slot.worker.isDead();
    });
    await Promise.all(
      running.map(async (slot) => {
        const worker = slot.worker!;
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        const kill = setTimeout(() => worker.process.kill('SIGKILL'), this.options.graceMs + KILL_MARGIN_MS);
        slot.channel?.call('drain', {}).catch(() => undefined);
        await exited;
        clearTimeout(kill);
      }),
    );
  }

  private async applyIn(slot: Slot, config: GatewayConfig, source: string): Promise<Error | undefined> {
    try {
      await slot.channel!.call('apply', { config, source });
      return undefined;
    } catch (err) {
      // A worker that died meanwhile starts again with the pool's config; only a refusal refuses the change.
      return slot.channel && !slot.worker?.isDead() ? (err as Error) : undefined;
    }
  }

  private fork(slot: Slot): void {
    const worker = cluster.fork({ [WORKER_SLOT_ENV]: String(slot.index) });
    slot.worker = worker;
    slot.configured = false;
    slot.serving = false;
    if (worker.process.stdout) relayLines(worker.process.stdout);
    let failure: string | undefined;
    const channel: PrimaryChannel = new IpcChannel<Workers.WorkerMethods, Workers.PrimaryMethods>(worker, {
      ...this.options.services,
      start: () => {
        slot.configured = true;
        return { ...this.options.listen(), config: this.config };
      },
      started: (outcome) => {
        if ('error' in outcome) failure = outcome.error;
        else this.served(slot, outcome.url);
        return null;
      },
    });
    slot.channel = channel;
    worker.once('exit', (code, signal) => {
      channel.close(new Error(`worker ${slot.index} exited`));
      slot.channel = undefined;
      slot.serving = false;
      slot.configured = false;
      this.exited(slot, worker, code, signal, failure);
    });
  }

  private served(slot: Slot, url: string): void {
    slot.serving = true;
    this.options.logger.info({ worker: slot.index, pid: slot.worker?.process.pid }, ProcessEvents.workerReady);
    const starting = this.starting;
    if (!starting) return;
    starting.ready.add(slot.index);
    starting.url ??= url;
    if (starting.ready.size === this.slots.length) {
      this.starting = undefined;
      starting.resolve(starting.url);
    }
  }

  private exited(slot: Slot, worker: Worker, code: number | null, signal: string | null, failure: string | undefined): void {
    if (this.stopping) return;
    if (this.starting) {
      // Not started yet: the gateway does not start either (a port in use, a certificate it cannot read).
      const starting = this.starting;
      this.starting = undefined;
      void this.stop().then(() => starting.reject(new Error(failure ?? `worker ${slot.index} exited (${signal ?? code}) before it listened`)));
      return;
    }
    const now = Date.now();
    slot.exits = [...slot.exits.filter((at) => now - at < CRASH_MEMORY_MS), now];
    const restartInMs = Math.min(MAX_RESTART_MS, FIRST_RESTART_MS * 2 ** (slot.exits.length - 1));
    const reason = failure !== undefined ? { error: failure } : {};
    this.options.logger.warn({ worker: slot.index, pid: worker.process.pid, code, signal, restartInMs, ...reason }, ProcessEvents.workerExited);
    slot.restart = setTimeout(() => {
      if (this.stopping) return;
      this.options.onRestart?.(slot.index);
      this.fork(slot);
    }, restartInMs);
  }
}
