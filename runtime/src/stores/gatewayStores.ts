// The stores of the response cache, budgets and the spend ledger: in this process (a worker's answers and budgets in
// its primary's), or in the Redis of `gateway.store.redis` (one connection for the three, besides the rate limits'
// own), shared by every replica.
// Each use of Redis has its own outage line in the log and its own label in ai_gateway_shared_store_failures_total.
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { GatewaySettings } from '../../../common/src/config';
import { createMemoryAnswerStore, type AnswerStore } from '../cache/answerStore';
import { createRedisAnswerStore } from '../cache/redisAnswerStore';
import { createMemoryBudgetCounters, createRedisBudgetCounters, type BudgetCounters } from '../budgets/budgetCounters';
import { withBudgetFailurePolicy } from '../budgets/budgetFailurePolicy';
import { createMemorySpendLedger, type SpendLedger } from '../cost/spendLedger';
import { createRedisSpendLedger } from '../cost/spendRedis';
import { createRedisClient, describeRedisTarget, waitUntilReady } from '../limits/redisClient';
import { StoreOutage } from './storeOutage';

export interface GatewayStores {
  answers: AnswerStore;
  budgets: BudgetCounters;
  spend: SpendLedger;
  /** Resolves true once the store answers (at once in memory), false after `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** `budgets`, `answers`: kept elsewhere (a worker's of gateway.workers: the primary's), else in this process. */
export function memoryStores(maxMemoryBytes: number, budgets?: BudgetCounters, answers = createMemoryAnswerStore(maxMemoryBytes)): GatewayStores {
  const spend = createMemorySpendLedger();
  return {
    answers,
    budgets: budgets ?? createMemoryBudgetCounters(),
    spend,
    ready: () => Promise.resolve(true),
    close: async () => {
      await answers.close();
      await spend.close();
    },
  };
}

export function createGatewayStores(
  settings: GatewaySettings,
  options: {
    logger: Logger;
    failures?: Counter<'store'>;
    /** Budget counters to use without Redis (a worker's: the primary's). */ localBudgets?: BudgetCounters;
    /** The answer store to use without Redis (a worker's: the primary's), given its outage tracker. */
    localAnswers?: (outage: StoreOutage) => AnswerStore;
  },
): GatewayStores {
  const redis = settings.store.redis;
  if (!redis) {
    const answers = options.localAnswers?.(
      new StoreOutage({ what: 'response cache', logger: options.logger, store: 'primary process', failures: options.failures }),
    );
    return memoryStores(settings.cache.maxMemoryBytes, options.localBudgets, answers);
  }
  const client = createRedisClient(redis);
  client.on('error', () => undefined); // an outage is told by the operations that meet it, once (StoreOutage)
  const outage = (what: string): StoreOutage =>
    new StoreOutage({ what, logger: options.logger, store: describeRedisTarget(redis), failures: options.failures });
  const spend = createRedisSpendLedger(client, redis.keyPrefix, outage('spend ledger'));
  return {
    answers: createRedisAnswerStore(client, redis.keyPrefix, outage('response cache')),
    budgets: withBudgetFailurePolicy(
      createRedisBudgetCounters(client, redis.keyPrefix, outage('budget')),
      settings.store.onStoreFailure,
      settings.store.replicas,
    ),
    spend,
    ready: (timeoutMs) => waitUntilReady(client, timeoutMs),
    close: async () => {
      await spend.close();
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      await client.quit().catch(() => client.disconnect());
    },
  };
}
