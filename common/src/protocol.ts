// The written-down protocol between the extension, the language server and the gateway runtime.
// Every message that crosses a process boundary is typed here, once; each entry says which way it flows.
// Admin REST API shapes live in the `Admin` namespace, custom LSP requests in `Lsp`, and the lines the
// gateway process prints for its parent (the extension) in `ProcessEvents`.

import type {
  AuthType,
  Diagnostic,
  GatewayConfig,
  GuardrailName,
  GuardrailVerdictAction,
  JwtConfig,
  LogLevel,
  ProviderTargetConfig,
  Range,
  RouteConfig,
  SecurityRule,
  TargetConfig,
} from './config';

/** Error body of every non-2xx answer of the gateway and its admin API. */
export interface ErrorBody {
  error: {
    type: string; // e.g. "route_not_found", "upstream_unreachable", "invalid_config"
    message: string;
    route?: string;
    requestId?: string;
    diagnostics?: Diagnostic[];
    /** On `guardrail_blocked`: the guardrail that refused (`pii`, `deny`, `maxPromptTokens`, `models`, `jsonSchema`, `webhook`). */
    guardrail?: GuardrailName;
  };
}

/**
 * Gateway process -> parent (extension, tests). The runtime logs JSON lines (pino) to stdout; these are the
 * `msg` values a parent may rely on, with their extra fields.
 */
export namespace ProcessEvents {
  /** Printed once the listener is up. */
  export const listening = 'gateway listening';
  export interface Listening {
    msg: typeof listening;
    url: string; // e.g. http://127.0.0.1:8080
    adminUrl: string; // where /api/v1 is served (same as url unless a separate admin listener is configured)
  }
  /** One access line per request (info; 5xx at warn; /metrics scrapes at debug) with requestId, method, path, status. */
  export const request = 'request';
  /** A config change from the watched file was applied. */
  export const configApplied = 'config applied';
  /** A config change was refused; the last good config keeps serving. */
  export const configRejected = 'config rejected';
  export interface ConfigRejected {
    msg: typeof configRejected;
    diagnostics: Diagnostic[];
  }
  /** The shared rate-limit store (gateway.store.redis) stopped answering: once per outage, with the policy applied. */
  export const storeUnavailable = 'rate limit store unavailable';
  /** It answers again; limits are shared again. */
  export const storeRecovered = 'rate limit store recovered';
  export interface StoreChange {
    msg: typeof storeUnavailable | typeof storeRecovered;
    store: string; // the Redis URL, password masked
    policy: 'fail-open' | 'fail-closed' | 'local';
    reason?: string;
  }
  /** An applied config changes settings only a restart applies (gateway.listen, gateway.store, ...); the rest runs. */
  export const restartRequired = 'config change needs a restart';
  export interface RestartRequired {
    msg: typeof restartRequired;
    settings: string[]; // e.g. ['gateway.listen']
  }
  /** gateway.cluster: this replica published a config it applied (admin API, file edit) for the others. */
  export const clusterConfigPublished = 'cluster config published';
  /** gateway.cluster: a config another replica published was validated and applied here. */
  export const clusterConfigAdopted = 'cluster config adopted';
  /** gateway.cluster: it was refused here (e.g. an env var this replica lacks); the last good config keeps serving. */
  export const clusterConfigNotAdopted = 'cluster config not adopted';
  /** gateway.workers: a worker process is serving (at start, and again after a restart). */
  export const workerReady = 'worker ready';
  /** gateway.workers: a worker process ended while the gateway runs; it is started again after `restartInMs`. */
  export const workerExited = 'worker exited';
  export interface WorkerExited {
    msg: typeof workerExited;
    worker: number; // its slot, 1..gateway.workers; the access lines it wrote carry the same "worker"
    pid: number;
    code: number | null;
    signal: string | null;
    restartInMs: number;
  }
  export interface ClusterConfigChange {
    msg: typeof clusterConfigPublished | typeof clusterConfigAdopted | typeof clusterConfigNotAdopted;
    version: number;
    hash: string; // sha256 of the YAML text
    origin: string; // the publishing replica
    diagnostics?: { path: string; code: string; message: string }[];
  }
}

