// The `security:` list compiled once per config apply: JWT keys loaded, API key digests decoded, limiters made,
// endpoints compiled with the same path patterns as routes. A request then costs a Map lookup to find its rule.
// Endpoints match regardless of case, as routes do: a rule protects every spelling of its path, so an upstream that
// routes case-insensitively cannot be reached through `/V1/Secure` under a public `/v1/*` route.
// Limiters and JWKS caches are carried over from the previous config when unchanged, so a reload neither
// resets anyone's budget nor refetches keys.
import type { GatewayConfig, Rate, SecurityRule } from '../../../common/src/config';
import { compilePathPattern, type PathPattern } from '../gateway/routing/pathPattern';
import type { ConfigPart } from '../gateway/snapshot';
import { createAuthFailureLimit, type AuthFailureLimit } from './authFailureLimit';
import { compileApiKeys, compileApiKeyVerifier, type ApiKeyVerifier, type KnownKey } from './apiKeyVerifier';
import { createJwksKeySource, type JwksKeySource, type JwksOptions } from './jwksKeys';
import { compileJwtVerifier, loadJwtKeys, type JwtVerifier } from './jwtVerifier';
import { compileRateLimit, type CompiledRateLimit } from './rateLimitPolicy';
import { memoryRateCounters, type RateCounter, type RateCounterFactory } from './rateCounters';

export interface SecurityPolicy {
  rule: SecurityRule;
  /** "security[0] (/predict)", for logs and error messages. */
  label: string;
  jwt?: JwtVerifier;
  apiKeys?: ApiKeyVerifier;
  rateLimit?: CompiledRateLimit;
}

export interface CompiledSecurity {
  /** The rule that applies to a normalized path and method; undefined = public. */
  policyFor(path: string, method: string): SecurityPolicy | undefined;
  policies: readonly SecurityPolicy[];
  /** gateway.limits.authFailures: failed attempts per client address (undefined when turned off). */
  authFailures?: AuthFailureLimit;
  /** Kept for the next apply. */
  counters: ReadonlyMap<string, RateCounter>;
  jwks: ReadonlyMap<string, JwksKeySource>;
}

export interface SecurityOptions {
  counters?: RateCounterFactory;
  jwks?: Partial<JwksOptions>;
}

interface Candidate {
  policy: SecurityPolicy;
  pattern: PathPattern;
  methods?: ReadonlySet<string>;
  order: number;
}

export function createSecurityPart(options: SecurityOptions = {}): ConfigPart<CompiledSecurity> {
  return { name: 'security', compile: (config, previous) => compileSecurity(config, previous, options) };
}

