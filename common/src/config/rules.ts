// Semantic rules: what the schema cannot say. Each rule is a small function from the raw (interpolated) data
// to findings with a JSON path; `load.ts` turns paths into source ranges.
import { pathShape } from './routeShape';
import { routeOverlaps } from './routeOverlap';
import { routeNames } from './normalize';
import { closest } from './suggest';
import { parseDuration } from './units';
import type { Severity } from './types';

export interface Finding {
  path: (string | number)[];
  onKey?: boolean;
  severity: Severity;
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

interface RouteView {
  index: number;
  raw: Raw;
  name: string;
  path: string;
  shape: string;
  methods?: string[];
  headers: Record<string, string>;
  model?: string;
}

function routeViews(root: Raw): RouteView[] {
  const routes = list(root.routes);
  const names = routeNames(routes);
  return routes.flatMap((r, index) => {
    const raw = obj(r);
    const path = str(raw.path);
    if (path === undefined) return [];
    const methodList = raw.methods !== undefined ? list(raw.methods) : str(raw.method) ? [raw.method] : undefined;
    const match = obj(raw.match);
    return [
      {
        index,
        raw,
        name: names[index] as string,
        path,
        shape: pathShape(path),
        ...(methodList ? { methods: methodList.map((m) => String(m).toUpperCase()) } : {}),
        headers: Object.fromEntries(Object.entries(obj(match.headers)).map(([k, v]) => [k.toLowerCase(), String(v)])),
        ...(str(match.model) ? { model: str(match.model) } : {}),
      },
    ];
  });
}

function targetsOf(raw: Raw): { url: string; path: (string | number)[] }[] {
  if (str(raw.target)) return [{ url: str(raw.target) as string, path: ['target'] }];
  return list(raw.targets).flatMap((t, i) => {
    const url = typeof t === 'string' ? t : str(obj(t).url);
    return url ? [{ url, path: typeof t === 'string' ? ['targets', i] : ['targets', i, 'url'] }] : [];
  });
}

function routeRules(routes: RouteView[]): Finding[] {
  const out: Finding[] = [];
  const byName = new Map<string, RouteView>();
  for (const r of routes) {
    if (str(r.raw.name) !== undefined) {
      const first = byName.get(r.name);
      if (first)
        out.push({
          path: ['routes', r.index, 'name'],
          severity: 'error',
          code: 'route.duplicateName',
          message: `Route name "${r.name}" is already used by route ${first.index + 1} (${first.path}).`,
        });
      else byName.set(r.name, r);
    }
    if (r.raw.target !== undefined && r.raw.targets !== undefined) {
      out.push({
        path: ['routes', r.index, 'targets'],
        onKey: true,
        severity: 'error',
        code: 'route.targetAndTargets',
        message: 'Set either "target" (one backend) or "targets" (several), not both.',
      });
    } else if (r.raw.target === undefined && r.raw.targets === undefined) {
      out.push({
        path: ['routes', r.index, 'path'],
        onKey: true,
        severity: 'error',
        code: 'route.noTarget',
        message: `Route "${r.name}" has no "target": add target: http://host:port (or mock://openai).`,
      });
    }
    for (const t of targetsOf(r.raw)) out.push(...targetRules(t.url, ['routes', r.index, ...t.path]));
    const timeout = parseDuration(r.raw.timeout);
    const firstByte = parseDuration(r.raw.firstByteTimeout);
    if (timeout !== undefined && firstByte !== undefined && firstByte > timeout) {
      out.push({
        path: ['routes', r.index, 'firstByteTimeout'],
        severity: 'warning',
        code: 'route.timeoutOrder',
        message: `firstByteTimeout (${String(r.raw.firstByteTimeout)}) is longer than timeout (${String(r.raw.timeout)}), so it never applies.`,
      });
    }
  }
  for (const { route, other, kind } of routeOverlaps(routes)) {
    out.push(
      kind === 'duplicate'
        ? {
            path: ['routes', route.index, 'path'],
            severity: 'error',
            code: 'route.duplicate',
            message: `Route "${route.name}" duplicates route "${other.name}" (same path, methods and match): it would never be used.`,
            data: { other: other.name },
          }
        : {
            path: ['routes', route.index, 'path'],
            severity: 'warning',
            code: 'route.shadowed',
            message: `Route "${route.name}" is shadowed by the earlier, broader route "${other.name}": every request it matches goes to "${other.name}". Move it above, or narrow "${other.name}".`,
            data: { other: other.name },
          },
    );
  }
  return out;
}

/** The provider wire formats the built-in mock speaks, one `mock://<name>` each. */
export const BUILT_IN_MOCKS = ['openai', 'anthropic', 'gemini', 'bedrock', 'azure-openai'] as const;

const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0)$/;

