// Semantic rules of the `security:` list: what each rule protects, what it leaves open, and the rules that
// contradict each other. The runtime picks rules the same way (routeShape.ts), so what these rules say is exposed is
// what the gateway exposes. Nothing here repeats a secret: a weak secret is named by where it comes from.
import { authOf } from './normalize';
import { coveringRules, methodsOverlap, pathPatternMatches, pathShape, pathSpecificity } from './routeShape';
import { closest } from './suggest';
import type { AuthType } from './types';
import { COMPUTE_ALL, sameList, type Reuse } from './ruleMemo';
import type { Finding, Raw, RouteView } from './ruleViews';
import { list, obj, str } from './ruleViews';

/** What the rules among themselves and the routes' coverage read of a rule: its own settings are not in it. */
interface RuleFacts {
  index: number;
  endpoint: string;
  methods?: string[];
  auth: AuthType;
  specificity: number;
}

interface RuleView extends RuleFacts {
  raw: Raw;
}

function ruleViews(root: Raw, reuse: Reuse): RuleView[] {
  const views: RuleView[] = [];
  list(root.security).forEach((s, index) => {
    const raw = obj(s);
    const endpoint = str(raw.endpoint);
    if (endpoint === undefined) return;
    views.push(
      reuse.forObject('ruleView', raw, [index], () => {
        const methods = raw.methods !== undefined ? list(raw.methods).map((m) => String(m).toUpperCase()) : undefined;
        return { index, raw, endpoint, ...(methods ? { methods } : {}), auth: authOf(raw), specificity: pathSpecificity(endpoint) };
      }),
    );
  });
  return views;
}

const methodsText = (methods: string[] | undefined): string => (methods ? methods.join(', ') : 'every method');

/** Rules alike in their facts are interchangeable for the rules among rules and for coverage. */
const sameFacts = (a: RuleFacts, b: RuleFacts): boolean =>
  a.index === b.index && a.endpoint === b.endpoint && a.auth === b.auth && a.specificity === b.specificity && sameList(a.methods, b.methods);

/** What the rules say among themselves, and which of them cover a path (each path looked up once per version of them). */
interface AmongRules {
  covering: (path: string) => RuleFacts[];
  sameRoute: Finding[];
  publicOverrides: Finding[];
}

function amongRules(rules: RuleFacts[]): AmongRules {
  const index = coveringRules(rules);
  const looked = new Map<string, RuleFacts[]>();
  const covering = (path: string): RuleFacts[] => {
    let found = looked.get(path);
    if (!found) looked.set(path, (found = index(path)));
    return found;
  };
  return { covering, sameRoute: sameRoute(rules), publicOverrides: publicOverrides(rules, covering) };
}

