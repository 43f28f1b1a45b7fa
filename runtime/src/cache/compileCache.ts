// The `cache:` of each route, compiled once per config: its key's fixed parts (the fingerprint of the route's
// answer-shaping config, the ignored fields), where its answers live in the store, and for a semantic cache the
// embeddings route to ask. A request on a route without a cache costs one Map lookup.
import type { CacheConfig, GatewayConfig, RouteConfig } from '../../../common/src/config';
import type { ConfigPart } from '../gateway/snapshot';
import { ALWAYS_IGNORED, routeFingerprint } from './cacheKey';

export interface EmbeddingsRoute {
  route: string;
  /** The path the embeddings request is sent to (the route's path, after its stripPrefix). */
  path: string;
  model: string | undefined;
  timeoutMs: number;
}

export interface RouteCache {
  route: string;
  config: CacheConfig;
  fingerprint: string;
  ignored: ReadonlySet<string>;
  /** Every key of this route's answers starts with it (`by: global` answers share one). */
  prefix: string;
  semantic?: { similarity: number; embeddings: EmbeddingsRoute };
}

export type CompiledCaches = ReadonlyMap<string, RouteCache>;

/** The store prefix of a route's answers: purging a route removes what is under it. */
export function cachePrefix(route: string, config: Pick<CacheConfig, 'by'>): string {
  return config.by === 'global' ? 'cache:(global):' : `cache:${route}:`;
}

export function compileCaches(config: GatewayConfig): CompiledCaches {
  const byName = new Map(config.routes.map((route) => [route.name, route]));
  const caches = new Map<string, RouteCache>();
  for (const route of config.routes) {
    const cache = route.cache;
    if (!cache) continue;
    const embeddings = cache.semantic ? embeddingsRoute(byName.get(cache.semantic.embeddingsRoute), cache.semantic.embeddingsModel) : undefined;
    caches.set(route.name, {
      route: route.name,
      config: cache,
      fingerprint: routeFingerprint(route, cache),
      ignored: new Set([...ALWAYS_IGNORED, ...cache.ignoreFields]),
      prefix: cachePrefix(route.name, cache),
      ...(cache.semantic && embeddings ? { semantic: { similarity: cache.semantic.similarity, embeddings } } : {}),
    });
  }
  return caches;
}

function embeddingsRoute(route: RouteConfig | undefined, model: string | undefined): EmbeddingsRoute | undefined {
  if (!route) return undefined; // the config model refuses this; a config given in code is served without semantics
  let path = route.path;
  if (route.stripPrefix && path.startsWith(route.stripPrefix)) path = path.slice(route.stripPrefix.length) || '/';
  return { route: route.name, path, model, timeoutMs: Math.min(route.timeoutMs, 10_000) };
}

export const cachePart: ConfigPart<CompiledCaches> = { name: 'cache', compile: (config) => compileCaches(config) };