function targetRules(url: string, path: (string | number)[]): Finding[] {
  if (url.includes('${')) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ path, severity: 'error', code: 'target.badUrl', message: `"${url}" is not a URL: write it like http://host:port/path.` }];
  }
  if (parsed.protocol === 'mock:' && !(BUILT_IN_MOCKS as readonly string[]).includes(parsed.host)) {
    const near = closest(parsed.host, BUILT_IN_MOCKS);
    const suggestion = near === undefined ? undefined : url.replace(parsed.host, near);
    const known = BUILT_IN_MOCKS.map((name) => `mock://${name}`).join(', ');
    return [
      {
        path,
        severity: 'error',
        code: 'target.unknownMock',
        message: `Unknown built-in mock "${parsed.host}"${suggestion ? `: did you mean ${suggestion}?` : '.'} The built-in mocks are ${known}.`,
        ...(suggestion ? { data: { suggestion } } : {}),
      },
    ];
  }
  // Single-label hosts (ai-service) and *.svc.cluster.local are cluster-internal; a dotted public name over http is not.
  const host = parsed.hostname;
  if (
    parsed.protocol === 'http:' &&
    !LOCAL_HOST.test(host) &&
    host.includes('.') &&
    !/\.(svc|cluster\.local|internal|local)$/.test(host) &&
    !/^(10|192\.168|172\.(1[6-9]|2\d|3[01]))\./.test(host)
  ) {
    return [
      {
        path,
        severity: 'warning',
        code: 'target.plaintext',
        message: `Traffic to ${host} goes over plain http://: prompts, keys and answers travel unencrypted. Use https://.`,
      },
    ];
  }
  return [];
}

/** Unknown endpoints past this many get no did-you-mean: each one is compared with every route path. */
const MAX_ENDPOINT_SUGGESTIONS = 20;

/** Strings (prefix endpoints or prefix routes without their `*`), asked whether one of them begins a path. */
class PrefixSet {
  private readonly prefixes: Set<string>;
  private readonly lengths: number[];
  constructor(prefixes: string[]) {
    this.prefixes = new Set(prefixes);
    this.lengths = [...new Set(prefixes.map((p) => p.length))];
  }
  hasPrefixOf(path: string): boolean {
    return this.lengths.some((n) => n <= path.length && this.prefixes.has(path.slice(0, n)));
  }
}

/** Whether a path in `sorted` starts with `prefix` (binary search for the first path not below it). */
function someStartsWith(sorted: string[], prefix: string): boolean {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as string) < prefix) low = mid + 1;
    else high = mid;
  }
  return sorted[low]?.startsWith(prefix) ?? false;
}