export function securityRules(root: Raw, routes: RouteView[], env: Record<string, string | undefined>, reuse: Reuse = COMPUTE_ALL): Finding[] {
  const rules = ruleViews(root, reuse);
  const denyByDefault = str(obj(root.gateway).defaultAuth) === 'deny';
  // Kept while no rule's facts change: an edit of a route, or of a rule's keys or limits, finds the rules as they were.
  const among = reuse.forList('amongRules', rules, sameFacts, () => amongRules(rules));
  // While a route has no path (the schema says so), an endpoint meant for it cannot be told from a typo.
  const routeWithoutPath = list(root.routes).some((r) => typeof obj(r).path !== 'string');
  const unknownEndpoints = reuse.forList('unknownEndpoints', [among, routeWithoutPath, ...routes.map((r) => r.path)], Object.is, () => {
    const known = knownPaths(routes, routeWithoutPath);
    return rules.flatMap((rule) => known.unknownEndpoint(rule));
  });
  const out: Finding[] = [...unknownEndpoints, ...among.sameRoute];
  for (const rule of rules) {
    for (const finding of reuse.forObject('ruleFindings', rule.raw, [rule.index], () => authRules(rule))) out.push(finding);
    out.push(...secretStrength(rule, env));
  }
  out.push(...among.publicOverrides);
  for (const route of routes) {
    for (const finding of reuse.forObject('coverage', route.raw, [route.index, route.name, among, denyByDefault], () =>
      coverage(route, among.covering(route.path), denyByDefault),
    ))
      out.push(finding);
  }
  return out;
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

/**
 * An endpoint protects the routes it covers, or the part of a broader prefix route's space it names
 * (/v1/secure/* in /v1/*). The routes are indexed once (lower-cased: paths match in any case), so a config of many
 * rules is not many passes over its routes.
 */
function knownPaths(routes: RouteView[], routeWithoutPath: boolean): { unknownEndpoint(rule: RuleFacts): Finding[] } {
  const literalRoutes = routes.filter((r) => !r.path.endsWith('*'));
  const shapes = new Set(literalRoutes.map((r) => r.shape));
  const routePrefixes = new PrefixSet(routes.filter((r) => r.path.endsWith('*')).map((r) => r.path.slice(0, -1).toLowerCase()));
  const sortedBarePaths = routes.map((r) => r.path.replace(/\*$/, '').toLowerCase()).sort();
  const candidatePaths = [...new Set(routes.map((r) => r.path))];
  let suggestionsLeft = MAX_ENDPOINT_SUGGESTIONS;
  const matched = (endpoint: string): boolean => {
    const bare = endpoint.replace(/\*$/, '').toLowerCase();
    if (routePrefixes.hasPrefixOf(bare)) return true;
    if (endpoint.endsWith('*')) return someStartsWith(sortedBarePaths, bare);
    return shapes.has(pathShape(endpoint)) || (endpoint.includes('/:') && literalRoutes.some((r) => pathPatternMatches(endpoint, r.path)));
  };
  return {
    unknownEndpoint(rule) {
      if (routeWithoutPath || matched(rule.endpoint)) return [];
      const suggestion = suggestionsLeft-- > 0 ? closest(rule.endpoint, candidatePaths) : undefined;
      return [
        {
          path: ['security', rule.index, 'endpoint'],
          severity: 'error',
          code: 'security.unknownEndpoint',
          message: `Security endpoint "${rule.endpoint}" matches no route, so it protects nothing.${suggestion ? ` Did you mean "${suggestion}"?` : ' Add the route or fix the path.'}`,
          data: { endpoint: rule.endpoint, ...(suggestion ? { suggestion } : {}) },
        },
      ];
    },
  };
}

/** Two rules for the same route and method (paths match in any letter case): the runtime could apply only one. */
function sameRoute(rules: RuleFacts[]): Finding[] {
  const out: Finding[] = [];
  const byShape = new Map<string, RuleFacts[]>();
  for (const rule of rules) {
    const shape = pathShape(rule.endpoint);
    const earlier = byShape.get(shape) ?? [];
    byShape.set(shape, [...earlier, rule]);
    const first = earlier.find((other) => (!other.methods && !rule.methods) || (other.methods && rule.methods && methodsOverlap(other.methods, rule.methods)));
    if (!first) continue;
    if (first.auth === rule.auth) {
      out.push({
        path: ['security', rule.index, 'endpoint'],
        severity: 'error',
        code: 'security.duplicate',
        message: `Endpoint "${rule.endpoint}" already has a security rule (entry ${first.index + 1}); merge them.`,
      });
    } else {
      out.push({
        path: ['security', rule.index, 'endpoint'],
        severity: 'error',
        code: 'security.conflict',
        message: `Endpoint "${rule.endpoint}" is the same route as "${first.endpoint}" in entry ${first.index + 1} (paths match in any letter case), for ${methodsText(rule.methods)}, but asks for auth ${rule.auth} where that entry asks for ${first.auth}: only one of them could apply. Keep one rule.`,
        data: { other: first.index },
      });
    }
  }
  return out;
}

const HMAC = /^HS/;

function authRules(rule: RuleView): Finding[] {
  const out: Finding[] = [];
  const { raw, index: i } = rule;
  const jwt = obj(raw.jwt);
  const at = (...rest: (string | number)[]): (string | number)[] => ['security', i, ...rest];
  if (rule.auth === 'none') {
    // Public with credentials listed: whoever wrote the keys expects them to be checked, and they never are.
    const ignored = ['apiKeys', 'jwt', 'consumers'].filter((key) => raw[key] !== undefined);
    if (ignored.length > 0) {
      out.push({
        path: at('auth'),
        severity: 'error',
        code: 'security.publicWithCredentials',
        message: `auth: none makes ${methodsText(rule.methods)} ${rule.endpoint} public, so its ${ignored.join(' and ')} would never be checked. Remove ${ignored.length > 1 ? 'them' : 'it'}, or set auth: ${raw.jwt !== undefined ? 'jwt' : 'api-key'}.`,
      });
    }
    return out;
  }
  if (rule.auth === 'jwt') {
    const hasSecret = jwt.secretEnv !== undefined || jwt.secret !== undefined;
    const hasKey = jwt.publicKeyFile !== undefined || jwt.jwksUrl !== undefined;
    if (!hasSecret && !hasKey) {
      out.push({
        path: at('auth'),
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
        path: at('jwt', 'algorithms'),
        severity: 'error',
        code: 'security.jwtAlgorithmKey',
        message: `${hs.join(', ')} need a shared secret (jwt.secretEnv); a public key must never be used as an HMAC secret.`,
      });
    }
    if (asym.length > 0 && !hasKey && hasSecret) {
      out.push({
        path: at('jwt', 'algorithms'),
        severity: 'error',
        code: 'security.jwtAlgorithmKey',
        message: `${asym.join(', ')} need a public key (jwt.publicKeyFile or jwt.jwksUrl).`,
      });
    }
    if (jwt.secret !== undefined) {
      out.push({
        path: at('jwt', 'secret'),
        onKey: true,
        severity: 'warning',
        code: 'secret.plaintext',
        message: 'A JWT secret written in the config ends up in version control. Move it to an environment variable (jwt.secretEnv).',
        data: { kind: 'jwt' },
      });
    }
    if (raw.apiKeys !== undefined) {
      out.push({
        path: at('apiKeys'),
        onKey: true,
        severity: 'warning',
        code: 'security.unusedApiKeys',
        message: '"apiKeys" are ignored because auth is "jwt": only a JWT is accepted here.',
      });
    }
  } else if (raw.jwt !== undefined) {
    out.push({
      path: at('jwt'),
      onKey: true,
      severity: 'warning',
      code: 'security.unusedJwt',
      message: `"jwt" settings are ignored because auth is "${rule.auth}".`,
    });
  }
  if (rule.auth === 'api-key') out.push(...apiKeyRules(rule));
  return out;
}

function apiKeyRules(rule: RuleView): Finding[] {
  const out: Finding[] = [];
  const keys = list(rule.raw.apiKeys);
  const i = rule.index;
  if (keys.length === 0) {
    const written = rule.raw.auth !== undefined;
    out.push({
      path: ['security', i, written ? 'auth' : 'endpoint'],
      severity: 'warning',
      code: 'security.noApiKeys',
      message: written
        ? 'auth: api-key lists no apiKeys yet, so every request will be refused (401). Add apiKeys: [{ name, keyEnv }].'
        : `This rule sets no auth, so ${rule.endpoint} requires an API key (auth defaults to api-key), and it lists no apiKeys: every request will be refused (401). Add apiKeys: [{ name, keyEnv }], or write auth: none to make it public on purpose.`,
    });
  }
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
  return out;
}

/** RFC 7518 §3.2: an HMAC key at least as long as the hash output. */
const MIN_SECRET_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };

