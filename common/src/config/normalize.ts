// Schema-valid raw YAML data -> the typed GatewayConfig: shorthands expanded, units parsed, defaults filled.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type {
  ApiKeyConfig,
  AuthType,
  CallbackConfig,
  GatewayConfig,
  GatewaySettings,
  GuardrailName,
  JwtConfig,
  LogLevel,
  OtlpProtocol,
  Rate,
  RateLimitConfig,
  RetryTrigger,
  RouteConfig,
  RouteTest,
  RouteTestGuardrailExpect,
  SecurityRule,
  StoreFailurePolicy,
  TargetConfig,
  TelemetryConfig,
} from './types';
import { normalizeGuardrails } from './guardrails';
import { parseDuration, parseListen, parseRate, parseSize } from './units';
import { HeldCredential } from './heldCredential';
import { bedrockRegion, isProviderName, providerDefaultUrl, type ProviderName } from './providers';
import type { ProviderTargetConfig } from './types';
import { normalizeBudgets, normalizeGatewayCache, normalizePricing, normalizeRouteCache } from './normalizeSpend';

type Raw = Record<string, unknown>;
type Env = Record<string, string | undefined>;
const obj = (v: unknown): Raw => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** `['host:port', ...]` (the schema checked the form) as addresses; nothing when absent or empty. */
function sentinelsOf(raw: unknown): { sentinels?: { host: string; port: number }[] } {
  const sentinels = list(raw).flatMap((entry) => {
    const match = typeof entry === 'string' ? /^(.+):(\d{1,5})$/.exec(entry.trim()) : null;
    return match ? [{ host: (match[1] as string).replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) }] : [];
  });
  return sentinels.length > 0 ? { sentinels } : {};
}
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 8080 };
/** Failed authentication attempts per client address before it is refused for the rest of the window. */
export const DEFAULT_AUTH_FAILURES: Rate = { limit: 30, windowMs: 60_000, source: '30/min' };
/** Completion tokens a token limit reserves for a request that does not say `max_tokens` (README, "Token limits"). */
export const DEFAULT_MAX_TOKENS = 1024;
export const DEFAULT_RETRY_ON: RetryTrigger[] = [502, 503, 504, 'connect-error', 'timeout'];
/** Providers also say "too many requests" (429) and "overloaded" (Anthropic's 529): another target may have room. */
export const DEFAULT_PROVIDER_RETRY_ON: RetryTrigger[] = [429, 500, 502, 503, 504, 529, 'connect-error', 'timeout'];

export function deriveRouteName(routePath: string): string {
  const name = routePath.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '');
  return name === '' ? 'root' : name;
}

/** Route names: as given, else derived from the path; derived names are made unique with -2, -3, ... */
export function routeNames(routes: unknown[]): string[] {
  const explicit = new Set(routes.map((r) => str(obj(r).name)).filter((n): n is string => n !== undefined));
  const taken = new Set<string>(explicit);
  // The next suffix to try per base name: every smaller one is taken already, so naming stays linear in routes.
  const nextSuffix = new Map<string, number>();
  return routes.map((r) => {
    const given = str(obj(r).name);
    if (given !== undefined) return given;
    const base = deriveRouteName(str(obj(r).path) ?? '/');
    let name = base;
    let i = nextSuffix.get(base) ?? 2;
    while (taken.has(name)) name = `${base}-${i++}`;
    nextSuffix.set(base, i);
    taken.add(name);
    return name;
  });
}

function resolveFile(file: string | undefined, baseDir: string): string | undefined {
  return file === undefined ? undefined : path.resolve(baseDir, file);
}

