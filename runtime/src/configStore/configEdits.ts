// The admin API's changes as pure functions on the config's plain YAML data (what the user wrote, `${VAR}` and
// shorthands included): each returns new data and never mutates its input. Validation is the config model's job.
import type { LogLevel } from '../../../common/src/config';
import { routeNames } from '../../../common/src/config';

export type RawConfig = Record<string, unknown>;
type Plain = Record<string, unknown>;

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asPlain = (v: unknown): Plain => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Plain) : {});

/** The route as the YAML should read: the short `method: POST` (the product card's form) becomes `methods: [POST]`, in the same place. */
function routeEntry(body: Plain): Plain {
  if (typeof body.method !== 'string' || body.methods !== undefined) return { ...body };
  return Object.fromEntries(Object.entries(body).map(([k, v]) => (k === 'method' ? ['methods', [String(v).toUpperCase()]] : [k, v])));
}

/** Index of the route named `name` (given, or derived from its path as the config model derives it). */
export function routeIndex(data: RawConfig, name: string): number {
  return routeNames(asList(data.routes)).indexOf(name);
}

export function addRoute(data: RawConfig, route: Plain): RawConfig {
  return { ...data, routes: [...asList(data.routes), routeEntry(route)] };
}

export function replaceRoute(data: RawConfig, index: number, route: Plain): RawConfig {
  const routes = [...asList(data.routes)];
  routes[index] = routeEntry(route);
  return { ...data, routes };
}

/**
 * Removes a route, and the security rules written for exactly its path when no other route keeps that path
 * (a rule protecting nothing is an error in the config model). Returns the endpoints whose rules went with it.
 */
export function removeRoute(data: RawConfig, index: number): { data: RawConfig; removedSecurity: string[] } {
  const routes = asList(data.routes);
  const path = asPlain(routes[index]).path;
  const remaining = routes.filter((_, i) => i !== index);
  const pathStillRouted = remaining.some((r) => asPlain(r).path === path);
  const security = asList(data.security);
  const orphaned = pathStillRouted ? [] : security.filter((s) => asPlain(s).endpoint === path);
  const next: RawConfig = { ...data, routes: remaining };
  if (orphaned.length > 0) next.security = security.filter((s) => !orphaned.includes(s));
  return { data: next, removedSecurity: orphaned.map((s) => String(asPlain(s).endpoint)) };
}

/** `predict`, `/predict` and `%2Fpredict` (already decoded by the router) all name the endpoint `/predict`. */
export function endpointPath(segment: string): string {
  return segment.startsWith('/') ? segment : `/${segment}`;
}

/**
 * Sets security fields of an endpoint's rule (the rule without `methods`), creating the rule if there is none.
 * `authType` (the product card's name for it) means `auth`; a field set to null is removed; fields not given are kept as they are.
 */
export function upsertSecurity(data: RawConfig, endpoint: string, fields: Plain): { data: RawConfig; created: boolean } {
  const changes: Plain = Object.fromEntries(
    Object.entries(fields)
      .map(([k, v]): [string, unknown] => [k === 'authType' ? 'auth' : k, v])
      .filter(([k]) => k !== 'endpoint'),
  );
  const security = [...asList(data.security)];
  const index = security.findIndex((s) => asPlain(s).endpoint === endpoint && asPlain(s).methods === undefined);
  const base: Plain = index >= 0 ? { ...asPlain(security[index]) } : { endpoint };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete base[key];
    else base[key] = value;
  }
  if (index >= 0) security[index] = base;
  else security.push(base);
  return { data: { ...data, security }, created: index < 0 };
}

export function setLogLevel(data: RawConfig, level: LogLevel): RawConfig {
  return { ...data, gateway: { ...asPlain(data.gateway), logLevel: level } };
}
