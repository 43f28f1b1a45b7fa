// What the config model knows about route paths: their shape, specificity and which security rule covers them.
// The runtime's router and the semantic rules share these so they agree on what "the same route" means.
import type { GatewayConfig, RouteConfig, SecurityRule } from './types';
import { globToRegExp } from './units';

/** `/models/:id` and `/models/:name` have the same shape `/models/:`. */
export function pathShape(path: string): string {
  return path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? ':' : seg))
    .join('/');
}

/** True when a request path would be matched by the route path pattern. */
export function pathPatternMatches(pattern: string, requestPath: string): boolean {
  if (pattern.endsWith('*')) return requestPath.startsWith(pattern.slice(0, -1));
  const a = pattern.split('/');
  const b = requestPath.split('/');
  if (a.length !== b.length) return false;
  return a.every((seg, i) => (seg.startsWith(':') ? (b[i] ?? '') !== '' : seg === b[i]));
}

/** True when every request `narrow` could match is also matched by `broad` (both globs with `*`). */
export function globCovers(broad: string, narrow: string): boolean {
  return globToRegExp(broad).test(narrow);
}

function methodsOverlap(a: string[] | undefined, b: string[] | undefined): boolean {
  if (!a || !b) return true;
  return a.some((m) => b.includes(m));
}

/**
 * The security rule that protects a route: the rule whose endpoint is the route's path, else the longest
 * prefix endpoint (`/v1/*`) covering it. Method-scoped rules only apply to those methods.
 */
export function securityRulesForRoute(config: Pick<GatewayConfig, 'security'>, route: Pick<RouteConfig, 'path' | 'methods'>): SecurityRule[] {
  return securityRuleIndex(config.security)(route);
}

/** `securityRulesForRoute` for many routes: the rules indexed once, then each route looked up by its path's prefixes. */
export function securityRuleIndex(security: SecurityRule[]): (route: Pick<RouteConfig, 'path' | 'methods'>) => SecurityRule[] {
  const exact = new Map<string, SecurityRule[]>();
  const prefix = new Map<string, SecurityRule[]>();
  const add = (map: Map<string, SecurityRule[]>, key: string, rule: SecurityRule) => {
    const rules = map.get(key);
    if (rules) rules.push(rule);
    else map.set(key, [rule]);
  };
  for (const rule of security) {
    add(exact, rule.endpoint, rule);
    if (rule.endpoint.endsWith('*')) add(prefix, rule.endpoint.slice(0, -1), rule);
  }
  const lengths = [...new Set([...prefix.keys()].map((k) => k.length))].sort((a, b) => b - a);
  return (route) => {
    const applies = (r: SecurityRule) => methodsOverlap(r.methods, route.methods);
    const named = (exact.get(route.path) ?? []).filter(applies);
    if (named.length > 0) return named;
    const bare = route.path.replace(/\*$/, '');
    for (const n of lengths) {
      const covering = n <= bare.length ? (prefix.get(bare.slice(0, n)) ?? []).filter(applies) : [];
      if (covering.length > 0) return covering;
    }
    return [];
  };
}
