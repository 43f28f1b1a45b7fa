// Budget counters exact across worker processes without Redis, as the rate limits' (sharedCounters.ts): the primary
// keeps them in the same in-memory counters a single process uses, so each reservation is checked and added in one
// step there, and a worker asks it over the IPC channel. The once-per-period flags of the budget webhooks are kept
// there too, so a threshold is told once for all workers.
import type { Workers } from '../../../common/src/protocol';
import { createMemoryBudgetCounters, type BudgetCounters } from '../budgets/budgetCounters';
import type { Handlers, IpcChannel } from './ipcChannel';

type BudgetMethods = Pick<Workers.PrimaryMethods, 'budget.reserve' | 'budget.adjust' | 'budget.once'>;

/** In the primary: the counters every worker's budgets use, as the services the workers call. */
export function sharedBudgetServices(): Handlers<BudgetMethods> {
  const counters = createMemoryBudgetCounters();
  return {
    'budget.reserve': ({ key, amount, limit, period }) => counters.reserve(key, amount, limit, period),
    'budget.adjust': ({ key, delta, period }) => counters.adjust(key, delta, period),
    'budget.once': ({ flag, period }) => counters.once(flag, period),
  };
}

/** In a worker: budget counters whose every operation the primary performs. */
export function primaryBudgetCounters(primary: IpcChannel<Workers.PrimaryMethods, Workers.WorkerMethods>): BudgetCounters {
  return {
    kind: 'memory', // the primary's memory: one for all workers
    reserve: (key, amount, limit, period) => primary.call('budget.reserve', { key, amount, limit, period }),
    adjust: (key, delta, period) => primary.call('budget.adjust', { key, delta, period }),
    once: (flag, period) => primary.call('budget.once', { flag, period }),
  };
}
