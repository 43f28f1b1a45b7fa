// budget: the security rule's spending limits (runtime/src/budgets), after the cache (a hit costs nothing) and before
// the proxy. The request's most (budgets/costEstimate.ts) is reserved in every budget of its rule; one that does not
// fit refuses it with 429 `budget_exceeded`, and the reservations are settled to what the answer cost when it is
// over (cost/requestCost.ts). What is left is told in `x-gateway-budget-*` headers. Configs without budgets pay one
// Map size check per request.
import type { Middleware, Next } from 'koa';
import { DEFAULT_MAX_TOKENS, type SecurityRule } from '../../../../common/src/config';
import type { Webhook } from '../../../../common/src/protocol';
import type { BudgetCounters } from '../../budgets/budgetCounters';
import { BudgetStoreUnavailable } from '../../budgets/budgetFailurePolicy';
import { budgetPart, type CompiledBudget } from '../../budgets/compileBudgets';
import { estimateCost } from '../../budgets/costEstimate';
import { periodAt, type Period } from '../../cost/periods';
import { nanoToUsd } from '../../cost/priceTable';
import { requestCost } from '../../cost/requestCost';
import type { CompiledSecurity } from '../../security/compileSecurity';
import { tokenRequestOf, type TokenRequest } from '../../security/tokenReservation';
import { bodyJson } from '../bodyJson';
import { addTrace, type GatewayContext, type GatewayState } from '../context';
import { respondWithError } from '../errors';
import { readWholeBody } from '../requestBody';
import type { ConfigPart } from '../snapshot';
import { CompletionCounter } from '../upstream/completionCounter';

export const BUDGET_HEADERS = { limit: 'x-gateway-budget-limit-usd', remaining: 'x-gateway-budget-remaining-usd', reset: 'x-gateway-budget-reset' } as const;

export interface BudgetStageOptions {
  counters: BudgetCounters;
  /** Sends a budget webhook event (already deduplicated across replicas). */
  publish(type: 'budget.threshold' | 'budget.exhausted', event: Webhook.BudgetEvent): void;
}

interface Held {
  budget: CompiledBudget;
  period: Period;
  /** The counter's key in the store. */
  key: string;
  /** Whose spending it counts: the consumer or the route. */
  who: string;
  spent: number;
}

export function budget(security: ConfigPart<CompiledSecurity>, options: BudgetStageOptions): Middleware<GatewayState> {
  const alerted = new Set<string>(); // thresholds this process has seen crossed: no store round trip for them again
  // Not async on the way through (no budget in the config, or none on this rule): see normalize.ts.
  return function budgetMiddleware(ctx, next) {
    const snapshot = ctx.state.snapshot;
    const byRule = snapshot.part(budgetPart);
    if (byRule.size === 0) return next();
    const rule = snapshot.part(security).policyFor(ctx.state.path, ctx.method)?.rule;
    const budgets = rule && byRule.get(rule);
    return budgets === undefined ? next() : holdThenNext(ctx, next, rule!, budgets, { ...options, alerted });
  };
}