export function compileSecurity(config: GatewayConfig, previous: CompiledSecurity | undefined, options: SecurityOptions = {}): CompiledSecurity {
  const makeCounter = options.counters ?? memoryRateCounters;
  const counters = new Map<string, RateCounter>();
  const jwks = new Map<string, JwksKeySource>();
  const counterFor = (rule: SecurityRule, kind: 'requests' | 'tokens'): RateCounter | undefined => {
    const rate = rule.rateLimit?.[kind];
    if (!rate) return undefined;
    const keyPrefix = `ai-gateway:${kind}:${rule.methods?.join(',') ?? '*'}:${rule.endpoint}`;
    const identity = `${keyPrefix}|${rate.limit}|${rate.windowMs}|${rule.rateLimit?.by}`;
    const counter = counters.get(identity) ?? previous?.counters.get(identity) ?? makeCounter({ keyPrefix, limit: rate.limit, windowMs: rate.windowMs });
    counters.set(identity, counter);
    return counter;
  };
  const jwksFor = (url: string): JwksKeySource => {
    const source = jwks.get(url) ?? previous?.jwks.get(url) ?? createJwksKeySource(url, options.jwks);
    jwks.set(url, source);
    return source;
  };

  const keysByRule = config.security.map((rule, index) => compileApiKeys(rule.apiKeys ?? [], `security[${index}]`));
  const candidates = config.security.map((rule, index): Candidate => {
    const where = `security[${index}]`;
    const policy: SecurityPolicy = { rule, label: `${where} (${rule.endpoint})` };
    if (rule.auth === 'jwt') {
      const jwtConfig = rule.jwt ?? { algorithms: ['HS256'], consumerClaim: 'sub', clockToleranceSec: 0, requireExp: true };
      policy.jwt = compileJwtVerifier(jwtConfig, loadJwtKeys(jwtConfig, where, jwksFor), where);
    }
    if (rule.auth === 'api-key') {
      const own = keysByRule[index] ?? [];
      // No key yet is a warning in the config model: the endpoint is then closed to everyone (401), not open.
      const elsewhere = keysByRule.filter((_, other) => other !== index).flat();
      policy.apiKeys = compileApiKeyVerifier(own, withoutOwn(elsewhere, own));
    }
    if (rule.rateLimit) policy.rateLimit = compileRateLimit(rule.rateLimit, counterFor(rule, 'requests'), counterFor(rule, 'tokens'));
    return { policy, pattern: compilePathPattern(rule.endpoint.toLowerCase()), order: index, ...(rule.methods ? { methods: new Set(rule.methods) } : {}) };
  });

  const authFailures = authFailureLimitFor(config.gateway.limits.authFailures, previous?.authFailures, (keyPrefix, rate) => {
    const identity = `${keyPrefix}|${rate.limit}|${rate.windowMs}`;
    const counter = previous?.counters.get(identity) ?? makeCounter({ keyPrefix, limit: rate.limit, windowMs: rate.windowMs });
    counters.set(identity, counter);
    return counter;
  });
  return { ...candidateIndex(candidates), policies: candidates.map((c) => c.policy), ...(authFailures ? { authFailures } : {}), counters, jwks };
}

/** The same limit object across reloads while the rate is unchanged, so an address blocked stays blocked. */
function authFailureLimitFor(
  rate: Rate | undefined,
  previous: AuthFailureLimit | undefined,
  counterFor: (keyPrefix: string, rate: Rate) => RateCounter,
): AuthFailureLimit | undefined {
  if (!rate) return undefined;
  const counter = counterFor('ai-gateway:auth-failures', rate);
  if (previous && previous.rate.limit === rate.limit && previous.rate.windowMs === rate.windowMs) return previous;
  return createAuthFailureLimit(rate, counter);
}

/** Exact endpoints through a Map, the others in specificity order: the most specific rule for the method wins. */
function candidateIndex(candidates: Candidate[]): Pick<CompiledSecurity, 'policyFor'> {
  const bySpecificity = (a: Candidate, b: Candidate): number =>
    b.pattern.specificity - a.pattern.specificity || Number(b.methods !== undefined) - Number(a.methods !== undefined) || a.order - b.order;
  const exact = new Map<string, Candidate[]>();
  const patterned: Candidate[] = [];
  const addExact = (key: string, candidate: Candidate): void => void exact.set(key, [...(exact.get(key) ?? []), candidate]);
  for (const candidate of [...candidates].sort(bySpecificity)) {
    const key = candidate.pattern.exact;
    if (key === undefined) patterned.push(candidate);
    else addExact(key, candidate);
    // `/v1/secure/*` also covers `/v1/secure` itself: normalization turns `/v1/secure/` into it.
    if (candidate.pattern.source.endsWith('/*')) addExact(candidate.pattern.source.slice(0, -2) || '/', candidate);
  }
  const accepts = (candidate: Candidate, method: string): boolean => !candidate.methods || candidate.methods.has(method);
  return {
    policyFor(requestPath, method) {
      const path = requestPath.toLowerCase();
      for (const candidate of exact.get(path) ?? []) if (accepts(candidate, method)) return candidate.policy;
      for (const candidate of patterned) {
        if (accepts(candidate, method) && candidate.pattern.match(path)) return candidate.policy;
      }
      return undefined;
    },
  };
}

function withoutOwn(keys: KnownKey[], own: KnownKey[]): KnownKey[] {
  return keys.filter((key) => !own.some((mine) => mine.digest.equals(key.digest)));
}