/** Parent (extension) -> gateway process: environment variables `ai-gateway-cli start` reads besides the config. */
export namespace ProcessEnv {
  /** The admin API key; without it the admin API is off. */
  export const apiKey = 'AI_GATEWAY_API_KEY';
  /** "1": serve targets that are not reachable locally with the built-in mock (overrides gateway.mockUnreachableTargets). */
  export const mockUnreachableTargets = 'AI_GATEWAY_MOCK_UNREACHABLE_TARGETS';
  /** "1": keep request and answer bodies for the Traffic view (the editor sets it for the gateway it starts; never persisted). */
  export const trafficBodies = 'AI_GATEWAY_TRAFFIC_BODIES';
}

/**
 * Request tracing, client -> gateway -> client: a request with `traceRequestHeader: 1` gets the pipeline's decisions
 * (route, auth, limit, targets tried) back as JSON `TraceEntry[]` in the `traceResponseHeader` response header
 * (for a streamed answer: the decisions made until the headers were sent).
 */
export namespace RequestTrace {
  export const traceRequestHeader = 'x-gateway-trace';
  export const traceResponseHeader = 'x-gateway-trace';
  /** Carries the admin key (AI_GATEWAY_API_KEY) with a trace request; removed before the request goes upstream. */
  export const adminKeyHeader = 'x-gateway-admin-key';
  /** One decision of the pipeline, `atMs` after the request arrived. */
  export interface Entry {
    stage: string; // "route", "auth", "rate-limit", "guardrail", "upstream", "response", "trace"
    outcome: string; // e.g. 'matched "chat"', "rejected", "502 from http://...", "pii redacted"
    detail?: string;
    atMs: number;
    /** On `guardrail` entries: the verdict, as route tests read it. */
    guardrail?: Guardrails.Verdict;
  }
  /** `GET /api/v1/traces/{requestId}` (admin API): the whole trace of a traced request, kept for the last few hundred. */
  export interface Record {
    requestId: string;
    startedAt: string; // ISO time
    method: string;
    path: string; // without the query string
    route?: string;
    consumer?: string;
    status: number;
    durationMs: number;
    /** `provider` and `model`: which provider served the request and the model sent to it (provider targets only). */
    upstream: { target?: string; provider?: string; model?: string; attempts: number; upstreamMs?: number; ttfbMs?: number; outcome?: string };
    /** What the response cache did: hit, miss or bypass. */
    cache?: string;
    /** What the request cost in US dollars (its usage at its model's price); 0 for a cache hit. */
    costUsd?: number;
    entries: Entry[];
  }
}

/** What a route's guardrails did with a request or its answer (gateway -> access log, trace, route tests). */
export namespace Guardrails {
  /** One verdict: never the matched text, only what kind of thing was found and how often. */
  export interface Verdict {
    guardrail: GuardrailName;
    phase: 'request' | 'response';
    action: GuardrailVerdictAction;
    /** What was found, with counts: PII kinds (`email: 2`), deny patterns (`pattern-1: 1`), `tokens`, `model`. */
    kinds?: Record<string, number>;
    /** The fields it was found in, e.g. `messages[1].content`, `choices[0].delta.content`. */
    where?: string[];
    /** A webhook's reason, or why a check could not run (a webhook timeout let through by `onError: allow`). */
    reason?: string;
  }
  /** The error body of a refusal: the gateway's error shape, naming the guardrail. */
  export const blockedType = 'guardrail_blocked';
}

/**
 * The `webhook` guardrail, gateway -> the operator's moderation service: one POST of `Request` per check (identical
 * inputs reuse a verdict for the guardrail's `cacheTtl`); the service answers `Response` within `timeout`.
 */
export namespace GuardrailWebhook {
  export interface Request {
    phase: 'request' | 'response';
    route: string;
    model?: string;
    consumer?: string;
    /** The texts checked, after the guardrails listed before this one (redactions included). */
    texts: string[];
  }
  export interface Response {
    action: 'allow' | 'block' | 'flag';
    reason?: string;
  }
}

/** Admin REST API (`/api/v1`, Bearer AI_GATEWAY_API_KEY): client (CLI, SDK, extension) -> gateway. */
export namespace Admin {
  export const basePath = '/api/v1';
  export interface LogLevelBody {
    level: LogLevel;
    /** Also write `gateway.logLevel` to the config file (default true); false changes only the running process. */
    persist?: boolean;
  }
  /** `PUT /api/v1/log-level` answer. */
  export interface LogLevelResult {
    level: LogLevel;
    persisted: boolean;
  }

