// Validates config text with the one config model on a worker thread (validationWorker.ts), one check at a time, so
// the event loop keeps serving requests meanwhile. A check that runs past its time budget ends the worker (the next
// check starts a new one) and is refused. Where the worker's file is missing (a bundle built without it), the check
// runs in this thread, as before.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { GatewaySettings, LoadOptions } from '../../../common/src/config';
import { checkConfigText, type CheckedText } from './configCheck';

/** How long one validation may take before it is given up (a config at the size cap loads in a few seconds). */
export const CHECK_TIME_BUDGET_MS = 60_000;

export interface CheckRequest {
  id: number;
  text: string;
  options: Omit<LoadOptions, 'parseCache'>;
  running?: GatewaySettings;
}

export interface CheckAnswer extends CheckedText {
  id: number;
  failure?: string;
}

const WORKER_FILE = path.join(__dirname, 'validationWorker.js');
const WORKER_HEAP_MB = 512;

export class OffThreadCheck {
  private worker: Worker | undefined;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly budgetMs = CHECK_TIME_BUDGET_MS) {}

  /** `running`: the settings the gateway started with, for the restart-only warnings. */
  check(text: string, options: LoadOptions, running?: GatewaySettings): Promise<CheckedText> {
    const { parseCache: _unused, ...cloneable } = options;
    const result = this.queue.then(() => this.run(text, { ...cloneable, env: { ...(options.env ?? process.env) } }, running));
    this.queue = result.catch(() => undefined);
    return result;
  }

  close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    return worker ? worker.terminate().then(() => undefined) : Promise.resolve();
  }

  private run(text: string, options: CheckRequest['options'], running: GatewaySettings | undefined): Promise<CheckedText> {
    if (!existsSync(WORKER_FILE)) return Promise.resolve(checkConfigText(text, options, running));
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise<CheckedText>((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        void this.close(); // the next check gets a fresh worker
        reject(new Error(`the config took longer than ${this.budgetMs / 1000}s to validate`));
      }, this.budgetMs);
      const onMessage = (answer: CheckAnswer): void => {
        if (answer.id !== id) return;
        done();
        if (answer.failure !== undefined) reject(new Error(`the config could not be validated: ${answer.failure}`));
        else {
          const { id: _id, failure: _failure, ...checked } = answer;
          resolve(checked);
        }
      };
      const onExit = (code: number): void => {
        done();
        this.worker = undefined;
        reject(new Error(`the config validation stopped (worker exit ${code})`));
      };
      const done = (): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.postMessage({ id, text, options, ...(running ? { running } : {}) } satisfies CheckRequest);
    });
  }

  private start(): Worker {
    // A heap limit of its own: a config that would need more memory ends this worker, not the gateway.
    const worker = new Worker(WORKER_FILE, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    worker.unref(); // an idle validator never keeps the process alive
    worker.on('error', () => undefined); // reported through 'exit' to the check waiting on it
    return worker;
  }
}