function normalizeGateway(raw: Raw, baseDir: string): GatewaySettings {
  const listen = parseListen(raw.listen) ?? DEFAULT_LISTEN;
  const limits = obj(raw.limits);
  const admin = obj(raw.admin);
  const store = obj(raw.store);
  const redis = obj(store.redis);
  const tls = obj(raw.tls);
  const cluster = obj(raw.cluster);
  return {
    host: listen.host,
    port: listen.port,
    logLevel: (str(raw.logLevel) as LogLevel | undefined) ?? 'info',
    ...(str(tls.cert) && str(tls.key)
      ? { tls: { cert: resolveFile(str(tls.cert), baseDir) as string, key: resolveFile(str(tls.key), baseDir) as string } }
      : {}),
    limits: {
      maxBodyBytes: parseSize(limits.maxBodySize) ?? 10 * 1024 * 1024,
      maxHeaderBytes: parseSize(limits.maxHeaderSize) ?? 16 * 1024,
      headersTimeoutMs: parseDuration(limits.headersTimeout) ?? 10_000,
      bodyTimeoutMs: parseDuration(limits.bodyTimeout) ?? 30_000,
      maxUpstreamConnections: num(limits.maxUpstreamConnections) ?? 256,
      maxReplayBodyBytes: parseSize(limits.maxReplayBodySize) ?? 1024 * 1024,
      maxPreAuthBufferBytes: parseSize(limits.maxPreAuthBufferSize) ?? 64 * 1024,
      ...(limits.authFailures === false ? {} : { authFailures: parseRate(limits.authFailures) ?? DEFAULT_AUTH_FAILURES }),
    },
    admin: {
      ...(admin.listen !== undefined && parseListen(admin.listen) ? { listen: parseListen(admin.listen) } : {}),
      readOnly: admin.readOnly === true,
    },
    store: {
      ...(str(redis.url)
        ? { redis: { url: str(redis.url) as string, keyPrefix: str(redis.keyPrefix) ?? 'ai-gateway:', ...sentinelsOf(redis.sentinels) } }
        : {}),
      onStoreFailure: (str(store.onStoreFailure) as StoreFailurePolicy | undefined) ?? 'local',
      replicas: num(store.replicas) ?? 1,
    },
    ...(raw.cluster !== undefined ? { cluster: { enabled: cluster.enabled !== false, channel: str(cluster.channel) ?? 'ai-gateway:config' } } : {}),
    defaultAuth: str(raw.defaultAuth) === 'deny' ? 'deny' : 'none',
    mockUnreachableTargets: raw.mockUnreachableTargets === true,
    ...(str(raw.webhookSecretEnv) ? { webhookSecretEnv: str(raw.webhookSecretEnv) } : {}),
    workers: raw.workers === 'auto' ? 'auto' : (num(raw.workers) ?? 1),
    cache: normalizeGatewayCache(raw.cache),
    ...(raw.telemetry !== undefined ? { telemetry: normalizeTelemetry(obj(raw.telemetry)) } : {}),
  };
}

function normalizeTelemetry(raw: Raw): TelemetryConfig {
  const otlp = raw.otlp !== undefined ? obj(raw.otlp) : undefined;
  return {
    ...(otlp
      ? {
          otlp: {
            ...(str(otlp.endpoint) ? { endpoint: str(otlp.endpoint) } : {}),
            ...(str(otlp.protocol) ? { protocol: str(otlp.protocol) as OtlpProtocol } : {}),
            ...(otlp.headers !== undefined ? { headers: Object.fromEntries(Object.entries(obj(otlp.headers)).map(([k, v]) => [k, String(v)])) } : {}),
          },
        }
      : {}),
    ...(num(raw.sampleRatio) !== undefined ? { sampleRatio: num(raw.sampleRatio) } : {}),
    ...(str(raw.serviceName) ? { serviceName: str(raw.serviceName) } : {}),
    ...(num(raw.maxQueueSize) !== undefined ? { maxQueueSize: num(raw.maxQueueSize) } : {}),
  };
}

function normalizeTargets(raw: Raw, env: Env, baseDir: string): TargetConfig[] {
  if (str(raw.target)) return [{ url: str(raw.target) as string, weight: 1 }];
  return list(raw.targets).map((t) => {
    if (typeof t === 'string') return { url: t, weight: 1 };
    const o = obj(t);
    const ca = resolveFile(str(o.ca), baseDir);
    const headers = o.headers !== undefined ? lowerCaseKeys(obj(o.headers)) : undefined;
    const provider = isProviderName(o.provider) ? normalizeProvider(o, o.provider, env) : undefined;
    const url = str(o.url) ?? (provider ? providerDefaultUrl(provider.name, provider.region ?? '') : undefined);
    return { url: url as string, weight: num(o.weight) ?? 1, ...(ca ? { ca } : {}), ...(headers ? { headers } : {}), ...(provider ? { provider } : {}) };
  });
}