  /** Body of `POST /api/v1/routes` and `PUT /api/v1/routes/{name}`: a route as written in the YAML (seed: path, target, method). */
  export interface RouteInput {
    path: string;
    name?: string;
    method?: string;
    methods?: string[];
    target?: string;
    targets?: (string | { url: string; weight?: number })[];
    [field: string]: unknown;
  }

  /** Body of `PUT /api/v1/security/{endpoint}`: the fields to set (seed: authType, rateLimit); null removes one. */
  export interface SecurityInput {
    authType?: AuthType;
    auth?: AuthType;
    rateLimit?: number | string | { requests?: number | string; tokens?: number | string; by?: string } | null;
    [field: string]: unknown;
  }

  /** A security rule as the API shows it: secrets and key digests are never included. */
  export type SecurityRuleView = Omit<SecurityRule, 'jwt' | 'apiKeys'> & {
    jwt?: Omit<JwtConfig, 'secret'>;
    apiKeys?: { name: string; keyEnv?: string }[];
  };

  /**
   * A target as the API shows it: its URL without credentials, header values as `***` (they may be keys), and for a
   * provider target its settings without the held key.
   */
  export type TargetView = Omit<TargetConfig, 'provider'> & { provider?: Omit<ProviderTargetConfig, 'credential'> };

  /** A route as it runs (normalized by the config model), with the security rules that protect it. */
  export interface Route extends Omit<RouteConfig, 'targets'> {
    targets: TargetView[];
    security: SecurityRuleView[];
  }

  export interface RouteChanges {
    added: string[];
    changed: string[];
    removed: string[];
  }

  /** `GET /api/v1/routes`. */
  export interface RouteList {
    routes: Route[];
  }

  /** `POST /api/v1/routes` (201), `PUT /api/v1/routes/{name}` (200). `warnings` are the config model's, e.g. plain http. */
  export interface RouteResult {
    route: Route;
    changes: RouteChanges;
    warnings: Diagnostic[];
    /** The gateway's config file, which the warnings' lines and columns point into. */
    file?: string;
  }

  /** `DELETE /api/v1/routes/{name}`: the security rules written for exactly its path go with it. */
  export interface RouteDeleted {
    removed: string;
    removedSecurity: string[];
    changes: RouteChanges;
  }

  /** `GET /api/v1/security`. */
  export interface SecurityList {
    security: SecurityRuleView[];
  }

  /** `PUT /api/v1/security/{endpoint}`: 201 when the rule was created, 200 when changed. */
  export interface SecurityResult {
    rule: SecurityRuleView;
    created: boolean;
    warnings: Diagnostic[];
    /** The gateway's config file, which the warnings' lines and columns point into. */
    file?: string;
  }

  /** `GET /api/v1/config` with `Accept: application/json` (YAML text otherwise). */
  export interface ConfigDocument {
    /** The file's data as written (`${VAR}` not expanded). */
    config: Record<string, unknown>;
    file?: string;
    /** sha256 of the file text, also sent as the ETag. */
    hash: string;
  }

  /** `PUT /api/v1/config`: what the new config changed, and its warnings. */
  export interface ApplyResult {
    changes: RouteChanges;
    warnings: Diagnostic[];
    /** The gateway's config file, which the warnings' lines and columns point into. */
    file?: string;
    hash: string;
  }

  /** Error body of the admin API: the runtime's shape; `diagnostics` are what `validate` prints, for `file`. */
  export interface ErrorResponse extends ErrorBody {
    error: ErrorBody['error'] & { file?: string };
  }

  /** `GET /healthz` (always 200 while the process runs) and `GET /readyz` (503 until a config is applied). */
  export interface Health {
    status: 'ok' | 'ready' | 'not-ready';
    configVersion?: number;
  }
  /** `GET /api/v1/metrics`: what the CLI's `metrics` and the editor's panels show, one entry per route. */
  export interface MetricsSummary {
    windowSeconds: number; // the recent window rates and percentiles are computed over
    routes: RouteMetricsSummary[];
  }
  export interface RouteMetricsSummary {
    route: string;
    count: number; // requests answered in the window
    rate: number; // requests per second over the window
    p50: number; // latency percentiles in ms
    p95: number;
    p99: number;
    errors: number; // answers with status >= 500 in the window
    errorRatio: number; // 0..1
    tokens: { prompt: number; completion: number; total: number };
    /** US dollars the window's requests cost (their usage at the price table's prices). */
    costUsd: number;
    /** Answers from the response cache in the window, and the lookups that found nothing. */
    cache: { hits: number; misses: number };
    targets?: { url: string; healthy: boolean }[];
  }