async function holdThenNext(
  ctx: GatewayContext,
  next: Next,
  rule: SecurityRule,
  budgets: readonly CompiledBudget[],
  options: BudgetStageOptions & { alerted: Set<string> },
): Promise<void> {
  const state = ctx.state;
  const read = await readWholeBody(ctx);
  if (read.kind === 'refused') return;
  const body = read.kind === 'whole' ? read.body : read.kind === 'prefix' ? read.prefix : undefined;
  const tokens = tokenRequestOf(body, Number(ctx.get('content-length') || 0), rule.rateLimit?.defaultMaxTokens ?? DEFAULT_MAX_TOKENS, (bytes) =>
    bodyJson(state, bytes),
  );
  const estimate = estimateCost(state, tokens);
  if (estimate.kind === 'unpriced') {
    addTrace(state, 'budget', 'rejected', `no price for ${estimate.provider} model ${estimate.model}`);
    respondWithError(
      ctx,
      403,
      'model_not_priced',
      `Model "${estimate.model}" has no price for provider ${estimate.provider}, so its spending cannot be held to this endpoint's budget: add it under pricing: in the gateway config.`,
    );
    return;
  }
  const subject = { consumer: state.consumer, route: state.route?.name ?? state.path };
  let held: Held[];
  try {
    const reserved = await reserveAll(budgets, subject, estimate.nanoUsd, options);
    if ('refused' in reserved) return refuse(ctx, reserved.refused);
    held = reserved.held;
  } catch (err) {
    if (!(err instanceof BudgetStoreUnavailable)) throw err;
    addTrace(state, 'budget', 'rejected', 'store unavailable');
    ctx.set('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
    respondWithError(ctx, 503, 'budget_store_unavailable', 'Budgets cannot be checked right now (their shared store is unavailable); retry shortly.');
    return;
  }
  const tightest = held.reduce((a, b) => (b.budget.limitNanoUsd - b.spent < a.budget.limitNanoUsd - a.spent ? b : a));
  setBudgetHeaders(ctx, tightest);
  addTrace(
    state,
    'budget',
    'admitted',
    `$${usd(estimate.nanoUsd)} reserved; $${usd(tightest.budget.limitNanoUsd - tightest.spent)} of ${tightest.budget.config.source} left`,
  );
  // An answer without usage is charged what its streamed text counts (as token limits do), not its whole reservation.
  state.completion ??= new CompletionCounter(estimate.model, tokens.streamWithoutUsage);
  try {
    await next();
  } finally {
    const spent = await actualCost(state, tokens).catch(() => estimate.nanoUsd);
    await settleAll(held, spent - estimate.nanoUsd, options).catch(() => undefined); // a failed give-back leaves it reserved
  }
}

async function reserveAll(
  budgets: readonly CompiledBudget[],
  subject: { consumer: string | undefined; route: string },
  amount: number,
  options: BudgetStageOptions,
): Promise<{ held: Held[] } | { refused: Held }> {
  const held: Held[] = [];
  for (const budget of budgets) {
    const period = periodAt(budget.config.period);
    const key = budget.counterKey(subject, period);
    const who = budget.keyOf(subject);
    const reservation = await options.counters.reserve(key, amount, budget.limitNanoUsd, period);
    if (!reservation.admitted) {
      await Promise.all(held.map((h) => options.counters.adjust(h.key, -amount, h.period))).catch(() => undefined);
      const refused = { budget, period, key, who, spent: reservation.spent };
      if (await options.counters.once(`budget-exhausted:${key}`, period).catch(() => false)) options.publish('budget.exhausted', budgetEvent(refused, 1));
      return { refused };
    }
    held.push({ budget, period, key, who, spent: reservation.spent });
  }
  return { held };
}

/** Settles each reservation to what was spent, and sends the threshold alert the first time a budget crosses it. */
async function settleAll(held: Held[], correction: number, options: BudgetStageOptions & { alerted: Set<string> }): Promise<void> {
  for (const h of held) {
    const spent = correction === 0 ? h.spent : await options.counters.adjust(h.key, correction, h.period);
    const threshold = h.budget.config.alertAt;
    const flag = `budget-alert:${h.key}`;
    if (spent < threshold * h.budget.limitNanoUsd || options.alerted.has(flag)) continue;
    if (options.alerted.size > 10_000) options.alerted.clear();
    options.alerted.add(flag);
    if (await options.counters.once(flag, h.period)) options.publish('budget.threshold', budgetEvent({ ...h, spent }, threshold));
  }
}

/** What the request cost: its usage at its model's price; for an answer without usage, its counted tokens. */
async function actualCost(state: GatewayState, tokens: TokenRequest): Promise<number> {
  const cost = requestCost(state);
  if (cost) return cost.nanoUsd;
  if (state.upstream.status === undefined || state.upstream.status >= 400) return 0;
  const completionTokens = state.completion ? await state.completion.tokens() : tokens.completionTokens;
  const counted = estimateCost(state, { ...tokens, completionTokens });
  return counted.kind === 'priced' ? counted.nanoUsd : 0;
}

function refuse(ctx: GatewayContext, refused: Held): void {
  const { budget, period } = refused;
  const state = ctx.state;
  const who = `${budget.config.by} ${refused.who}`;
  state.rejection = { by: 'budget', budget: budget.config.source, scope: budget.config.by }; // counted by observe
  addTrace(state, 'budget', 'rejected', `${budget.config.source} per ${budget.config.by}`);
  setBudgetHeaders(ctx, refused);
  ctx.set('Retry-After', String(Math.max(1, Math.ceil((period.endsAt - Date.now()) / 1000))));
  respondWithError(
    ctx,
    429,
    'budget_exceeded',
    `The budget of ${budget.endpoint} (${budget.config.source} per ${budget.config.by}) is spent for ${who}: $${usd(refused.spent)} of $${usd(budget.limitNanoUsd)} in ${period.id}; it resets at ${new Date(period.endsAt).toISOString()}.`,
  );
}

function setBudgetHeaders(ctx: GatewayContext, held: Held): void {
  ctx.set(BUDGET_HEADERS.limit, usd(held.budget.limitNanoUsd));
  ctx.set(BUDGET_HEADERS.remaining, usd(Math.max(0, held.budget.limitNanoUsd - held.spent)));
  ctx.set(BUDGET_HEADERS.reset, String(Math.max(0, Math.ceil((held.period.endsAt - Date.now()) / 1000))));
}

function budgetEvent(held: Held, threshold: number): Webhook.BudgetEvent {
  return {
    endpoint: held.budget.endpoint,
    budget: held.budget.config.source,
    by: held.budget.config.by,
    key: held.who,
    period: held.period.id,
    limitUsd: nanoToUsd(held.budget.limitNanoUsd),
    spentUsd: nanoToUsd(Math.max(0, held.spent)),
    threshold,
  };
}

/** Dollars with six decimals (a micro-dollar), as the headers and messages show them. */
function usd(nano: number): string {
  return nanoToUsd(nano).toFixed(6);
}