function lowerCaseKeys(headers: Raw): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
}

/** The provider's settings, with the key read from apiKeyEnv (or, for Bedrock without one, the AWS variables). */
function normalizeProvider(raw: Raw, name: ProviderName, env: Env): ProviderTargetConfig {
  const apiKeyEnv = str(raw.apiKeyEnv);
  const apiKey = apiKeyEnv !== undefined ? env[apiKeyEnv] || undefined : undefined;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  const aws =
    name === 'bedrock' && apiKeyEnv === undefined && accessKeyId && secretAccessKey
      ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
      : undefined;
  const settings: ProviderTargetConfig = { name };
  for (const key of ['model', 'apiKeyEnv', 'apiVersion', 'deployment'] as const) {
    const value = str(raw[key]);
    if (value !== undefined) settings[key] = value;
  }
  if (name === 'bedrock') settings.region = bedrockRegion(str(raw.region), env);
  if (apiKey !== undefined || aws !== undefined) settings.credential = new HeldCredential({ ...(apiKey ? { apiKey } : {}), ...(aws ? { aws } : {}) });
  return settings;
}

function upper(methods: unknown[]): string[] {
  return methods.map((m) => String(m).toUpperCase());
}

function normalizeTests(raw: unknown[]): RouteTest[] {
  return raw.map((t) => {
    const o = obj(t);
    const expect = obj(o.expect);
    const maxLatencyMs = parseDuration(expect.maxLatency);
    return {
      name: str(o.name) as string,
      ...(str(o.method) ? { method: (str(o.method) as string).toUpperCase() } : {}),
      ...(str(o.path) ? { path: str(o.path) } : {}),
      ...(o.headers !== undefined ? { headers: obj(o.headers) as Record<string, string> } : {}),
      ...(o.body !== undefined ? { body: o.body } : {}),
      expect: {
        ...(num(expect.status) !== undefined ? { status: num(expect.status) } : {}),
        ...(expect.headers !== undefined ? { headers: obj(expect.headers) as Record<string, string> } : {}),
        ...(expect.json !== undefined ? { json: obj(expect.json) } : {}),
        ...(expect.contains !== undefined ? { contains: obj(expect.contains) as Record<string, string> } : {}),
        ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}),
        ...(expect.guardrail !== undefined ? { guardrail: guardrailExpectOf(expect.guardrail) } : {}),
      },
    };
  });
}

/** `guardrail: none`, or `{ blocked: pii }` / `{ redacted: pii, kinds: [email] }` / `{ flagged: deny }`. */
function guardrailExpectOf(raw: unknown): RouteTestGuardrailExpect {
  if (raw === 'none') return 'none';
  const o = obj(raw);
  const action = (['blocked', 'redacted', 'flagged'] as const).find((key) => o[key] !== undefined) ?? 'blocked';
  return { action, guardrail: String(o[action]) as GuardrailName, ...(o.kinds !== undefined ? { kinds: list(o.kinds).map(String) } : {}) };
}