  /** `GET /api/v1/spend?by=...`: whose spending the report adds up. */
  export type SpendBy = 'consumer' | 'route' | 'model';

  /** `GET /api/v1/spend?by=consumer|route|model&period=month|day|YYYY-MM|YYYY-MM-DD` (default: by consumer, this month). */
  export interface SpendReport {
    by: SpendBy;
    /** The UTC day ("2026-07-14") or calendar month ("2026-07") reported. */
    period: string;
    periodKind: 'day' | 'month';
    totalUsd: number;
    requests: number;
    /** Most spent first; a model's key is "provider/model", a request without a consumer is "(anonymous)". */
    entries: { key: string; usd: number; requests: number }[];
  }

  /** `DELETE /api/v1/routes/{name}/cache`: the stored answers of the route removed (every replica's, with Redis). */
  export interface CachePurged {
    route: string;
    purged: number;
  }
}

/**
 * A custom LSP message's method with its types attached. Plain data, because the gateway runtime imports this module
 * too and has no use for a JSON-RPC library; the client and the server each make vscode-jsonrpc's `RequestType` or
 * `NotificationType` from it (`new RequestType<P, R, void>(message.method)`), so both sides are typed by this file.
 */
export interface LspRequest<P, R> {
  readonly method: string;
  /** Never set: it carries the types. */
  readonly types?: { params: P; result: R };
}
export interface LspNotification<P> {
  readonly method: string;
  /** Never set: it carries the type. */
  readonly types?: { params: P };
}

/**
 * Custom LSP messages between the extension's language client and the language server. The extension never parses a
 * gateway document itself: what it shows of one (routes view, CodeLens, Testing view, Validate Config) comes from the
 * server's analysis of the open document's current version, through these.
 */
export namespace Lsp {
  /** The language id the extension gives gateway documents (by file name, first line, or the user's `files.associations`). */
  export const languageId = 'ai-gateway-yaml';

  /** Names one open gateway document. */
  export interface DocumentParams {
    uri: string;
  }

  /**
   * A route of the document. The fields are the config model's normalized route (`target` as one target, methods in
   * upper case, `${VAR}` expanded), also while the document has errors: an entry with errors of its own is read as
   * far as it goes (a target without a URL or a test without a name is left out until it has one).
   */
  export interface Route extends Pick<RouteConfig, 'name' | 'path' | 'methods' | 'match' | 'example' | 'tests'> {
    /** Its place under `routes:`. */
    index: number;
    /** `provider` and `model` (the alias) for a target that names a provider. */
    targets: { url: string; weight: number; provider?: string; model?: string }[];
    /** The whole entry under `routes:`. */
    range: Range;
    /** Where each of `tests` is written, in the same order. */
    testRanges: Range[];
    /** Error diagnostics inside the entry (0 for a route the gateway would accept as written). */
    errors: number;
  }

  /** What the extension shows of one gateway document, for one version of it. */
  export interface DocumentModel {
    uri: string;
    version: number;
    /** `gateway.listen` resolved: the default 127.0.0.1:8080 when it is absent or not (yet) an address. */
    listen: { host: string; port: number };
    routes: Route[];
  }

  /** The document as `ai-gateway-cli validate` (and the gateway at start) judges it. */
  export interface Validation {
    uri: string;
    version: number;
    /** Unset environment variables are errors here, as when the gateway starts (the editor shows them as warnings). */
    diagnostics: Diagnostic[];
    /** Each diagnostic as `validate` prints it: `FILE:LINE:COL: severity: message [code]`. */
    lines: string[];
  }

  /** Client -> server: the document's routes, ranges and listen address; null when the server has no such gateway document open. */
  export namespace DocumentModelRequest {
    export const type: LspRequest<DocumentParams, DocumentModel | null> = { method: 'aiGateway/documentModel' };
  }

  /** Client -> server: validate the document for start (the "Validate Config" command); null as above. */
  export namespace ValidateRequest {
    export const type: LspRequest<DocumentParams, Validation | null> = { method: 'aiGateway/validate' };
  }

