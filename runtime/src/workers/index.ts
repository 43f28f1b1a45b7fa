// gateway.workers: the gateway on several processes sharing one port (node:cluster), see primary.ts and
// workerProcess.ts; docs/decisions.md says why it is built this way and what it costs.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { GatewaySettings } from '../../../common/src/config';
import { WORKER_SLOT_ENV } from './workerPool';

export { startPrimary, type PrimaryOptions, type RunningPrimary } from './primary';
export { runGatewayWorker } from './workerProcess';

/** How many processes `gateway.workers` asks for: `auto` is one per CPU this process may use. */
export function workerCount(setting: GatewaySettings['workers']): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

/** This process was forked by a gateway's primary to serve as one of its workers. */
export function isGatewayWorker(): boolean {
  return cluster.isWorker && process.env[WORKER_SLOT_ENV] !== undefined;
}
