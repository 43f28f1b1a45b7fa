// Semantic rules: what the schema cannot say. Each rule is a small function from the raw (interpolated) data
// to findings with a JSON path; `load.ts` turns paths into source ranges.
import { guardrailFindings, recordedContentFindings } from './guardrails';
import { providerEnvReferences, providerRules } from './providerRules';
import { routeOverlaps, sameConditions, type Overlap } from './routeOverlap';
import { COMPUTE_ALL, type Reuse } from './ruleMemo';
import { list, obj, str, routeViews, type Finding, type Raw, type RouteView } from './ruleViews';
import { securityRules } from './securityRules';
import { spendRules } from './spendRules';
import { closest } from './suggest';
import { parseDuration } from './units';

function targetsOf(raw: Raw): { url: string; path: (string | number)[] }[] {
  if (str(raw.target)) return [{ url: str(raw.target) as string, path: ['target'] }];
  return list(raw.targets).flatMap((t, i) => {
    const url = typeof t === 'string' ? t : str(obj(t).url);
    return url ? [{ url, path: typeof t === 'string' ? ['targets', i] : ['targets', i, 'url'] }] : [];
  });
}

function routeRules(routes: RouteView[], reuse: Reuse): Finding[] {
  const out: Finding[] = [];
  const byName = new Map<string, RouteView>();
  const verdicts: TargetVerdicts = new Map();
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
    // Its data, index and name: everything this route's own findings read.
    for (const finding of reuse.forObject('routeFindings', r.raw, [r.index, r.name], () => routeFindings(r, verdicts))) out.push(finding);
  }
  for (const { route, other, kind } of overlaps(routes, reuse)) {
    const caseNote = route.path !== other.path ? '; paths match in any letter case' : '';
    out.push(
      kind === 'duplicate'
        ? {
            path: ['routes', route.index, 'path'],
            severity: 'error',
            code: 'route.duplicate',
            message: `Route "${route.name}" duplicates route "${other.name}" (same path, methods and match${caseNote}): it would never be used.`,
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

/** What one route's own settings say, whatever the other routes are. */
function routeFindings(r: RouteView, verdicts: TargetVerdicts): Finding[] {
  const out: Finding[] = [];
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
  for (const t of targetsOf(r.raw)) out.push(...targetRules(t.url, ['routes', r.index, ...t.path], verdicts));
  if (r.raw.guardrails !== undefined) out.push(...guardrailFindings(r.raw, r.index));
  out.push(...recordedContentFindings(r.raw, r.index, r.name));
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
  return out;
}

/**
 * Duplicate and shadowed routes. They depend only on each route's index and conditions (not on its name or other
 * settings), so an edit elsewhere, a rename among them, re-uses the last version's pairs, found by index.
 */
function overlaps(routes: RouteView[], reuse: Reuse): { route: RouteView; other: RouteView; kind: Overlap['kind'] }[] {
  const found = reuse.forList('overlaps', routes, sameConditions, () =>
    routeOverlaps(routes).map(({ route, other, kind }) => ({ route: route.index, other: other.index, kind })),
  );
  if (found.length === 0) return [];
  const byIndex = new Map(routes.map((r) => [r.index, r]));
  return found.map(({ route, other, kind }) => ({ route: byIndex.get(route) as RouteView, other: byIndex.get(other) as RouteView, kind }));
}

/** The provider wire formats the built-in mock speaks, one `mock://<name>` each. */
export const BUILT_IN_MOCKS = ['openai', 'anthropic', 'gemini', 'bedrock', 'azure-openai'] as const;

const LOCAL_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0)$/;

/** What each target URL alone says, found once per check: a large config names the same few backends on every route. */
type TargetVerdicts = Map<string, Omit<Finding, 'path'>[]>;

function targetRules(url: string, path: (string | number)[], known: TargetVerdicts): Finding[] {
  let verdicts = known.get(url);
  if (!verdicts) known.set(url, (verdicts = targetVerdictsOf(url)));
  return verdicts.map((verdict) => ({ path, ...verdict, ...(verdict.data ? { data: { ...verdict.data } } : {}) }));
}

function targetVerdictsOf(url: string): Omit<Finding, 'path'>[] {
  if (url.includes('${')) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ severity: 'error', code: 'target.badUrl', message: `"${url}" is not a URL: write it like http://host:port/path.` }];
  }
  if (parsed.protocol === 'mock:' && !(BUILT_IN_MOCKS as readonly string[]).includes(parsed.host)) {
    const near = closest(parsed.host, BUILT_IN_MOCKS);
    const suggestion = near === undefined ? undefined : url.replace(parsed.host, near);
    const known = BUILT_IN_MOCKS.map((name) => `mock://${name}`).join(', ');
    return [
      {
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
        severity: 'warning',
        code: 'target.plaintext',
        message: `Traffic to ${host} goes over plain http://: prompts, keys and answers travel unencrypted. Use https://.`,
      },
    ];
  }
  return [];
}

/** Every environment variable the config depends on, with where it is named (and why, where the place does not say). */
export function envReferences(root: Raw): { name: string; path: (string | number)[]; because?: string }[] {
  const out: { name: string; path: (string | number)[]; because?: string }[] = [...providerEnvReferences(root)];
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

export type { Finding } from './ruleViews';

/**
 * `env` gives the values of secretEnv variables, so that a weak secret is refused where it is named. `reuse` (an
 * editor's memo) hands back what the previous version found where nothing it depends on changed.
 */
export function semanticFindings(data: unknown, env: Record<string, string | undefined> = {}, reuse: Reuse = COMPUTE_ALL): Finding[] {
  const root = obj(data);
  const routes = routeViews(root, reuse);
  return [
    ...gatewayRules(root),
    ...routeRules(routes, reuse),
    ...providerRules(root, reuse),
    ...securityRules(root, routes, env, reuse),
    ...spendRules(root, routes),
  ];
}