function normalizeRoute(raw: Raw, name: string, env: Env, baseDir: string, gateway: GatewaySettings): RouteConfig {
  const cache = normalizeRouteCache(raw.cache, gateway.cache);
  const targets = normalizeTargets(raw, env, baseDir);
  const providers = targets.some((target) => target.provider !== undefined);
  const timeoutMs = parseDuration(raw.timeout) ?? 30_000;
  const backoff = obj(raw.retryBackoff);
  const hc = raw.healthCheck !== undefined ? obj(raw.healthCheck) : undefined;
  const cb = obj(raw.circuitBreaker);
  const match = raw.match !== undefined ? obj(raw.match) : undefined;
  const methods = raw.methods !== undefined ? upper(list(raw.methods)) : str(raw.method) ? upper([raw.method]) : undefined;
  const example = raw.example !== undefined ? obj(raw.example) : undefined;
  const guardrails = normalizeGuardrails(raw.guardrails, baseDir);
  return {
    name,
    path: str(raw.path) as string,
    ...(methods ? { methods } : {}),
    ...(match
      ? {
          match: {
            ...(match.headers !== undefined
              ? { headers: Object.fromEntries(Object.entries(obj(match.headers)).map(([k, v]) => [k.toLowerCase(), String(v)])) }
              : {}),
            ...(str(match.model) ? { model: str(match.model) } : {}),
          },
        }
      : {}),
    targets,
    loadBalancing: (str(raw.loadBalancing) as RouteConfig['loadBalancing'] | undefined) ?? (targets.some((t) => t.weight !== 1) ? 'weighted' : 'round-robin'),
    timeoutMs,
    connectTimeoutMs: parseDuration(raw.connectTimeout) ?? Math.min(5_000, timeoutMs),
    firstByteTimeoutMs: parseDuration(raw.firstByteTimeout) ?? timeoutMs,
    idleTimeoutMs: parseDuration(raw.idleTimeout) ?? 60_000,
    retries: num(raw.retries) ?? (targets.length > 1 ? 1 : 0),
    retryOn: raw.retryOn !== undefined ? (list(raw.retryOn) as RetryTrigger[]) : providers ? DEFAULT_PROVIDER_RETRY_ON : DEFAULT_RETRY_ON,
    retryBackoff: {
      baseMs: parseDuration(backoff.base) ?? 50,
      maxMs: parseDuration(backoff.max) ?? 2_000,
      maxRetryAfterMs: parseDuration(backoff.maxRetryAfter) ?? 5_000,
    },
    ...(hc
      ? {
          healthCheck: {
            path: str(hc.path) as string,
            intervalMs: parseDuration(hc.interval) ?? 5_000,
            timeoutMs: parseDuration(hc.timeout) ?? 2_000,
            healthyThreshold: num(hc.healthyThreshold) ?? 1,
            unhealthyThreshold: num(hc.unhealthyThreshold) ?? 2,
          },
        }
      : {}),
    circuitBreaker: {
      consecutiveFailures: num(cb.consecutiveFailures) ?? 5,
      errorRatio: num(cb.errorRatio) ?? 0.5,
      window: num(cb.window) ?? 20,
      coolDownMs: parseDuration(cb.coolDown) ?? 10_000,
    },
    ...(str(raw.stripPrefix) ? { stripPrefix: str(raw.stripPrefix) } : {}),
    forwardCredentials: raw.forwardCredentials === true,
    allowOverrideHeaders: list(raw.allowOverrideHeaders).map((name) => String(name).toLowerCase()),
    frontDoor: raw.frontDoor === 'anthropic' ? 'anthropic' : 'openai',
    ...(raw.telemetry !== undefined ? { telemetry: { recordContent: obj(raw.telemetry).recordContent === true } } : {}),
    ...(example
      ? {
          example: {
            ...(str(example.method) ? { method: (str(example.method) as string).toUpperCase() } : {}),
            ...(example.headers !== undefined ? { headers: obj(example.headers) as Record<string, string> } : {}),
            ...(example.body !== undefined ? { body: example.body } : {}),
          },
        }
      : {}),
    tests: normalizeTests(list(raw.tests)),
    ...(guardrails ? { guardrails } : {}),
    ...(cache ? { cache } : {}),
  };
}

function normalizeJwt(raw: Raw, env: Record<string, string | undefined>, baseDir: string): JwtConfig {
  const secretEnv = str(raw.secretEnv);
  const secret = secretEnv !== undefined ? env[secretEnv] : str(raw.secret);
  const publicKeyFile = resolveFile(str(raw.publicKeyFile), baseDir);
  const hasKey = publicKeyFile !== undefined || str(raw.jwksUrl) !== undefined;
  const algorithms = raw.algorithms !== undefined ? (list(raw.algorithms) as string[]) : hasKey ? ['RS256'] : ['HS256'];
  return {
    ...(secretEnv ? { secretEnv } : {}),
    ...(secret ? { secret } : {}),
    ...(publicKeyFile ? { publicKeyFile } : {}),
    ...(str(raw.jwksUrl) ? { jwksUrl: str(raw.jwksUrl) } : {}),
    algorithms,
    ...(raw.audience !== undefined ? { audience: raw.audience as string | string[] } : {}),
    ...(raw.issuer !== undefined ? { issuer: raw.issuer as string | string[] } : {}),
    consumerClaim: str(raw.consumerClaim) ?? 'sub',
    clockToleranceSec: Math.round((parseDuration(raw.clockTolerance) ?? 0) / 1000),
    requireExp: raw.requireExp !== false,
  };
}

