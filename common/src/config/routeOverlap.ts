// Duplicate and shadowed routes, found in near-linear time: a route is compared only with earlier routes that could
// cover it (same path shape, same header names, same use of `model`), literal conditions are looked up by value, and
// only routes with glob conditions (`gpt-*`) are compared one by one.
import { compileGlob, type Glob } from './glob';
import { sameList } from './ruleMemo';

export interface OverlapRoute {
  index: number;
  name: string;
  shape: string;
  methods?: string[];
  /** Header conditions, names in lower case. */
  headers: Record<string, string>;
  model?: string;
}

export interface Overlap {
  /** The later route, which never receives a request of its own. */
  route: OverlapRoute;
  /** The first earlier route that receives them instead. */
  other: OverlapRoute;
  kind: 'duplicate' | 'shadowed';
}

/** How many earlier routes were compared with a later one (the work done, for tests and benches). */
export interface OverlapStats {
  comparisons: number;
}

const isGlob = (value: string): boolean => value.includes('*') || value.includes('?');

/** A route's conditions as one list in a fixed order (header names sorted, then the model). */
function conditionValues(route: OverlapRoute): string[] {
  const values = Object.keys(route.headers)
    .sort()
    .map((name) => route.headers[name] as string);
  return route.model !== undefined ? [...values, route.model] : values;
}

/** Routes that can cover each other have the same shape, the same header names and both or neither match a model. */
function groupKey(route: OverlapRoute): string {
  return [route.shape, ...Object.keys(route.headers).sort(), route.model !== undefined ? 'model' : ''].join('\u0000');
}

/** Whether two routes are alike in everything `routeOverlaps` reads of them (their names only pass through). */
export function sameConditions(a: OverlapRoute, b: OverlapRoute): boolean {
  if (a.index !== b.index || a.shape !== b.shape || a.model !== b.model || !sameList(a.methods, b.methods)) return false;
  const names = Object.keys(a.headers);
  return sameList(names, Object.keys(b.headers)) && names.every((name) => a.headers[name] === b.headers[name]);
}

const methodsKey = (route: OverlapRoute): string => (route.methods ? [...new Set(route.methods)].sort().join(',') : '*');

/** `broad`'s methods include every method of `narrow` (no list means every method). */
function methodsCover(broad: OverlapRoute, narrow: OverlapRoute): boolean {
  if (!broad.methods) return true;
  const methods = broad.methods;
  return narrow.methods !== undefined && narrow.methods.every((m) => methods.includes(m));
}

interface Earlier {
  route: OverlapRoute;
  values: string[];
}

/** The routes of one group seen so far, indexed so that finding the first one covering a new route is cheap. */
class GroupIndex {
  /** Routes whose conditions are all literal, by their values: such a route covers only routes with the same values. */
  private readonly literal = new Map<string, Map<string, Earlier>>();
  /** Routes with a glob condition, the first of each distinct set of conditions and methods. */
  private readonly globs: (Earlier & { patterns: Glob[] })[] = [];
  private readonly globKeys = new Set<string>();

  /** The first earlier route that receives every request `route` could (its conditions and methods cover them). */
  firstCovering(route: OverlapRoute, values: string[], stats: OverlapStats): Earlier | undefined {
    let first: Earlier | undefined;
    for (const earlier of this.literal.get(values.join('\u0000'))?.values() ?? []) {
      stats.comparisons++;
      if (methodsCover(earlier.route, route) && (!first || earlier.route.index < first.route.index)) first = earlier;
    }
    for (const earlier of this.globs) {
      if (first && earlier.route.index > first.route.index) break;
      stats.comparisons++;
      if (methodsCover(earlier.route, route) && earlier.patterns.every((p, i) => p.matches(values[i] as string))) {
        first = earlier;
        break;
      }
    }
    return first;
  }

  add(route: OverlapRoute, values: string[]): void {
    const key = `${values.join('\u0000')}\u0001${methodsKey(route)}`;
    if (values.some(isGlob)) {
      if (this.globKeys.has(key)) return;
      this.globKeys.add(key);
      this.globs.push({ route, values, patterns: values.map((v) => compileGlob(v)) });
      return;
    }
    const byValues = this.literal.get(values.join('\u0000')) ?? new Map<string, Earlier>();
    this.literal.set(values.join('\u0000'), byValues);
    if (!byValues.has(methodsKey(route))) byValues.set(methodsKey(route), { route, values });
  }
}

/**
 * Each route that an earlier route always wins over: a duplicate when the two cover each other, shadowed when the
 * earlier one is broader with as many conditions (a route with more conditions is more specific and wins at runtime).
 */
export function routeOverlaps(routes: OverlapRoute[], stats: OverlapStats = { comparisons: 0 }): Overlap[] {
  const out: Overlap[] = [];
  const groups = new Map<string, GroupIndex>();
  for (const route of routes) {
    const key = groupKey(route);
    const group = groups.get(key) ?? new GroupIndex();
    groups.set(key, group);
    const values = conditionValues(route);
    const other = group.firstCovering(route, values, stats);
    if (other) {
      const mutual = methodsCover(route, other.route) && values.every((v, i) => compileGlob(v).matches(other.values[i] as string));
      out.push({ route, other: other.route, kind: mutual ? 'duplicate' : 'shadowed' });
    }
    group.add(route, values);
  }
  return out;
}