/**
 * A short HS secret can be found offline from one captured token (no request to the gateway needed), and then
 * anyone can mint tokens for any consumer: refused, not warned about.
 */
function secretStrength(rule: RuleView, env: Record<string, string | undefined>): Finding[] {
  if (rule.auth !== 'jwt') return [];
  const jwt = obj(rule.raw.jwt);
  const secretEnv = str(jwt.secretEnv);
  const secret = secretEnv !== undefined ? env[secretEnv] : str(jwt.secret);
  if (!secret || secret.includes('${')) return []; // unset: env.unset says so
  const algorithms = jwt.algorithms !== undefined ? list(jwt.algorithms).map(String) : ['HS256'];
  const needed = Math.max(0, ...algorithms.map((alg) => MIN_SECRET_BYTES[alg] ?? 0));
  if (Buffer.byteLength(secret, 'utf8') >= needed) return [];
  const strongest = algorithms.find((alg) => MIN_SECRET_BYTES[alg] === needed) ?? 'HS256';
  const source = secretEnv !== undefined ? `The secret in ${secretEnv}` : 'jwt.secret';
  return [
    {
      path: ['security', rule.index, 'jwt', secretEnv !== undefined ? 'secretEnv' : 'secret'],
      severity: 'error',
      code: 'security.jwtWeakSecret',
      message: `${source} is shorter than ${needed} bytes, the least ${strongest} allows (RFC 7518 §3.2): a short HMAC secret can be guessed offline from one token, and then anyone can sign tokens for any consumer. Use ${needed} random bytes or more (openssl rand -base64 ${needed}).`,
    },
  ];
}

