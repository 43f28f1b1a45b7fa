// What one request cost: its usage at the price of the model that served it, computed once when the answer is over
// and kept on the request's state, so the budget that settles it and the observers that report it agree.
import type { RouteConfig } from '../../../common/src/config';
import type { GatewayState, RequestCost } from '../gateway/context';
import type { ProviderName } from '../providers/types';
import { costInNanoUsd, nanoToUsd, pricingPart, providerOfUrl } from './priceTable';

const providerOfTarget = new Map<string, ProviderName>();

/**
 * Which provider served the request: a provider target's, as the proxy records it on `state.upstream` for the
 * attempt that answered (so a failover to another provider is costed at that provider's price); else a plain URL
 * target's, `openai-compatible` (`openai` for api.openai.com, `mock://P` for P). With `modelOf`, the one place that
 * asks; apart from it, so that an unpriced request never reads the answer for a model nobody needs.
 */
export function providerOf(state: GatewayState): ProviderName {
  if (state.upstream.provider) return state.upstream.provider;
  const target = state.upstream.target ?? '';
  let provider = providerOfTarget.get(target);
  if (provider === undefined) {
    provider = providerOfUrl(target);
    if (providerOfTarget.size < 10_000) providerOfTarget.set(target, provider); // target URLs come from configs: few
  }
  return provider;
}

/** The model that served it: a provider target's, else the request's model, else the answer's. */
function modelOf(state: GatewayState): string | undefined {
  return state.upstream.model ?? state.model ?? state.answerTap?.model();
}

/** A provider and model a request on this route may be sent to: each target's (its alias, else the request's model). */
export interface PossibleTarget {
  provider: ProviderName;
  /** The model the target sends whatever the client asked (a provider target's `model`). */
  model: string | undefined;
}

/** What a request on this route may be served by, for a budget's estimate before a target is picked (the rule of providerOf and modelOf). */
export function possibleTargets(route: RouteConfig): readonly PossibleTarget[] {
  const known = targetsOfRoute.get(route);
  if (known) return known;
  const seen = new Map<string, PossibleTarget>();
  for (const target of route.targets) {
    const provider = target.provider?.name ?? providerOfUrl(target.url);
    const model = target.provider?.model;
    seen.set(`${provider}\n${model ?? ''}`, { provider, model });
  }
  const targets = [...seen.values()];
  targetsOfRoute.set(route, targets);
  return targets;
}

/** Per route config (a new config brings new objects): computed once, not per request. */
const targetsOfRoute = new WeakMap<RouteConfig, readonly PossibleTarget[]>();

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
  const model = modelOf(state);
  if (model === undefined) return null;
  const price = prices.priceOf(provider, model);
  const nanoUsd = price && costInNanoUsd(usage, price);
  if (nanoUsd === undefined) return null;
  return { usd: nanoToUsd(nanoUsd), nanoUsd, provider, model };
}