  /**
   * Server -> client: a new version of the document was analyzed (its diagnostics were just published). What the
   * client shows of it may have changed; it asks again with `DocumentModelRequest`, which the analysis already answers.
   */
  export namespace AnalysisChangedNotification {
    export const type: LspNotification<AnalysisChanged> = { method: 'aiGateway/analysisChanged' };
  }
  export interface AnalysisChanged {
    uri: string;
    version: number;
  }
}

/**
 * The traffic inspector, gateway -> client (admin API, the editor's Traffic view): the gateway keeps its recent requests
 * in a ring buffer in memory (never written anywhere) and streams them. Bodies are kept only when the gateway was
 * started with `ProcessEnv.trafficBodies` (the editor's local gateway) or records fixtures.
 */
export namespace Traffic {
  /**
   * `GET /api/v1/traffic` answers `text/event-stream`: first one `hello` event (`Hello`), then an `entry` event
   * (`Entry`) per request kept (oldest first), then one per request as it ends, and a `: ping` comment every 15 s.
   */
  export const helloEvent = 'hello';
  export const entryEvent = 'entry';

  export interface Hello {
    /** Whether this gateway keeps request and answer bodies (only the editor's local gateway does). */
    bodies: boolean;
    /** How many recent requests are kept. */
    capacity: number;
  }

  /** One request, as the Traffic view's row shows it. Fields filled by later stages (cost, cache, guardrail) may be absent. */
  export interface Entry {
    /** Increases by one per request this gateway process recorded. */
    seq: number;
    requestId: string;
    /** ISO time the request arrived. */
    time: string;
    method: string;
    /** Without the query string. */
    path: string;
    route?: string;
    consumer?: string;
    status: number;
    /** The upstream that answered (URL with credentials redacted), when the request went upstream. */
    target?: string;
    /** `gen_ai.provider.name` of that upstream, when known (openai, anthropic, gcp.gemini, aws.bedrock, azure.ai.openai). */
    provider?: string;
    /** The requested model, when known. */
    model?: string;
    tokens?: { prompt: number; completion: number; total: number };
    /** In US dollars, when the gateway knows the model's price. */
    cost?: number;
    durationMs: number;
    /** e.g. "hit", "miss". */
    cache?: string;
    /** e.g. "passed", "blocked", "redacted". */
    guardrail?: string;
    /** The answer was a server-sent event stream. */
    stream: boolean;
    /** The OpenTelemetry trace id, when tracing is on. */
    traceId?: string;
    /** `GET /api/v1/traffic/{requestId}` has the bodies. */
    bodies: boolean;
  }

  /** `GET /api/v1/traffic/{requestId}`: what went by, credentials redacted. */
  export interface Detail {
    entry: Entry;
    request: { method: string; path: string; query?: string; headers: Record<string, string>; body?: Body };
    /** Absent when the gateway answered before any upstream did (404, 401, 429...): `entry.status` says what it answered. */
    response?: { status: number; headers: Record<string, string>; body?: Body; events?: StreamEvent[] };
    /** The pipeline's decisions (route, auth, rate limit, upstream attempts). */
    trace: RequestTrace.Entry[];
  }

  /** A body as kept: UTF-8 text, or base64 when it is not text. */
  export interface Body {
    text?: string;
    base64?: string;
    /** The body's whole size. */
    bytes: number;
    /** Only the first `bytes kept` were kept (the gateway's size limit). */
    truncated: boolean;
  }

  /** One server-sent event of a streamed answer, `atMs` after the request arrived. */
  export interface StreamEvent {
    atMs: number;
    event?: string;
    data: string;
  }
}

/**
 * Webhooks, gateway -> each `callback:` URL: one JSON `Event` per POST. The body is signed with HMAC-SHA256 using
 * the secret in the env var named by `gateway.webhookSecretEnv`; receivers recompute it over the raw body.
 */
export namespace Webhook {
  /** `sha256=<hex>`; absent when no secret is configured. */
  export const signatureHeader = 'x-gateway-signature';
  export const eventHeader = 'x-gateway-event';
  /** The event id, the same on every retry of one event, so receivers can drop duplicates. */
  export const deliveryHeader = 'x-gateway-delivery';

  export type EventType = keyof EventData;

  export interface Event<T extends EventType = EventType> {
    id: string;
    type: T;
    time: string; // ISO time the event happened (for aggregates: the end of the window)
    data: EventData[T];
  }

  export interface TargetChange {
    route: string;
    target: string;
    source: 'circuit-breaker' | 'health-check';
    detail: string;
  }