/** `auth: none` on a narrower endpoint inside a protected one: the narrower rule wins at runtime, so that part is public. */
function publicOverrides(rules: RuleFacts[], covering: (path: string) => RuleFacts[]): Finding[] {
  const out: Finding[] = [];
  for (const open of rules) {
    if (open.auth !== 'none') continue;
    const closed = covering(open.endpoint).find(
      (other) =>
        other.auth !== 'none' &&
        methodsOverlap(other.methods, open.methods) &&
        (other.specificity < open.specificity || (other.specificity === open.specificity && !other.methods && open.methods !== undefined)),
    );
    if (!closed) continue;
    out.push({
      path: ['security', open.index, 'auth'],
      severity: 'warning',
      code: 'security.publicOverride',
      message: `auth: none here makes ${methodsText(open.methods)} ${open.endpoint} public, inside "${closed.endpoint}" (entry ${closed.index + 1}), which requires ${closed.auth}: the narrower rule wins, so those requests skip ${closed.auth}. Remove this rule unless that part is meant to be public.`,
      data: { other: closed.index },
    });
  }
  return out;
}

/** Routes (and methods of routes) no rule covers: public with a warning, or closed by `gateway.defaultAuth: deny`. */
function coverage(route: RouteView, coveringPath: RuleFacts[], denyByDefault: boolean): Finding[] {
  const covering = coveringPath.filter((rule) => methodsOverlap(rule.methods, route.methods));
  if (covering.some((rule) => !rule.methods)) return [];
  const at = ['routes', route.index, 'path'];
  if (covering.length === 0) {
    return [
      denyByDefault
        ? {
            path: at,
            severity: 'info',
            code: 'route.closedByDefault',
            message: `Route "${route.name}" has no security entry, so gateway.defaultAuth: deny refuses every request to it (403). Add a rule to open it.`,
            data: { route: route.name, path: route.path },
          }
        : {
            path: at,
            severity: 'warning',
            code: 'route.unprotected',
            message: `Route "${route.name}" has no security entry, so anyone who can reach the gateway can use it. Add one (auth: none makes public access explicit), or set gateway.defaultAuth: deny to close every route no rule covers.`,
            data: { route: route.name, path: route.path },
          },
    ];
  }
  if (denyByDefault) return [];
  const scoped = [...new Set(covering.flatMap((rule) => rule.methods ?? []))];
  const uncovered = route.methods ? route.methods.filter((method) => !scoped.includes(method)) : undefined;
  if (uncovered && uncovered.length === 0) return [];
  const open = uncovered ? uncovered.join(', ') : `every method but ${scoped.join(', ')}`;
  return [
    {
      path: at,
      severity: 'warning',
      code: 'security.methodsUncovered',
      message: `Route "${route.name}" is covered only for ${scoped.join(', ')} (security entry ${covering.map((rule) => rule.index + 1).join(', ')}): ${open} reach it without a security rule and are public. Drop "methods" from the rule, add a rule for the other methods, or set gateway.defaultAuth: deny.`,
      data: { route: route.name, path: route.path, methods: uncovered ?? null },
    },
  ];
}
