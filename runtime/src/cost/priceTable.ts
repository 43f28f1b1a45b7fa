// The prices a request is costed at: the config's `pricing` (exact names, then globs, in the order written) over the
// built-in table (providers/models.ts: dated, with its sources), compiled once per config. Money is counted in whole
// nano-dollars (1e-9 USD): a million tokens at $0.15 is 150 per token, exact in integers, and a month of a large
// deployment's spend stays far below 2^53.
import { compileGlob, type Glob, type PriceOverride } from '../../../common/src/config';
import type { ConfigPart } from '../gateway/snapshot';
import { knownModel, MODEL_LISTS, type ModelPrice } from '../providers/models';
import { PROVIDERS, type ProviderName } from '../providers/types';

export const NANO_USD_PER_USD = 1e9;
/** (Provider, model) pairs remembered per config; a client sending endless made-up names cannot grow it past this. */
const MAX_REMEMBERED = 2_000;

export interface PriceTable {
  /** The price of a model as a provider serves it; undefined when neither the config nor the table has one. */
  priceOf(provider: ProviderName, model: string): ModelPrice | undefined;
  /** Whether any model of this provider has a price (else a request need not even read its model). */
  pricesAny(provider: ProviderName): boolean;
}

interface Override {
  provider: string;
  glob: Glob;
  price: ModelPrice;
}

export function compilePriceTable(overrides: readonly PriceOverride[]): PriceTable {
  const exact = new Map<string, ModelPrice>();
  const globs: Override[] = [];
  for (const { provider, model, ...price } of overrides) {
    if (model.includes('*') || model.includes('?')) globs.push({ provider, glob: compileGlob(model), price });
    else if (!exact.has(`${provider}\n${model}`)) exact.set(`${provider}\n${model}`, price);
  }
  const remembered = new Map<string, ModelPrice | null>();
  const priced = new Set<string>([
    ...overrides.map((o) => o.provider),
    ...PROVIDERS.filter((p) => MODEL_LISTS[p].models.some((m) => m.inputPerMTok !== undefined)),
  ]);
  return {
    pricesAny: (provider) => priced.has(provider),
    priceOf(provider, model) {
      const key = `${provider}\n${model}`;
      const seen = remembered.get(key);
      if (seen !== undefined) return seen ?? undefined;
      const price = exact.get(key) ?? globs.find((entry) => entry.provider === provider && entry.glob.matches(model))?.price ?? builtInPrice(provider, model);
      if (remembered.size < MAX_REMEMBERED) remembered.set(key, price ?? null);
      return price;
    },
  };
}

function builtInPrice(provider: ProviderName, model: string): ModelPrice | undefined {
  const known = knownModel(provider, model);
  return known && (known.inputPerMTok !== undefined || known.outputPerMTok !== undefined) ? known : undefined;
}

/** The price table of each config, for whoever costs requests (observability, budgets). */
export const pricingPart: ConfigPart<PriceTable> = { name: 'pricing', compile: (config) => compilePriceTable(config.pricing) };

export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
  /** Of the prompt tokens, those read from the provider's prompt cache. */
  cachedTokens?: number;
}

/** Nano-dollars for these tokens at this price; undefined when a count is not zero and its price is unknown. */
export function costInNanoUsd(tokens: TokenCounts, price: ModelPrice): number | undefined {
  const cached = Math.min(Math.max(0, tokens.cachedTokens ?? 0), tokens.promptTokens);
  const uncached = tokens.promptTokens - cached;
  const input = perToken(uncached, price.inputPerMTok);
  const fromCache = perToken(cached, price.cachedInputPerMTok ?? price.inputPerMTok);
  const output = perToken(tokens.completionTokens, price.outputPerMTok);
  if (input === undefined || fromCache === undefined || output === undefined) return undefined;
  return Math.round(input + fromCache + output);
}

function perToken(count: number, perMillion: number | undefined): number | undefined {
  if (count <= 0) return 0;
  return perMillion === undefined ? undefined : count * perMillion * (NANO_USD_PER_USD / 1e6);
}

export function nanoToUsd(nano: number): number {
  return nano / NANO_USD_PER_USD;
}

/** Well-known API hosts; any other plain URL target speaks OpenAI's API as `openai-compatible`. */
const PROVIDER_HOSTS: [RegExp, ProviderName][] = [
  [/^api\.openai\.com$/, 'openai'],
  [/\.openai\.azure\.com$/, 'azure-openai'],
  [/^api\.anthropic\.com$/, 'anthropic'],
  [/^generativelanguage\.googleapis\.com$/, 'gemini'],
  [/^bedrock-runtime\.[a-z0-9-]+\.amazonaws\.com$/, 'bedrock'],
];

/** The provider a plain target URL stands for: `mock://P` is provider P's wire format, else by host. */
export function providerOfUrl(url: string): ProviderName {
  const mock = /^mock:\/\/([a-z-]+)/.exec(url);
  if (mock) return (PROVIDERS as readonly string[]).includes(mock[1]!) ? (mock[1] as ProviderName) : 'openai-compatible';
  const host = /^[a-z]+:\/\/(?:[^@/]*@)?([^:/?#]+)/i.exec(url)?.[1]?.toLowerCase() ?? '';
  return PROVIDER_HOSTS.find(([pattern]) => pattern.test(host))?.[1] ?? 'openai-compatible';
}
