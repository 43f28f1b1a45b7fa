// Schema-valid raw data of the cost-control keys -> their typed form: a route's `cache` merged over `gateway.cache`
// and the built-in defaults, a security rule's `budget` (one or a list), and the `pricing` overrides.
import type { BudgetConfig, CacheConfig, GatewayCacheSettings, PriceOverride } from './types';
import { parseDuration, parseSize } from './units';

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export const CACHE_DEFAULTS: CacheConfig = {
  mode: 'exact',
  ttlMs: 10 * 60_000,
  by: 'consumer',
  maxEntryBytes: 1024 * 1024,
  ignoreFields: [],
  keyHeaders: [],
  chargeHits: false,
  pace: false,
};
/** The in-memory answer store's bound when `gateway.cache.maxMemory` is not set. */
export const DEFAULT_CACHE_MEMORY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_SIMILARITY = 0.95;
export const DEFAULT_BUDGET_ALERT = 0.8;

/** The keys of a route's `cache` written on `base`: what is set wins, the rest is `base`'s. */
function mergeCache(base: CacheConfig, raw: Raw): CacheConfig {
  const mode = str(raw.mode) === 'semantic' ? 'semantic' : str(raw.mode) === 'exact' ? 'exact' : base.mode;
  const embeddings = obj(raw.embeddings);
  const route = str(embeddings.route) ?? base.semantic?.embeddingsRoute;
  const model = str(embeddings.model) ?? (str(embeddings.route) === undefined ? base.semantic?.embeddingsModel : undefined);
  return {
    mode,
    ttlMs: parseDuration(raw.ttl) ?? base.ttlMs,
    by: (str(raw.by) as CacheConfig['by'] | undefined) ?? base.by,
    maxEntryBytes: parseSize(raw.maxEntrySize) ?? base.maxEntryBytes,
    ignoreFields: Array.isArray(raw.ignoreFields) ? raw.ignoreFields.map(String) : base.ignoreFields,
    keyHeaders: Array.isArray(raw.keyHeaders) ? raw.keyHeaders.map((name) => String(name).toLowerCase()) : base.keyHeaders,
    chargeHits: typeof raw.chargeHits === 'boolean' ? raw.chargeHits : base.chargeHits,
    pace: typeof raw.pace === 'boolean' ? raw.pace : base.pace,
    ...(mode === 'semantic' && route !== undefined
      ? {
          semantic: {
            similarity: num(raw.similarity) ?? base.semantic?.similarity ?? DEFAULT_SIMILARITY,
            embeddingsRoute: route,
            ...(model !== undefined ? { embeddingsModel: model } : {}),
          },
        }
      : {}),
  };
}

export function normalizeGatewayCache(raw: unknown): GatewayCacheSettings {
  const settings = obj(raw);
  const maxMemoryBytes = parseSize(settings.maxMemory) ?? DEFAULT_CACHE_MEMORY_BYTES;
  if (raw === undefined || settings.enabled === false) return { maxMemoryBytes };
  return { maxMemoryBytes, routeDefault: mergeCache(CACHE_DEFAULTS, settings) };
}

/** A route's cache: `false` turns the gateway's default off, `true` takes it, an object is merged over it. */
export function normalizeRouteCache(raw: unknown, gateway: GatewayCacheSettings): CacheConfig | undefined {
  if (raw === false) return undefined;
  if (raw === undefined) return gateway.routeDefault;
  const base = gateway.routeDefault ?? CACHE_DEFAULTS;
  return raw === true ? base : mergeCache(base, obj(raw));
}

/** "50/month", "$2.50/day", or a number of dollars per month; undefined when malformed (the schema said so). */
export function parseBudgetAmount(value: unknown): Pick<BudgetConfig, 'usd' | 'period' | 'source'> | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? { usd: value, period: 'month', source: `${value}/month` } : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*\$?\s*(\d+(?:\.\d+)?)\s*\/\s*(day|month)\s*$/.exec(value);
  if (!m || Number(m[1]) <= 0) return undefined;
  return { usd: Number(m[1]), period: m[2] as BudgetConfig['period'], source: value.trim() };
}

export function normalizeBudgets(raw: unknown): BudgetConfig[] | undefined {
  if (raw === undefined) return undefined;
  const budgets = (Array.isArray(raw) ? raw : [raw]).flatMap((entry): BudgetConfig[] => {
    const o = obj(entry);
    const amount = parseBudgetAmount(o.usd);
    if (!amount) return [];
    return [{ ...amount, by: str(o.by) === 'route' ? 'route' : 'consumer', alertAt: num(o.alertAt) ?? DEFAULT_BUDGET_ALERT }];
  });
  return budgets.length > 0 ? budgets : undefined;
}

/** `pricing: { provider: { model: { input, output, cachedInput } } }` as a list, in the order written. */
export function normalizePricing(raw: unknown): PriceOverride[] {
  return Object.entries(obj(raw)).flatMap(([provider, models]) =>
    Object.entries(obj(models)).map(([model, price]) => {
      const p = obj(price);
      return {
        provider,
        model,
        ...(num(p.input) !== undefined ? { inputPerMTok: num(p.input) } : {}),
        ...(num(p.output) !== undefined ? { outputPerMTok: num(p.output) } : {}),
        ...(num(p.cachedInput) !== undefined ? { cachedInputPerMTok: num(p.cachedInput) } : {}),
      };
    }),
  );
}