  /** Refusals are counted over a window and sent once per window, not once per request. */
  export interface RefusalWindow {
    windowStart: string;
    windowEnd: string;
    count: number;
    routes: Record<string, number>;
    consumers: Record<string, number>; // "(anonymous)" for unauthenticated callers
  }

  export interface EventData {
    'config.applied': { version: number; routes: number; source?: string };
    'config.rejected': { source?: string; diagnostics: { message: string; code: string; line: number; character: number }[] };
    'target.down': TargetChange;
    'target.up': TargetChange;
    'ratelimit.exceeded': RefusalWindow & { limits: Record<string, number> }; // "requests" | "tokens" -> count
    'auth.failed': RefusalWindow & { kinds: Record<string, number> }; // "missing" | "invalid" | "forbidden" | "unavailable" -> count
    'guardrail.blocked': RefusalWindow & { guardrails: Record<string, number> }; // "pii" | "deny" | "maxPromptTokens" | ... -> count
    /** A budget's spending crossed its `alertAt` share; once per budget, key and period, across replicas. */
    'budget.threshold': BudgetEvent;
    /** A budget refused its first request of the period; once per budget, key and period, across replicas. */
    'budget.exhausted': BudgetEvent;
  }

  export interface BudgetEvent {
    /** The security rule's endpoint, and the budget as written ("50/month"). */
    endpoint: string;
    budget: string;
    by: 'consumer' | 'route';
    /** The consumer ("(anonymous)" for callers without one) or the route whose spending this is. */
    key: string;
    /** The UTC day or month ("2026-07"). */
    period: string;
    limitUsd: number;
    spentUsd: number;
    /** The share that triggered the event: the alertAt threshold, or 1 at exhaustion. */
    threshold: number;
  }
}

/**
 * gateway.workers: the primary process and its worker processes, over node:cluster's IPC channel (JSON). Each side
 * calls the other's methods and answers the other's calls; what one side sends in an event-loop turn travels as one
 * `Batch`. Workers ask the primary for what must be one across them (the config to start with, shared counters, the
 * aggregated /metrics); the primary asks each worker to apply a config and for the figures only it holds.
 */
export namespace Workers {
  export const batchType = 'ai-gateway:workers';
  /** On a request a worker forwards to the primary's admin socket: the address the client connected from. */
  export const clientAddressHeader = 'x-gateway-client-address';

  /** A rate-limit counter the primary keeps for all workers: `limit` points per `windowMs` per key. */
  export interface CounterSpec {
    keyPrefix: string;
    limit: number;
    windowMs: number;
  }
  /** A key's window after one operation, as the rate-limit stores report it. */
  export interface CounterCount {
    admitted: boolean;
    consumed: number;
    remaining: number;
    resetMs: number;
  }
  export interface CounterOperation {
    counter: CounterSpec;
    key: string;
    points: number;
  }

  /** A budget or spend period as it crosses the channel (cost/periods.ts Period). */
  export interface BudgetPeriod {
    kind: 'day' | 'month';
    id: string;
    startsAt: number;
    endsAt: number;
  }

  /** One Prometheus family as prom-client's `getMetricsAsJSON()` gives it, for `AggregatorRegistry.aggregate`. */
  export interface MetricFamily {
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
  }

  /** One route's recent window in a worker, in the raw form that adds up across workers (`GET /api/v1/metrics`). */
  export interface RouteWindow {
    route: string;
    count: number;
    errors: number;
    maxMs: number;
    promptTokens: number;
    completionTokens: number;
    /** Requests per latency bin (observability/requestStats.ts), the same bins in every worker. */
    latencyBins: number[];
    targets?: { url: string; healthy: boolean }[];
    /** What the window's requests cost (nano-dollars), and the response cache's hits and misses. */
    costNanoUsd: number;
    cacheHits: number;
    cacheMisses: number;
  }
  export interface StatsWindow {
    windowSeconds: number;
    /** Seconds the window really spans (shorter while the worker is younger than the window). */
    spanSeconds: number;
    routes: RouteWindow[];
  }

  /** What a worker is told to start with: the running config and where to listen (the CLI's --host/--port applied). */
  export interface StartWith {
    config: GatewayConfig;
    host: string;
    port: number;
    /** The primary's private socket the admin API is forwarded to (absent: gateway.admin.listen). */
    adminSocket?: string;
    /** The level the gateway logs at now (`PUT /api/v1/log-level` may have set it apart from the config's). */
    logLevel: LogLevel;
  }

