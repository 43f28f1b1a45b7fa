// What the config model knows about route paths: their shape, specificity and which security rule covers them.
// The runtime's router and security, and the semantic rules, share these so they agree on what "the same route" is.
// Paths match in any letter case, routes and security endpoints alike (docs/decisions.md, "Letter case"): a rule
// must cover every spelling an upstream may treat as the same resource, and a route must never see a spelling its
// rule does not.
import { compileGlob } from './glob';
import type { GatewayConfig, RouteConfig, SecurityRule } from './types';

/** `/models/:id`, `/Models/:name` and `/models/:ID` have the same shape `/models/:`. */
export function pathShape(path: string): string {
  // Without a param the shape is the path in lower case (the rules ask this of every route and rule).
  if (!path.includes(':')) return path.toLowerCase();
  return path
    .toLowerCase()
    .split('/')
    .map((seg) => (seg.startsWith(':') ? ':' : seg))
    .join('/');
}

/**
 * Higher is more specific: literal segments weigh most, then params, then the wildcard; an exact path beats any
 * pattern. The runtime orders routes and security rules by it, the config model reasons with the same numbers.
 */
export function pathSpecificity(path: string): number {
  const wildcard = path.endsWith('*');
  const segments = (wildcard ? path.slice(0, -1) : path).split('/').filter((segment) => segment !== '');
  const params = segments.filter((segment) => segment.startsWith(':')).length;
  const literals = segments.length - params;
  return literals * 1000 + params * 10 + (wildcard ? 0 : 5) + (params > 0 || wildcard ? 0 : 100_000);
}

/** True when a request path would be matched by the route path pattern (in any letter case). */
export function pathPatternMatches(pattern: string, requestPath: string): boolean {
  const lowerPattern = pattern.toLowerCase();
  const lowerPath = requestPath.toLowerCase();
  if (lowerPattern.endsWith('*')) return lowerPath.startsWith(lowerPattern.slice(0, -1));
  const a = lowerPattern.split('/');
  const b = lowerPath.split('/');
  if (a.length !== b.length) return false;
  return a.every((seg, i) => (seg.startsWith(':') ? (b[i] ?? '') !== '' : seg === b[i]));
}

/** True when every request the route path `routePath` can match is also matched by the security endpoint. */
export function endpointCoversPath(endpoint: string, routePath: string): boolean {
  if (routePath.endsWith('*') && !endpoint.endsWith('*')) return false;
  return pathPatternMatches(endpoint, routePath.replace(/\*$/, ''));
}

/** True when every request `narrow` could match is also matched by `broad` (both globs with `*`). */
export function globCovers(broad: string, narrow: string): boolean {
  return compileGlob(broad).matches(narrow);
}

export function methodsOverlap(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (!a || !b) return true;
  return a.some((m) => b.includes(m));
}

interface Endpointed {
  endpoint: string;
  methods?: readonly string[];
}

interface Indexed<T> {
  rule: T;
  order: number;
  specificity: number;
}

/** Most specific first; at equal paths a rule scoped to methods before one without; then the order written. */
function bySpecificity<T extends Endpointed>(x: Indexed<T>, y: Indexed<T>): number {
  return y.specificity - x.specificity || Number(y.rule.methods !== undefined) - Number(x.rule.methods !== undefined) || x.order - y.order;
}

/**
 * The rules whose endpoint covers the whole of a path (a route's path, or another endpoint), most specific first.
 * Indexed once, then each lookup costs the rules of the path's shape, the param endpoints and one Map lookup per
 * prefix length, not a pass over every rule: the editor asks it for every route of a large config.
 */
export function coveringRules<T extends Endpointed>(rules: readonly T[]): (path: string) => T[] {
  const byShape = new Map<string, Indexed<T>[]>();
  const byPrefix = new Map<string, Indexed<T>[]>();
  const params: Indexed<T>[] = [];
  const add = (map: Map<string, Indexed<T>[]>, key: string, entry: Indexed<T>): void => {
    const entries = map.get(key);
    if (entries) entries.push(entry);
    else map.set(key, [entry]);
  };
  rules.forEach((rule, order) => {
    const entry = { rule, order, specificity: pathSpecificity(rule.endpoint) };
    if (rule.endpoint.endsWith('*')) add(byPrefix, rule.endpoint.slice(0, -1).toLowerCase(), entry);
    else {
      add(byShape, pathShape(rule.endpoint), entry); // a path of the same shape is covered whole
      if (rule.endpoint.includes('/:')) params.push(entry); // a param endpoint also covers literal paths (`/v1/:x` covers `/v1/models`)
    }
  });
  const lengths = [...new Set([...byPrefix.keys()].map((prefix) => prefix.length))];
  return (path) => {
    const found: Indexed<T>[] = [];
    if (!path.endsWith('*')) {
      const shape = pathShape(path);
      found.push(...(byShape.get(shape) ?? []));
      for (const entry of params) if (pathShape(entry.rule.endpoint) !== shape && pathPatternMatches(entry.rule.endpoint, path)) found.push(entry);
    }
    const bare = path.replace(/\*$/, '').toLowerCase();
    for (const length of lengths) if (length <= bare.length) found.push(...(byPrefix.get(bare.slice(0, length)) ?? []));
    return found.sort(bySpecificity).map((entry) => entry.rule);
  };
}

/**
 * Of the rules covering a route (most specific first), those that decide its requests, as the runtime picks them:
 * for each method the first that accepts it. Each rule listed decides at least one method; a method none of them
 * accepts falls to `gateway.defaultAuth`.
 */
function decidingRules<T extends Endpointed>(covering: readonly T[], routeMethods: readonly string[] | undefined): T[] {
  const deciding: T[] = [];
  const taken = new Set<string>();
  for (const rule of covering) {
    if (!methodsOverlap(rule.methods, routeMethods)) continue;
    if (!rule.methods) {
      deciding.push(rule);
      break;
    }
    const fresh = rule.methods.filter((method) => !taken.has(method) && (!routeMethods || routeMethods.includes(method)));
    if (fresh.length === 0) continue;
    deciding.push(rule);
    for (const method of fresh) taken.add(method);
  }
  return deciding;
}

/** The rules that decide a route's requests (see decidingRules). */
export function securityRulesForRoute(config: Pick<GatewayConfig, 'security'>, route: Pick<RouteConfig, 'path' | 'methods'>): SecurityRule[] {
  return securityRuleIndex(config.security)(route);
}

/** `securityRulesForRoute` for many routes: the rules indexed once, then each route looked up. */
export function securityRuleIndex(security: SecurityRule[]): (route: Pick<RouteConfig, 'path' | 'methods'>) => SecurityRule[] {
  const covering = coveringRules(security);
  return (route) => decidingRules(covering(route.path), route.methods);
}