function securityRules(root: Raw, routes: RouteView[]): Finding[] {
  const out: Finding[] = [];
  const rules = list(root.security);
  const seen = new Map<string, number>();
  const routePaths = new Set(routes.map((r) => r.path));
  const routePrefixes = new PrefixSet(routes.filter((r) => r.path.endsWith('*')).map((r) => r.path.slice(0, -1)));
  const sortedBarePaths = routes.map((r) => r.path.replace(/\*$/, '')).sort();
  const candidatePaths = [...routePaths];
  let suggestionsLeft = MAX_ENDPOINT_SUGGESTIONS;
  // While a route has no path (the schema says so), an endpoint meant for it cannot be told from a typo.
  const routeWithoutPath = list(root.routes).some((r) => typeof obj(r).path !== 'string');
  rules.forEach((s, i) => {
    const rule = obj(s);
    const endpoint = str(rule.endpoint);
    if (endpoint === undefined) return;
    // An endpoint protects the routes it names, or the part of a broader route's space it names (/v1/secure/* in /v1/*).
    const bare = endpoint.replace(/\*$/, '');
    const matched = routePaths.has(endpoint) || (endpoint.endsWith('*') && someStartsWith(sortedBarePaths, bare)) || routePrefixes.hasPrefixOf(bare);
    if (!matched && !routeWithoutPath) {
      const suggestion = suggestionsLeft-- > 0 ? closest(endpoint, candidatePaths) : undefined;
      out.push({
        path: ['security', i, 'endpoint'],
        severity: 'error',
        code: 'security.unknownEndpoint',
        message: `Security endpoint "${endpoint}" matches no route, so it protects nothing.${suggestion ? ` Did you mean "${suggestion}"?` : ' Add the route or fix the path.'}`,
        data: { endpoint, ...(suggestion ? { suggestion } : {}) },
      });
    }
    const methodsKey =
      rule.methods !== undefined
        ? list(rule.methods)
            .map((m) => String(m).toUpperCase())
            .sort()
            .join(',')
        : '*';
    const key = `${endpoint} ${methodsKey}`;
    const first = seen.get(key);
    if (first !== undefined)
      out.push({
        path: ['security', i, 'endpoint'],
        severity: 'error',
        code: 'security.duplicate',
        message: `Endpoint "${endpoint}" already has a security rule (entry ${first + 1}); merge them.`,
      });
    else seen.set(key, i);
    out.push(...authRules(rule, i));
  });
  const endpoints = rules.map((s) => str(obj(s).endpoint)).filter((e): e is string => e !== undefined);
  const exactEndpoints = new Set(endpoints);
  const prefixEndpoints = new PrefixSet(endpoints.filter((e) => e.endsWith('*')).map((e) => e.slice(0, -1)));
  for (const r of routes) {
    const covered = exactEndpoints.has(r.path) || prefixEndpoints.hasPrefixOf(r.path.replace(/\*$/, ''));
    if (!covered) {
      out.push({
        path: ['routes', r.index, 'path'],
        severity: 'warning',
        code: 'route.unprotected',
        message: `Route "${r.name}" has no security entry, so anyone who can reach the gateway can use it. Add one (auth: none makes public access explicit).`,
        data: { route: r.name, path: r.path },
      });
    }
  }
  return out;
}

const HMAC = /^HS/;

function authRules(rule: Raw, i: number): Finding[] {
  const out: Finding[] = [];
  const auth = str(rule.auth);
  const jwt = obj(rule.jwt);
  if (auth === 'jwt') {
    const hasSecret = jwt.secretEnv !== undefined || jwt.secret !== undefined;
    const hasKey = jwt.publicKeyFile !== undefined || jwt.jwksUrl !== undefined;
    if (!hasSecret && !hasKey) {
      out.push({
        path: ['security', i, 'auth'],
        severity: 'warning',
        code: 'security.jwtNoKey',
        message: 'auth: jwt names no key yet, so every request will be refused (401). Add jwt.secretEnv (HS256) or jwt.publicKeyFile / jwt.jwksUrl (RS256).',
      });
    }
    const algorithms = list(jwt.algorithms).map(String);
    const hs = algorithms.filter((a) => HMAC.test(a));
    const asym = algorithms.filter((a) => !HMAC.test(a));
    if (hs.length > 0 && !hasSecret && hasKey) {
      out.push({
        path: ['security', i, 'jwt', 'algorithms'],
        severity: 'error',
        code: 'security.jwtAlgorithmKey',
        message: `${hs.join(', ')} need a shared secret (jwt.secretEnv); a public key must never be used as an HMAC secret.`,
      });
    }
    if (asym.length > 0 && !hasKey && hasSecret) {
      out.push({
        path: ['security', i, 'jwt', 'algorithms'],
        severity: 'error',
        code: 'security.jwtAlgorithmKey',
        message: `${asym.join(', ')} need a public key (jwt.publicKeyFile or jwt.jwksUrl).`,
      });
    }
    if (jwt.secret !== undefined) {
      out.push({
        path: ['security', i, 'jwt', 'secret'],
        onKey: true,
        severity: 'warning',
        code: 'secret.plaintext',
        message: 'A JWT secret written in the config ends up in version control. Move it to an environment variable (jwt.secretEnv).',
        data: { kind: 'jwt' },
      });
    }
  } else if (rule.jwt !== undefined) {
    out.push({
      path: ['security', i, 'jwt'],
      onKey: true,
      severity: 'warning',
      code: 'security.unusedJwt',
      message: `"jwt" settings are ignored because auth is "${auth ?? 'not set'}".`,
    });
  }
  if (auth === 'api-key') {
    const keys = list(rule.apiKeys);
    if (keys.length === 0)
      out.push({
        path: ['security', i, 'auth'],
        severity: 'warning',
        code: 'security.noApiKeys',
        message: 'auth: api-key lists no apiKeys yet, so every request will be refused (401). Add apiKeys: [{ name, keyEnv }].',
      });
    keys.forEach((k, j) => {
      const key = obj(k);
      if (key.keyEnv === undefined && key.sha256 === undefined && key.key === undefined) {
        out.push({
          path: ['security', i, 'apiKeys', j],
          severity: 'error',
          code: 'security.apiKeyMissing',
          message: `API key "${str(key.name) ?? j + 1}" needs keyEnv (an environment variable) or sha256 (the key's digest).`,
        });
      }
      if (key.key !== undefined) {
        out.push({
          path: ['security', i, 'apiKeys', j, 'key'],
          onKey: true,
          severity: 'warning',
          code: 'secret.plaintext',
          message: 'An API key written in the config ends up in version control. Move it to an environment variable (keyEnv) or store its sha256.',
          data: { kind: 'apiKey' },
        });
      }
    });
  }
  return out;
}

