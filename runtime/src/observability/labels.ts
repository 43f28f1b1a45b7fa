// Label values that keep metric cardinality bounded whatever clients send: methods outside HTTP's usual set,
// unmatched paths, an open-ended set of JWT subjects and model names outside the known lists each collapse into one
// fixed value.
import { knownModel, type ProviderName } from '../../../common/src/config';

/** The route label of a request no route matched (404, 405, a bad path). */
export const NO_ROUTE = '(none)';
/** The route label of the gateway's own endpoints (`/metrics`, the admin API). */
export const GATEWAY_ROUTE = '(gateway)';
/** The consumer label of a request that was not authenticated. */
const ANONYMOUS = '(anonymous)';
/** The consumer label once `maxConsumers` distinct consumers have been seen. */
const OTHER_CONSUMERS = '(other)';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'OTHER';
}

export function isGatewayEndpoint(path: string): boolean {
  return path === '/metrics' || path === '/api/v1' || path.startsWith('/api/v1/');
}

/** Consumers become labels up to a cap (API key names are few; JWT subjects may not be), the rest share one. */
export class ConsumerLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly maxConsumers = 200) {}

  label(consumer: string | undefined): string {
    if (consumer === undefined || consumer === '') return ANONYMOUS;
    if (this.seen.has(consumer)) return consumer;
    if (this.seen.size >= this.maxConsumers) return OTHER_CONSUMERS;
    this.seen.add(consumer);
    return consumer;
  }
}

/** The model label of a model outside its provider's known list (common/src/config/providerModels.ts). */
export const OTHER_MODEL = '(other)';

/**
 * The `provider` and `model` labels: empty for a plain URL target (the gateway does not know what serves it); a
 * provider target's model when its provider's list knows it, else `(other)`, so a client's made-up names add no series.
 */
export function providerLabels(provider: ProviderName | undefined, model: string | undefined): { provider: string; model: string } {
  if (provider === undefined) return NO_PROVIDER;
  return { provider, model: model !== undefined && knownModel(provider, model) ? model : OTHER_MODEL };
}

const NO_PROVIDER = { provider: '', model: '' };
