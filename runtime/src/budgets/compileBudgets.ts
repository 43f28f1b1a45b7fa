// The `budget:` of each security rule, compiled once per config: its limit in nano-dollars and the counter key of
// each consumer (or route) and period. The key names the rule by its endpoint and methods, the budget by its `by` and
// period, never by its amount: raising a budget keeps what was spent.
import type { BudgetConfig, GatewayConfig, SecurityRule } from '../../../common/src/config';
import type { Period } from '../cost/periods';
import { NANO_USD_PER_USD } from '../cost/priceTable';
import { ANONYMOUS } from '../cost/spendLedger';
import type { ConfigPart } from '../gateway/snapshot';

export interface CompiledBudget {
  config: BudgetConfig;
  endpoint: string;
  limitNanoUsd: number;
  /** The counter of this budget for a consumer or route in a period. */
  counterKey(subject: BudgetSubject, period: Period): string;
  /** Whose spending it is: the consumer ("(anonymous)" without one) or the route. */
  keyOf(subject: BudgetSubject): string;
}

export interface BudgetSubject {
  consumer: string | undefined;
  route: string;
}

export type CompiledBudgets = ReadonlyMap<SecurityRule, readonly CompiledBudget[]>;

export function compileBudgets(config: GatewayConfig): CompiledBudgets {
  const byRule = new Map<SecurityRule, CompiledBudget[]>();
  for (const rule of config.security) {
    if (!rule.budgets) continue;
    byRule.set(
      rule,
      rule.budgets.map((budget) => {
        const keyOf = (subject: BudgetSubject): string => (budget.by === 'route' ? subject.route : (subject.consumer ?? ANONYMOUS));
        const ruleId = `${rule.methods?.join(',') ?? '*'}:${rule.endpoint}`;
        return {
          config: budget,
          endpoint: rule.endpoint,
          limitNanoUsd: Math.round(budget.usd * NANO_USD_PER_USD),
          keyOf,
          counterKey: (subject, period) => `budget:${ruleId}:${budget.by}:${period.id}:${keyOf(subject)}`,
        };
      }),
    );
  }
  return byRule;
}

export const budgetPart: ConfigPart<CompiledBudgets> = { name: 'budgets', compile: (config) => compileBudgets(config) };