  /** Worker -> primary calls. */
  export interface PrimaryMethods {
    /** The config to start with (and, from then on, this worker is sent every config the primary applies). */
    start: { params: Record<string, never>; result: StartWith };
    /** The worker's server is listening and it serves from now on, or it could not start (and exits). */
    started: { params: { url: string } | { error: string }; result: null };
    'counter.consume': { params: CounterOperation; result: CounterCount };
    'counter.adjust': { params: CounterOperation; result: CounterCount };
    /** A budget's counter (budgets/budgetCounters.ts), kept by the primary for all workers unless Redis keeps it. */
    'budget.reserve': { params: { key: string; amount: number; limit: number; period: BudgetPeriod }; result: { admitted: boolean; spent: number } };
    'budget.adjust': { params: { key: string; delta: number; period: BudgetPeriod }; result: number };
    /** True the first time any worker asks for `flag` in the period: a budget's webhook event goes out once. */
    'budget.once': { params: { flag: string; period: BudgetPeriod }; result: boolean };
    /**
     * The response cache's store, kept by the primary for all workers unless Redis keeps it (workers/sharedAnswers.ts).
     * Each stored answer has a version; a worker keeps copies of the answers it served and says which version it has
     * (`have`), and the answer crosses (as `EncodedAnswer`) only when the worker lacks that version. Null: not stored.
     */
    'cache.get': { params: { key: string; have?: number }; result: { version: number; answer?: EncodedAnswer } | null };
    /** Stores an answer; its version, for the worker's copy. */
    'cache.set': { params: { key: string; answer: EncodedAnswer; ttlMs: number }; result: number };
    'cache.nearest': {
      params: { namespace: string; vector: EncodedVector; minSimilarity: number };
      result: { key: string; similarity: number } | null;
    };
    'cache.addVector': { params: { namespace: string; key: string; vector: EncodedVector; ttlMs: number }; result: null };
    /** `GET /metrics`: every worker's families (and the primary's own) added up. */
    metrics: { params: Record<string, never>; result: { contentType: string; text: string } };
    /** A webhook event the primary sends for all workers (one dispatcher, one signature, one queue per URL). */
    'webhook.publish': { params: { type: Webhook.EventType; data: unknown; time: string }; result: null };
    /** One refusal, added to the primary's refusal windows (one `auth.failed` event per window, not one per worker). */
    'webhook.refusal': {
      params: { type: 'auth.failed' | 'ratelimit.exceeded' | 'guardrail.blocked'; route: string; consumer: string; reason: string };
      result: null;
    };
  }

  /** A stored answer in the cache's binary form (cache/cachedAnswer.ts `encodeAnswer`), base64: JSON carries it unescaped. */
  export type EncodedAnswer = string;
  /** A unit vector of a prompt (semantic cache): its float32s in this machine's byte order, base64. */
  export type EncodedVector = string;

  /** Primary -> worker calls. */
  export interface WorkerMethods {
    /** A config the primary's store accepted: applied by every worker, or by none (the primary rolls back). */
    apply: { params: { config: GatewayConfig; source: string }; result: { version: number } };
    logLevel: { params: { level: LogLevel }; result: null };
    /** prom-client's `getMetricsAsJSON()` of the worker's registry. */
    metricsJson: { params: Record<string, never>; result: MetricFamily[] };
    stats: { params: Record<string, never>; result: StatsWindow };
    trace: { params: { requestId: string }; result: RequestTrace.Record | null };
    /** What this worker booked (`GET /api/v1/spend` adds the workers' up; with Redis, any one reads them all). */
    spend: { params: { by: Admin.SpendBy; period: BudgetPeriod }; result: Admin.SpendReport };
    /** Removes stored answers under `prefix` from the store this worker uses (with Redis: the shared one); how many. */
    'cache.purge': { params: { prefix: string }; result: number };
    /** Stop accepting, finish what is in flight (within the grace period), then exit. */
    drain: { params: Record<string, never>; result: null };
  }

  export interface Call {
    id: number;
    method: string;
    params: unknown;
  }
  export interface Result {
    id: number;
    result?: unknown;
    error?: string;
  }
  export interface Batch {
    type: typeof batchType;
    calls?: Call[];
    results?: Result[];
  }
}