function normalizeRateLimit(raw: unknown): RateLimitConfig | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'number' || typeof raw === 'string') {
    const rate = parseRate(raw);
    return rate ? { requests: rate, by: 'consumer', tokenEstimate: 'prompt', defaultMaxTokens: DEFAULT_MAX_TOKENS } : undefined;
  }
  const o = obj(raw);
  const requests = parseRate(o.requests);
  const tokens = parseRate(o.tokens);
  return {
    ...(requests ? { requests } : {}),
    ...(tokens ? { tokens } : {}),
    by: (str(o.by) as RateLimitConfig['by'] | undefined) ?? 'consumer',
    tokenEstimate: (str(o.tokenEstimate) as RateLimitConfig['tokenEstimate'] | undefined) ?? 'prompt',
    defaultMaxTokens: num(o.defaultMaxTokens) ?? DEFAULT_MAX_TOKENS,
  };
}

/** A rule's auth: as written, else `jwt` when it has jwt settings, else `api-key` (closed), as the schema's default says. */
export function authOf(rule: Raw): AuthType {
  const auth = str(rule.auth);
  if (auth === 'jwt' || auth === 'api-key' || auth === 'none') return auth;
  return rule.jwt !== undefined ? 'jwt' : 'api-key';
}

function normalizeSecurity(raw: Raw, env: Record<string, string | undefined>, baseDir: string): SecurityRule {
  const auth = authOf(raw);
  const rateLimit = normalizeRateLimit(raw.rateLimit);
  const budgets = normalizeBudgets(raw.budget);
  return {
    endpoint: str(raw.endpoint) as string,
    ...(raw.methods !== undefined ? { methods: upper(list(raw.methods)) } : {}),
    auth,
    ...(raw.consumers !== undefined ? { consumers: list(raw.consumers).map(String) } : {}),
    ...(auth === 'jwt' ? { jwt: normalizeJwt(obj(raw.jwt), env, baseDir) } : {}),
    ...(raw.apiKeys !== undefined
      ? {
          apiKeys: list(raw.apiKeys).map((k): ApiKeyConfig => {
            const o = obj(k);
            const keyEnv = str(o.keyEnv);
            const plain = keyEnv !== undefined ? env[keyEnv] : str(o.key);
            const sha256 = plain ? sha256Hex(plain) : str(o.sha256)?.toLowerCase();
            return { name: str(o.name) as string, ...(keyEnv ? { keyEnv } : {}), ...(sha256 ? { sha256 } : {}) };
          }),
        }
      : {}),
    ...(rateLimit ? { rateLimit } : {}),
    ...(budgets ? { budgets } : {}),
  };
}

function normalizeCallbacks(raw: unknown): CallbackConfig[] {
  if (raw === undefined) return [];
  const items = Array.isArray(raw) ? raw : [raw];
  return items.map((c) =>
    typeof c === 'string' ? { url: c } : { url: str(obj(c).url) as string, ...(obj(c).events ? { events: list(obj(c).events) as string[] } : {}) },
  );
}

export function normalizeConfig(data: unknown, env: Record<string, string | undefined>, baseDir: string): GatewayConfig {
  const root = obj(data);
  const routes = list(root.routes);
  const names = routeNames(routes);
  const gateway = normalizeGateway(obj(root.gateway), baseDir);
  return {
    version: 1,
    gateway,
    routes: routes.map((r, i) => normalizeRoute(obj(r), names[i] as string, env, baseDir, gateway)),
    security: list(root.security).map((s) => normalizeSecurity(obj(s), env, baseDir)),
    callbacks: normalizeCallbacks(root.callback),
    pricing: normalizePricing(root.pricing),
  };
}