/** Every environment variable the config depends on, with where it is named. */
export function envReferences(root: Raw): { name: string; path: (string | number)[] }[] {
  const out: { name: string; path: (string | number)[] }[] = [];
  list(root.security).forEach((s, i) => {
    const rule = obj(s);
    const secretEnv = str(obj(rule.jwt).secretEnv);
    if (secretEnv) out.push({ name: secretEnv, path: ['security', i, 'jwt', 'secretEnv'] });
    list(rule.apiKeys).forEach((k, j) => {
      const keyEnv = str(obj(k).keyEnv);
      if (keyEnv) out.push({ name: keyEnv, path: ['security', i, 'apiKeys', j, 'keyEnv'] });
    });
  });
  const hook = str(obj(root.gateway).webhookSecretEnv);
  if (hook) out.push({ name: hook, path: ['gateway', 'webhookSecretEnv'] });
  return out;
}

/** Scale-out settings that cannot do what they say. */
function gatewayRules(root: Raw): Finding[] {
  const gateway = obj(root.gateway);
  const store = obj(gateway.store);
  const out: Finding[] = [];
  if (gateway.cluster !== undefined && obj(gateway.cluster).enabled !== false && store.redis === undefined) {
    out.push({
      path: ['gateway', 'cluster'],
      onKey: true,
      severity: 'warning',
      code: 'cluster.noStore',
      message: 'gateway.cluster shares admin changes through Redis, but gateway.store.redis is not set: each replica keeps its own config.',
    });
  }
  if (store.redis !== undefined && (store.onStoreFailure ?? 'local') === 'local' && store.replicas === undefined) {
    out.push({
      path: ['gateway', 'store', 'redis'],
      onKey: true,
      severity: 'info',
      code: 'store.replicasUnset',
      message:
        'While Redis is unreachable, the "local" policy gives each replica limit/replicas; set gateway.store.replicas to the number of replicas, or every replica falls back to the whole limit.',
    });
  }
  const redis = obj(store.redis);
  const url = str(redis.url);
  if (Array.isArray(redis.sentinels) && redis.sentinels.length > 0 && url?.startsWith('rediss://')) {
    out.push({
      path: ['gateway', 'store', 'redis', 'url'],
      onKey: false,
      severity: 'error',
      code: 'store.sentinelTls',
      message: 'TLS (rediss://) through Redis Sentinel is not supported yet: use redis:// with sentinels, or rediss:// to one server without them.',
    });
  }
  return out;
}

export function semanticFindings(data: unknown): Finding[] {
  const root = obj(data);
  const routes = routeViews(root);
  return [...gatewayRules(root), ...routeRules(routes), ...securityRules(root, routes)];
}
