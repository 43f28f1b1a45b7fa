// The typed gateway config, as every consumer (runtime, language server, CLI, SDK, extension) sees it
// after `loadConfig` has parsed, validated and normalized the YAML. Shorthands of the YAML (`target`,
// `rateLimit: 100`, `"30s"`, `${VAR}`) are already resolved here, so no consumer re-interprets them.
import type { HeldCredential } from './heldCredential';
import type { ProviderName } from './providers';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export type LoadBalancing = 'round-robin' | 'weighted' | 'least-connections' | 'least-latency';

export type AuthType = 'jwt' | 'api-key' | 'none';
export type RateLimitKey = 'consumer' | 'ip' | 'route';
export type RetryTrigger = number | 'connect-error' | 'timeout';
export type StoreFailurePolicy = 'fail-open' | 'fail-closed' | 'local';

/** A rate: `limit` events per `windowMs`. `source` is the text the user wrote, for messages. */
export interface Rate {
  limit: number;
  windowMs: number;
  source: string;
}

export interface TlsConfig {
  cert: string; // path to a PEM file
  key: string; // path to a PEM file
}

export interface ServerLimits {
  maxBodyBytes: number;
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  maxUpstreamConnections: number; // per target
  maxReplayBodyBytes: number; // request bodies up to this size are buffered so a retry can replay them
  /** The most body bytes held in memory for a request that is not authenticated (a public endpoint, or before auth). */
  maxPreAuthBufferBytes: number;
  /** Failed authentication attempts one client address may make per window; absent = not limited (`false`). */
  authFailures?: Rate;
}

export interface RedisStoreConfig {
  /** With `sentinels`, the host of the URL names the master group; its password and database still apply. */
  url: string;
  keyPrefix: string;
  /** Redis Sentinel: ask these where the master is (and follow its failovers) instead of connecting to `url`'s host. */
  sentinels?: { host: string; port: number }[];
}

export interface StoreConfig {
  redis?: RedisStoreConfig;
  onStoreFailure: StoreFailurePolicy;
  replicas: number; // used by the `local` policy: limit / replicas per replica
}

export interface AdminConfig {
  listen?: { host: string; port: number }; // a separate admin listener; absent = on the gateway's port
  readOnly: boolean; // e.g. when a Kubernetes ConfigMap is the source of truth
}

export interface GatewaySettings {
  host: string;
  port: number;
  logLevel: LogLevel;
  tls?: TlsConfig;
  limits: ServerLimits;
  admin: AdminConfig;
  store: StoreConfig;
  cluster?: { enabled: boolean; channel: string };
  /** What a request no security rule covers gets: `none` lets it through (the config model warns), `deny` refuses it (403). */
  defaultAuth: 'none' | 'deny';
  /** Serve targets that are not reachable locally with the built-in mock (`mock://openai`). */
  mockUnreachableTargets: boolean;
  webhookSecretEnv?: string;
  /** Processes serving the gateway's port (`gateway.workers`): a count, or `auto` for one per CPU. Read at start. */
  workers: number | 'auto';
  /** `gateway.cache`: the in-memory answer store's bound, and the cache every route gets unless it says `cache: false`. */
  cache: GatewayCacheSettings;
  /** `gateway.telemetry` as written; the runtime fills what is unset from the OTEL_* environment variables. */
  telemetry?: TelemetryConfig;
}

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TelemetryConfig {
  otlp?: { endpoint?: string; protocol?: OtlpProtocol; headers?: Record<string, string> };
  sampleRatio?: number;
  serviceName?: string;
  maxQueueSize?: number;
}

export type CacheMode = 'exact' | 'semantic';
/** Whose answers a request may be served: its consumer's only (default), anyone's on the route, or anyone's on any route. */
export type CacheScope = 'consumer' | 'route' | 'global';

export interface SemanticCacheConfig {
  /** Cosine similarity (0..1) a stored prompt must reach for its answer to serve this one. */
  similarity: number;
  /** The route of this config that answers OpenAI embeddings requests (an exact path). */
  embeddingsRoute: string;
  /** The `model` sent in the embeddings request; absent: the embeddings route's own default. */
  embeddingsModel?: string;
}

/** A route's response cache, merged over `gateway.cache` and the built-in defaults. */
export interface CacheConfig {
  mode: CacheMode;
  ttlMs: number;
  by: CacheScope;
  /** Answers larger than this are not stored. */
  maxEntryBytes: number;
  /** Top-level body fields left out of the key, besides `stream`, `user` and `stream_options`. */
  ignoreFields: string[];
  /** Request headers (lower case) whose values are part of the key. */
  keyHeaders: string[];
  /** Charge a hit to the route's token limit as the stored answer's usage (default false: a hit costs no tokens). */
  chargeHits: boolean;
  /** Replay a stored stream with the pauses it arrived with (default false: at once). */
  pace: boolean;
  semantic?: SemanticCacheConfig;
}

export interface GatewayCacheSettings {
  /** The in-memory store's bound (answers, in bytes); without Redis the LRU evicts past it. */
  maxMemoryBytes: number;
  /** The cache of every route that does not set its own (or `cache: false`); absent without `gateway.cache`. */
  routeDefault?: CacheConfig;
}

