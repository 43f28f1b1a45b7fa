// What one request cost: its usage at the price of the model that served it, computed once when the answer is over
// and kept on the request's state, so the budget that settles it and the observers that report it agree.
import type { RouteConfig } from '../../../common/src/config';
import type { GatewayState, RequestCost } from '../gateway/context';
import type { ProviderName } from '../providers/types';
import { costInNanoUsd, nanoToUsd, pricingPart, providerOfUrl } from './priceTable';

export interface ServedBy {
  provider: ProviderName;
  model: string | undefined;
}

const providerOfTarget = new Map<string, ProviderName>();

/**
 * Which provider and model served the request. A plain URL target is `openai-compatible` (`openai` for
 * api.openai.com, `mock://P` for P), and the model is the answer's, else the request's. When the proxy records a
 * provider target's provider and model on `state.upstream`, read them here first: this is the one place that asks.
 */
export function servedBy(state: GatewayState): ServedBy {
  return { provider: providerOf(state), model: state.model ?? state.answerTap?.model() };
}

function providerOf(state: GatewayState): ProviderName {
  const target = state.upstream.target ?? '';
  let provider = providerOfTarget.get(target);
  if (provider === undefined) {
    provider = providerOfUrl(target);
    if (providerOfTarget.size < 10_000) providerOfTarget.set(target, provider); // target URLs come from configs: few
  }
  return provider;
}

/** What a request on this route may be served by, for a budget's estimate before a target is picked (same rule as servedBy). */
export function possibleProviders(route: RouteConfig): ProviderName[] {
  return [...new Set(route.targets.map((target) => providerOfUrl(target.url)))];
}

/** The request's cost, computed on first use: null without usage (a refusal, a cache hit) or without a price. */
export function requestCost(state: GatewayState): RequestCost | null {
  if (state.cost !== undefined) return state.cost;
  state.cost = computeCost(state);
  return state.cost;
}

function computeCost(state: GatewayState): RequestCost | null {
  const usage = state.usage;
  if (!usage) return null;
  const prices = state.snapshot.part(pricingPart);
  const provider = providerOf(state);
  if (!prices.pricesAny(provider)) return null; // e.g. a plain URL target (openai-compatible) without pricing: entries
  const model = state.model ?? state.answerTap?.model();
  if (model === undefined) return null;
  const price = prices.priceOf(provider, model);
  const nanoUsd = price && costInNanoUsd(usage, price);
  if (nanoUsd === undefined) return null;
  return { usd: nanoToUsd(nanoUsd), nanoUsd, provider, model };
}
