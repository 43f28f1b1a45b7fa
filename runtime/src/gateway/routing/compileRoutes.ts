// The route table: compiled once per config apply, then a lookup per request with no allocation on the
// common path. Most specific path wins; among equal paths, the route with more `match` conditions wins;
// then declaration order.
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayConfig, RouteConfig } from '../../../../common/src/config';
import { compileGlob, type Glob } from '../../../../common/src/config';
import { droppedRequestHeaders } from '../upstream/headers';
import { compilePathPattern, type PathPattern } from './pathPattern';

export interface CompiledRoute {
  config: RouteConfig;
  name: string;
  pattern: PathPattern;
  methods?: ReadonlySet<string>;
  headerMatchers: ReadonlyArray<readonly [name: string, value: Glob]>;
  model?: Glob;
  order: number;
  /** Request headers never sent to this route's targets (upstream/headers.ts). */
  droppedHeaders: ReadonlySet<string>;
  /** Some target names a provider: the request is read and parsed as OpenAI's (or Anthropic's) API before the proxy. */
  hasProviderTargets: boolean;
  /** Whether any target is a plain URL (which is sent the client's headers; a provider target gets only its own). */
  hasPlainTargets: boolean;
}

/** The body has not been read yet: a route that needs the model asks for it with `needs-model`. */
export const MODEL_NOT_READ: unique symbol = Symbol('model-not-read');

export interface RouteQuery {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body's "model" (undefined when the body has none), or MODEL_NOT_READ. */
  model: string | undefined | typeof MODEL_NOT_READ;
}

export type RouteLookup =
  | { kind: 'matched'; route: CompiledRoute; params: Readonly<Record<string, string>> }
  | { kind: 'needs-model' }
  | { kind: 'method-not-allowed'; allow: string[]; route: CompiledRoute }
  | { kind: 'not-found' };

/** The params of a route without any (frozen: the object is shared by every request such a route matches). */
export const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
const NEEDS_MODEL: RouteLookup = { kind: 'needs-model' };
const NOT_FOUND: RouteLookup = { kind: 'not-found' };

export interface RouteTable {
  routes: readonly CompiledRoute[];
  find(query: RouteQuery): RouteLookup;
}

function compileRoute(config: RouteConfig, order: number): CompiledRoute {
  const headerMatchers = Object.entries(config.match?.headers ?? {}).map(([name, value]) => [name.toLowerCase(), compileGlob(value)] as const);
  return {
    config,
    name: config.name,
    pattern: compilePathPattern(config.path),
    methods: config.methods ? new Set(config.methods.map((method) => method.toUpperCase())) : undefined,
    headerMatchers,
    model: config.match?.model !== undefined ? compileGlob(config.match.model) : undefined,
    order,
    droppedHeaders: droppedRequestHeaders(
      config.allowOverrideHeaders,
      (config.guardrails?.response.length ?? 0) > 0 || (config.guardrails?.request.some((g) => g.type === 'pii' && g.restore) ?? false),
    ),
    hasProviderTargets: config.targets.some((target) => target.provider !== undefined),
    hasPlainTargets: config.targets.some((target) => target.provider === undefined),
  };
}

function conditionCount(route: CompiledRoute): number {
  return route.headerMatchers.length + (route.model ? 1 : 0) + (route.methods ? 1 : 0);
}

function bySpecificity(a: CompiledRoute, b: CompiledRoute): number {
  return b.pattern.specificity - a.pattern.specificity || conditionCount(b) - conditionCount(a) || a.order - b.order;
}

function headersMatch(route: CompiledRoute, headers: IncomingHttpHeaders): boolean {
  for (const [name, value] of route.headerMatchers) {
    const actual = headers[name];
    const text = Array.isArray(actual) ? actual.join(', ') : actual;
    if (text === undefined || !value.matches(text)) return false;
  }
  return true;
}

export function compileRoutes(config: Pick<GatewayConfig, 'routes'>): RouteTable {
  const routes = config.routes.map(compileRoute);
  const exact = new Map<string, CompiledRoute[]>();
  const patterned: CompiledRoute[] = [];
  for (const route of routes) {
    if (route.pattern.exact === undefined) patterned.push(route);
    else exact.set(route.pattern.exact, [...(exact.get(route.pattern.exact) ?? []), route]);
  }
  for (const list of exact.values()) list.sort(bySpecificity);
  patterned.sort(bySpecificity);

  // An exact route has no params, so the answer for it is the same for every request it matches.
  const exactMatched = new Map<CompiledRoute, RouteLookup>();
  for (const list of exact.values()) for (const route of list) exactMatched.set(route, { kind: 'matched', route, params: NO_PARAMS });

  function find(query: RouteQuery): RouteLookup {
    // Lower-casing a path that already is (the usual case) returns the same string: no allocation.
    const lower = query.path.toLowerCase();
    const path = lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
    let pathMatched: CompiledRoute | undefined;
    let allow: Set<string> | undefined;
    const exactRoutes = exact.get(path);
    if (exactRoutes) {
      for (const route of exactRoutes) {
        const verdict = verdictOf(route, query);
        if (verdict === 'match') return exactMatched.get(route)!;
        if (verdict === 'needs-model') return NEEDS_MODEL;
        pathMatched ??= route;
        if (verdict === 'wrong-method') allow = addMethods(allow, route);
      }
    }
    for (const route of patterned) {
      const params = route.pattern.match(query.path);
      if (!params) continue;
      const verdict = verdictOf(route, query);
      if (verdict === 'match') return { kind: 'matched', route, params };
      if (verdict === 'needs-model') return NEEDS_MODEL;
      pathMatched ??= route;
      if (verdict === 'wrong-method') allow = addMethods(allow, route);
    }
    // Only a method mismatch (no route of the path accepted the method) is a 405; a failed header/model match is a 404.
    if (pathMatched && allow && !anyRouteAcceptsMethod(query, exactRoutes ?? [], patterned)) {
      return { kind: 'method-not-allowed', allow: [...allow].sort(), route: pathMatched };
    }
    return NOT_FOUND;
  }

  return { routes, find };
}

/** What a route whose path matched says about the rest of the request. */
function verdictOf(route: CompiledRoute, query: RouteQuery): 'match' | 'wrong-method' | 'no-match' | 'needs-model' {
  if (route.methods && !route.methods.has(query.method)) return 'wrong-method';
  if (!headersMatch(route, query.headers)) return 'no-match';
  if (route.model) {
    if (query.model === MODEL_NOT_READ) return 'needs-model';
    if (query.model === undefined || !route.model.matches(query.model)) return 'no-match';
  }
  return 'match';
}

function addMethods(allow: Set<string> | undefined, route: CompiledRoute): Set<string> {
  const set = allow ?? new Set<string>();
  for (const method of route.methods ?? []) set.add(method);
  return set;
}

function anyRouteAcceptsMethod(query: RouteQuery, exactRoutes: CompiledRoute[], patterned: CompiledRoute[]): boolean {
  const accepts = (route: CompiledRoute): boolean => !route.methods || route.methods.has(query.method);
  return exactRoutes.some(accepts) || patterned.some((route) => accepts(route) && route.pattern.match(query.path) !== undefined);
}