export interface TargetConfig {
  /** The backend's URL; for a provider target, its base URL (the provider's public default when none is written). */
  url: string;
  weight: number;
  ca?: string; // path to a PEM CA bundle for https targets
  /** Headers set on every request to this target, names in lower case, `${VAR}` expanded: never shown (values may be keys). */
  headers?: Record<string, string>;
  /** Set when the target names a provider: the gateway translates requests and answers, and places the held key. */
  provider?: ProviderTargetConfig;
}

/** What a provider target says besides its URL. */
export interface ProviderTargetConfig {
  name: ProviderName;
  /** The model sent upstream whatever the client asked for (an alias); the client's `model` when absent. */
  model?: string;
  /** The variable the key is read from when the config loads. */
  apiKeyEnv?: string;
  /** Anthropic's `anthropic-version`, Azure's `api-version`. */
  apiVersion?: string;
  /** Azure: the deployment (default: the model). */
  deployment?: string;
  /** Bedrock: the AWS region (the target's, else AWS_REGION, AWS_DEFAULT_REGION, us-east-1). */
  region?: string;
  /** The key (or Bedrock's AWS keys) read from the environment; prints as <held>. Absent when none is set. */
  credential?: HeldCredential;
}

/** What the route's clients speak: OpenAI's Chat Completions and Embeddings (default), or Anthropic's Messages API. */
export type FrontDoor = 'openai' | 'anthropic';

