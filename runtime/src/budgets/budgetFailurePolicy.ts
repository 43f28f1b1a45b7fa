// `gateway.store.onStoreFailure` for budgets, as for rate limits: while Redis does not answer, `fail-open` admits (the
// budget is not enforced), `fail-closed` refuses (503), `local` counts in this process against limit / replicas. A
// reservation made in Redis and settled during the outage stays in Redis as reserved (it errs towards spent).
import type { StoreFailurePolicy } from '../../../common/src/config';
import { StoreUnavailable } from '../stores/storeOutage';
import { createMemoryBudgetCounters, type BudgetCounters } from './budgetCounters';

/** Thrown while the store is down under fail-closed: the budget stage answers 503. */
export class BudgetStoreUnavailable extends Error {
  readonly retryAfterMs = 1_000;
  constructor() {
    super('the shared budget store is unavailable and onStoreFailure is fail-closed');
  }
}

export function withBudgetFailurePolicy(shared: BudgetCounters, policy: StoreFailurePolicy, replicas: number): BudgetCounters {
  const local = createMemoryBudgetCounters();
  const onFailure = async <T>(operation: () => Promise<T>, fallback: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (err) {
      if (!(err instanceof StoreUnavailable)) throw err;
      if (policy === 'fail-closed') throw new BudgetStoreUnavailable();
      return fallback();
    }
  };
  const share = Math.max(1, replicas);
  return {
    kind: shared.kind,
    reserve: (key, amount, limit, period) =>
      onFailure(
        () => shared.reserve(key, amount, limit, period),
        () => (policy === 'fail-open' ? Promise.resolve({ admitted: true, spent: 0 }) : local.reserve(key, amount, Math.floor(limit / share), period)),
      ),
    adjust: (key, delta, period) =>
      onFailure(
        () => shared.adjust(key, delta, period),
        () => (policy === 'local' ? local.adjust(key, delta, period) : Promise.resolve(0)),
      ),
    // An alert that cannot be deduplicated is not sent: better one missing than one per replica and request.
    once: (flag, period) =>
      onFailure(
        () => shared.once(flag, period),
        () => Promise.resolve(false),
      ),
  };
}
