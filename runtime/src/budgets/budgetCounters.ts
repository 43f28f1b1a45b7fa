// The spending counters behind budgets, in nano-dollars per key and period: in this process, or in Redis where one
// Lua script checks and adds in one step, so replicas admitting at the same time cannot all start from the same
// remainder (0 over-admission, as the rate limits). A key lives until its period ends.
import type { Redis } from 'ioredis';
import type { Period } from '../cost/periods';
import type { StoreOutage } from '../stores/storeOutage';

export interface Reservation {
  admitted: boolean;
  /** The key's spending after the operation (or, when refused, as it stands). */
  spent: number;
}

export interface BudgetCounters {
  readonly kind: 'memory' | 'redis';
  /**
   * Adds `amount` to the key when it fits under `limit` (spent + amount <= limit) and the budget is not spent yet;
   * else adds nothing and says so.
   */
  reserve(key: string, amount: number, limit: number, period: Period): Promise<Reservation>;
  /** Adds `delta` (negative: gives back) without a check: settles a reservation to what was spent. */
  adjust(key: string, delta: number, period: Period): Promise<number>;
  /** True the first time it is asked for `flag` in `period` (once across replicas): alerts are sent once. */
  once(flag: string, period: Period): Promise<boolean>;
}

const RESERVE = `
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if spent >= tonumber(ARGV[2]) or spent + amount > tonumber(ARGV[2]) then return {0, spent} end
spent = redis.call('INCRBY', KEYS[1], amount)
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return {1, spent}`;

const ADJUST = `
local spent = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return spent`;

export function createMemoryBudgetCounters(): BudgetCounters {
  const counters = new Map<string, { spent: number; endsAt: number }>();
  const flags = new Map<string, number>();
  const live = (key: string, period: Period): { spent: number; endsAt: number } => {
    let counter = counters.get(key);
    if (!counter || counter.endsAt <= Date.now()) {
      counter = { spent: 0, endsAt: period.endsAt };
      counters.set(key, counter);
      forgetEnded(counters, flags);
    }
    return counter;
  };
  return {
    kind: 'memory',
    reserve(key, amount, limit, period) {
      const counter = live(key, period);
      if (counter.spent >= limit || counter.spent + amount > limit) return Promise.resolve({ admitted: false, spent: counter.spent });
      counter.spent += amount;
      return Promise.resolve({ admitted: true, spent: counter.spent });
    },
    adjust(key, delta, period) {
      const counter = live(key, period);
      counter.spent += delta;
      return Promise.resolve(counter.spent);
    },
    once(flag, period) {
      const ends = flags.get(flag);
      if (ends !== undefined && ends > Date.now()) return Promise.resolve(false);
      flags.set(flag, period.endsAt);
      return Promise.resolve(true);
    },
  };
}

function forgetEnded(counters: Map<string, { endsAt: number }>, flags: Map<string, number>): void {
  const now = Date.now();
  for (const [key, counter] of counters) if (counter.endsAt <= now) counters.delete(key);
  for (const [flag, endsAt] of flags) if (endsAt <= now) flags.delete(flag);
}

export function createRedisBudgetCounters(client: Redis, keyPrefix: string, outage: StoreOutage): BudgetCounters {
  const key = (logical: string): string => `${keyPrefix}${logical}`;
  return {
    kind: 'redis',
    async reserve(logical, amount, limit, period) {
      const [admitted, spent] = (await outage.run(() => client.eval(RESERVE, 1, key(logical), Math.ceil(amount), Math.floor(limit), period.endsAt))) as [
        number,
        number,
      ];
      return { admitted: admitted === 1, spent: Number(spent) };
    },
    async adjust(logical, delta, period) {
      return Number(await outage.run(() => client.eval(ADJUST, 1, key(logical), Math.round(delta), period.endsAt)));
    },
    async once(flag, period) {
      return (await outage.run(() => client.set(key(flag), '1', 'PXAT', period.endsAt, 'NX'))) === 'OK';
    },
  };
}