export interface HealthCheckConfig {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface CircuitBreakerConfig {
  consecutiveFailures: number;
  errorRatio: number; // 0..1 over the last `window` requests
  window: number;
  coolDownMs: number;
}

export interface RouteMatch {
  headers?: Record<string, string>; // header name (lower case) -> exact value or glob
  model?: string; // glob on the JSON body's "model"
}

/** A guardrail verdict a route test expects (`expect.guardrail`); `none`: no guardrail acted on the request. */
export type RouteTestGuardrailExpect = 'none' | { action: GuardrailVerdictAction; guardrail: GuardrailName; kinds?: string[] };

export interface RouteTestExpect {
  status?: number;
  headers?: Record<string, string>;
  json?: Record<string, unknown>; // JSON path (a.b[0].c) -> expected value (equals)
  contains?: Record<string, string>; // JSON path -> substring
  maxLatencyMs?: number;
  guardrail?: RouteTestGuardrailExpect;
}

export interface RouteTest {
  name: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: unknown;
  expect: RouteTestExpect;
}

export interface RouteConfig {
  name: string; // given, or derived from the path when absent
  path: string;
  methods?: string[]; // upper case; absent = any method
  match?: RouteMatch;
  targets: TargetConfig[]; // `target: URL` is normalized to one target of weight 1
  loadBalancing: LoadBalancing;
  timeoutMs: number; // total budget for the whole request, retries included
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number; // between streamed chunks
  retries: number;
  retryOn: RetryTrigger[];
  retryBackoff: { baseMs: number; maxMs: number; maxRetryAfterMs: number };
  healthCheck?: HealthCheckConfig;
  circuitBreaker: CircuitBreakerConfig;
  stripPrefix?: string;
  /** Send the credential the security rule consumed (Authorization, x-api-key) on to the target; off by default. */
  forwardCredentials: boolean;
  /** Override headers (X-HTTP-Method-Override, X-Original-URL, ...) this route lets through, lower case; dropped otherwise. */
  allowOverrideHeaders: string[];
  /** `anthropic`: clients post Anthropic Messages requests, translated for the route's provider targets. */
  frontDoor: FrontDoor;
  /** What the route's spans carry: prompts and answers only with `recordContent: true`. */
  telemetry?: { recordContent: boolean };
  example?: { method?: string; headers?: Record<string, string>; body?: unknown };
  tests: RouteTest[];
  /** Checks on what goes to the model and what comes back (absent: none, and the route pays nothing for them). */
  guardrails?: GuardrailsConfig;
  /** The route's response cache (its own `cache:`, or `gateway.cache`); absent: not cached. */
  cache?: CacheConfig;
}

// ---- guardrails ---------------------------------------------------------------------------------

export type PiiKind = 'email' | 'phone' | 'credit-card' | 'iban' | 'ip' | 'secret';
export const PII_KINDS: readonly PiiKind[] = ['email', 'phone', 'credit-card', 'iban', 'ip', 'secret'];
/** What a guardrail does with what it found: refuse the request (or answer), replace the match, or only record it. */
export type GuardrailAction = 'redact' | 'block' | 'flag';
export const GUARDRAIL_ACTIONS: readonly GuardrailAction[] = ['redact', 'block', 'flag'];
/** A verdict as reported (trace, route tests): what a guardrail did. */
export type GuardrailVerdictAction = 'blocked' | 'redacted' | 'flagged';
export type GuardrailName = 'pii' | 'deny' | 'maxPromptTokens' | 'models' | 'jsonSchema' | 'webhook';
export const GUARDRAIL_NAMES: readonly GuardrailName[] = ['pii', 'deny', 'maxPromptTokens', 'models', 'jsonSchema', 'webhook'];

export interface PiiGuardrail {
  type: 'pii';
  action: GuardrailAction;
  kinds: PiiKind[];
  /** Request side, with `redact`: put the originals back where the answer repeats their placeholders. */
  restore: boolean;
}

export interface DenyGuardrail {
  type: 'deny';
  /** RE2 syntax (linear-time matching); `(?i)` and the other inline flags work. */
  patterns: string[];
  action: GuardrailAction;
}

export interface MaxPromptTokensGuardrail {
  type: 'maxPromptTokens';
  limit: number;
}

export interface ModelsGuardrail {
  type: 'models';
  /** Globs on the body's `model`; a consumer listed in `consumers` gets its own list instead. */
  allow: string[];
  consumers: Record<string, string[]>;
}

export interface JsonSchemaGuardrail {
  type: 'jsonSchema';
  /** Absolute path of the JSON Schema file (written relative to the config). */
  file: string;
  action: 'block' | 'flag';
}

export interface WebhookGuardrail {
  type: 'webhook';
  url: string;
  timeoutMs: number;
  /** What a failed call (timeout, refused, a bad answer) means: `block` unless the config says `allow`. */
  onError: 'allow' | 'block';
  /** How long a verdict is reused for an identical input (0: never). */
  cacheTtlMs: number;
  headers: Record<string, string>;
}

export type RequestGuardrail = PiiGuardrail | DenyGuardrail | MaxPromptTokensGuardrail | ModelsGuardrail | WebhookGuardrail;
export type ResponseGuardrail = PiiGuardrail | JsonSchemaGuardrail | WebhookGuardrail;

export interface GuardrailsConfig {
  /** In the order written: a redaction earlier in the list is what later guardrails (and the webhook) see. */
  request: RequestGuardrail[];
  response: ResponseGuardrail[];
}

export interface JwtConfig {
  secretEnv?: string;
  secret?: string; // resolved value of secretEnv (never logged)
  publicKeyFile?: string;
  jwksUrl?: string;
  algorithms: string[];
  audience?: string | string[];
  issuer?: string | string[];
  consumerClaim: string; // default "sub"
  clockToleranceSec: number;
  /** Refuse tokens without `exp` (default true): such a token would be valid forever. */
  requireExp: boolean;
}

export interface ApiKeyConfig {
  name: string; // the consumer
  keyEnv?: string;
  /** Hex digest of the key: given, or computed from keyEnv's value (or a plaintext `key`) at load. Runtime compares only this. */
  sha256?: string;
}

export interface RateLimitConfig {
  requests?: Rate;
  tokens?: Rate;
  by: RateLimitKey;
  tokenEstimate: 'prompt' | 'none'; // reserve the request's most (prompt estimate + max tokens) up front
  /** Completion tokens reserved for a request that sets neither `max_completion_tokens` nor `max_tokens`. */
  defaultMaxTokens: number;
}

export interface SecurityRule {
  endpoint: string; // a route path
  methods?: string[];
  auth: AuthType;
  jwt?: JwtConfig;
  apiKeys?: ApiKeyConfig[];
  consumers?: string[]; // allow-list of consumers (API key names, JWT consumer claims); others get 403
  rateLimit?: RateLimitConfig;
  /** Spending limits in US dollars per day or month (`budget:`, one or a list). */
  budgets?: BudgetConfig[];
}

export type BudgetPeriod = 'day' | 'month';

export interface BudgetConfig {
  /** US dollars per period. */
  usd: number;
  period: BudgetPeriod;
  /** As the user wrote it, e.g. "50/month". */
  source: string;
  /** Whose spending: each consumer's (anonymous callers share one budget), or the route's as a whole. */
  by: 'consumer' | 'route';
  /** The share of the budget (0..1) whose crossing sends a `budget.threshold` webhook event (default 0.8). */
  alertAt: number;
}

/** US dollars per million tokens, overriding or extending the built-in price table for one provider's model. */
export interface PriceOverride {
  provider: string;
  /** A model name, or a glob with `*`. */
  model: string;
  inputPerMTok?: number;
  outputPerMTok?: number;
  cachedInputPerMTok?: number;
}

export interface CallbackConfig {
  url: string;
  events?: string[]; // absent = all events
}

export interface GatewayConfig {
  version: 1;
  gateway: GatewaySettings;
  routes: RouteConfig[];
  security: SecurityRule[];
  callbacks: CallbackConfig[];
  /** `pricing:`: prices that win over the built-in table (providerModels.ts). */
  pricing: PriceOverride[];
}

// ---- diagnostics --------------------------------------------------------------------------------

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** Zero-based line and character, as LSP counts them; `offset` is the character offset in the text. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Diagnostic {
  range: Range;
  severity: Severity;
  code: string; // stable, e.g. "schema.enum", "route.shadowed"
  message: string;
  /** JSON path of the offending node, e.g. ["routes", 0, "path"]. */
  path: (string | number)[];
  /** Machine-readable data for quick fixes (did-you-mean candidates, the env var to create, ...). */
  data?: Record<string, unknown>;
}
