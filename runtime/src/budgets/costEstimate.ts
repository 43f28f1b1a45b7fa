// The most a request may cost, reserved against its budgets before it is forwarded: its prompt (estimated at one
// token per four bytes of body, as token limits do) and its `max_completion_tokens` / `max_tokens` (else
// defaultMaxTokens), at the highest price among the providers and models its route may send it to (a failover can
// land on any of them).
import type { TokenRequest } from '../security/tokenReservation';
import { costInNanoUsd, pricingPart } from '../cost/priceTable';
import { possibleTargets } from '../cost/requestCost';
import type { GatewayState } from '../gateway/context';

export type Estimate = { kind: 'priced'; nanoUsd: number; model: string | undefined } | { kind: 'unpriced'; provider: string; model: string };

export function estimateCost(state: GatewayState, request: TokenRequest): Estimate {
  const model = request.model ?? state.model;
  const route = state.route?.config;
  if (model === undefined || !route) return { kind: 'priced', nanoUsd: 0, model }; // nothing to price: settled to what it used
  const prices = state.snapshot.part(pricingPart);
  let most = 0;
  for (const target of possibleTargets(route)) {
    const served = target.model ?? model;
    const price = prices.priceOf(target.provider, served);
    const nano = price && costInNanoUsd({ promptTokens: request.promptTokens, completionTokens: request.completionTokens }, price);
    if (nano === undefined) return { kind: 'unpriced', provider: target.provider, model: served };
    most = Math.max(most, nano);
  }
  return { kind: 'priced', nanoUsd: most, model };
}
