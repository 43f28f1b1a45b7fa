"""What the admin API returns, as typed dictionaries: one per component schema of schemas/admin-api.openapi.json,
with the same name and keys (the tests hold them to it). Keys are the API's own camelCase names.

Optional keys live in a `total=False` subclass of a class holding the required ones (NotRequired is Python 3.11+).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict, Union

LogLevel = Literal["trace", "debug", "info", "warn", "error", "fatal", "silent"]
AuthType = Literal["jwt", "api-key", "none"]
MetricType = Literal["latency", "requests", "errors", "tokens"]
RetryTrigger = Union[int, Literal["connect-error", "timeout"]]
PiiKind = Literal["email", "phone", "credit-card", "iban", "ip", "secret"]
GuardrailName = Literal["pii", "deny", "maxPromptTokens", "models", "jsonSchema", "webhook"]


class Position(TypedDict):
    """Zero-based line and character, as LSP counts them."""

    line: int
    character: int


class Range(TypedDict):
    start: Position
    end: Position


class _Diagnostic(TypedDict):
    range: Range
    severity: Literal["error", "warning", "info", "hint"]
    code: str
    message: str
    path: list[Union[str, int]]


class Diagnostic(_Diagnostic, total=False):
    """What `ai-gateway-cli validate` prints: a position, severity, stable code ("route.shadowed") and message."""

    data: dict[str, Any]


class _ErrorDetail(TypedDict):
    type: str
    message: str


class ErrorDetail(_ErrorDetail, total=False):
    route: str
    requestId: str
    diagnostics: list[Diagnostic]
    file: str
    guardrail: GuardrailName


class ErrorResponse(TypedDict):
    error: ErrorDetail


class Rate(TypedDict):
    """`limit` events per `windowMs`; `source` is the text the config gave ("100/min")."""

    limit: int
    windowMs: int
    source: str


class _RateLimit(TypedDict):
    by: Literal["consumer", "ip", "route"]
    tokenEstimate: Literal["prompt", "none"]
    defaultMaxTokens: int


class RateLimit(_RateLimit, total=False):
    requests: Rate
    tokens: Rate


class _JwtView(TypedDict):
    algorithms: list[str]
    consumerClaim: str
    clockToleranceSec: float
    requireExp: bool


class JwtView(_JwtView, total=False):
    """A rule's JWT settings, without the secret."""

    secretEnv: str
    publicKeyFile: str
    jwksUrl: str
    audience: Union[str, list[str]]
    issuer: Union[str, list[str]]


class _ApiKeyView(TypedDict):
    name: str


class ApiKeyView(_ApiKeyView, total=False):
    """A consumer's API key by name and variable; never the key or its digest."""

    keyEnv: str


class BudgetConfig(TypedDict):
    """A spending limit in US dollars per UTC day or calendar month (`source` as written, e.g. "50/month")."""

    usd: float
    period: Literal["day", "month"]
    source: str
    by: Literal["consumer", "route"]
    alertAt: float


class _SecurityRuleView(TypedDict):
    endpoint: str
    auth: AuthType


class SecurityRuleView(_SecurityRuleView, total=False):
    methods: list[str]
    jwt: JwtView
    apiKeys: list[ApiKeyView]
    consumers: list[str]
    rateLimit: RateLimit
    budgets: list[BudgetConfig]


class _ProviderSettings(TypedDict):
    name: Literal["openai", "azure-openai", "anthropic", "gemini", "bedrock", "ollama", "openai-compatible"]


class ProviderSettings(_ProviderSettings, total=False):
    """A provider target's settings; the key it holds is never shown."""

    model: str
    apiKeyEnv: str
    apiVersion: str
    deployment: str
    region: str


class _Target(TypedDict):
    url: str
    weight: float


class Target(_Target, total=False):
    """URL credentials and header values read `***`."""

    ca: str
    headers: dict[str, str]
    provider: ProviderSettings


class RouteMatch(TypedDict, total=False):
    headers: dict[str, str]
    model: str


class RetryBackoff(TypedDict):
    baseMs: float
    maxMs: float
    maxRetryAfterMs: float


class HealthCheck(TypedDict):
    path: str
    intervalMs: float
    timeoutMs: float
    healthyThreshold: int
    unhealthyThreshold: int


class CircuitBreaker(TypedDict):
    consecutiveFailures: int
    errorRatio: float
    window: int
    coolDownMs: float


class RouteExample(TypedDict, total=False):
    method: str
    headers: dict[str, str]
    body: Any


class PiiGuardrail(TypedDict):
    type: Literal["pii"]
    action: Literal["redact", "block", "flag"]
    kinds: list[PiiKind]
    restore: bool


class WebhookGuardrail(TypedDict):
    type: Literal["webhook"]
    url: str
    timeoutMs: float
    onError: Literal["allow", "block"]
    cacheTtlMs: float
    headers: dict[str, str]


class Guardrails(TypedDict):
    """A route's guardrails as they run, in the order written (deny, maxPromptTokens, models, jsonSchema as plain dicts)."""

    request: list[Union[PiiGuardrail, WebhookGuardrail, dict[str, Any]]]
    response: list[Union[PiiGuardrail, WebhookGuardrail, dict[str, Any]]]


class _GuardrailVerdict(TypedDict):
    guardrail: GuardrailName
    phase: Literal["request", "response"]
    action: Literal["blocked", "redacted", "flagged"]


class GuardrailVerdict(_GuardrailVerdict, total=False):
    """What a guardrail did: kinds and counts, never the matched text."""

    kinds: dict[str, float]
    where: list[str]
    reason: str


class RouteTestExpect(TypedDict, total=False):
    status: int
    headers: dict[str, str]
    json: dict[str, Any]
    contains: dict[str, str]
    maxLatencyMs: float
    guardrail: Union[Literal["none"], dict[str, Any]]


class _RouteTest(TypedDict):
    name: str
    expect: RouteTestExpect


class RouteTest(_RouteTest, total=False):
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class _SemanticCacheConfig(TypedDict):
    similarity: float
    embeddingsRoute: str


class SemanticCacheConfig(_SemanticCacheConfig, total=False):
    embeddingsModel: str


class _CacheConfig(TypedDict):
    mode: Literal["exact", "semantic"]
    ttlMs: float
    by: Literal["consumer", "route", "global"]
    maxEntryBytes: float
    ignoreFields: list[str]
    keyHeaders: list[str]
    chargeHits: bool
    pace: bool


class CacheConfig(_CacheConfig, total=False):
    """A route's response cache as it runs (merged over gateway.cache and the defaults)."""

    semantic: SemanticCacheConfig


class RouteTelemetry(TypedDict):
    """What the route's spans carry: its prompts and answers only with recordContent."""

    recordContent: bool


class _Route(TypedDict):
    name: str
    path: str
    targets: list[Target]
    loadBalancing: Literal["round-robin", "weighted", "least-connections", "least-latency"]
    timeoutMs: float
    connectTimeoutMs: float
    firstByteTimeoutMs: float
    idleTimeoutMs: float
    retries: int
    retryOn: list[RetryTrigger]
    retryBackoff: RetryBackoff
    circuitBreaker: CircuitBreaker
    forwardCredentials: bool
    allowOverrideHeaders: list[str]
    frontDoor: Literal["openai", "anthropic"]
    tests: list[RouteTest]
    security: list[SecurityRuleView]


class Route(_Route, total=False):
    """A route as it runs (durations in ms, `target` as one target of weight 1), with the rules protecting it."""

    methods: list[str]
    match: RouteMatch
    healthCheck: HealthCheck
    stripPrefix: str
    telemetry: RouteTelemetry
    example: RouteExample
    guardrails: Guardrails
    cache: CacheConfig


class RouteChanges(TypedDict):
    """Route names a change added, changed and removed."""

    added: list[str]
    changed: list[str]
    removed: list[str]


class RouteList(TypedDict):
    routes: list[Route]


class _RouteResult(TypedDict):
    route: Route
    changes: RouteChanges
    warnings: list[Diagnostic]


class RouteResult(_RouteResult, total=False):
    """`file`: the gateway's config file, which the warnings' lines and columns point into."""

    file: str


class RouteDeleted(TypedDict):
    removed: str
    removedSecurity: list[str]
    changes: RouteChanges


class SecurityList(TypedDict):
    security: list[SecurityRuleView]


class _SecurityResult(TypedDict):
    rule: SecurityRuleView
    created: bool
    warnings: list[Diagnostic]


class SecurityResult(_SecurityResult, total=False):
    """`file`: the gateway's config file, which the warnings' lines and columns point into."""

    file: str


class _ConfigDocument(TypedDict):
    config: dict[str, Any]
    hash: str


class ConfigDocument(_ConfigDocument, total=False):
    """The config file's data as written (`${VAR}` not expanded) and the sha256 of its text (the ETag)."""

    file: str


class _ApplyResult(TypedDict):
    changes: RouteChanges
    warnings: list[Diagnostic]
    hash: str


class ApplyResult(_ApplyResult, total=False):
    """`file`: the gateway's config file, which the warnings' lines and columns point into."""

    file: str


class LogLevelResult(TypedDict):
    level: LogLevel
    persisted: bool


class _Health(TypedDict):
    status: Literal["ok", "ready", "not-ready"]


class Health(_Health, total=False):
    configVersion: int


class TokenCounts(TypedDict):
    prompt: int
    completion: int
    total: int


class TargetHealth(TypedDict):
    url: str
    healthy: bool


class CacheCounts(TypedDict):
    """Answers from the response cache in the window, and lookups that found nothing."""

    hits: int
    misses: int


class _RouteMetricsSummary(TypedDict):
    route: str
    count: int
    rate: float
    p50: float
    p95: float
    p99: float
    errors: int
    errorRatio: float
    tokens: TokenCounts
    costUsd: float
    cache: CacheCounts


class RouteMetricsSummary(_RouteMetricsSummary, total=False):
    """One route over the recent window: requests per second, latency percentiles in ms, 5xx answers, tokens."""

    targets: list[TargetHealth]


class MetricsSummary(TypedDict):
    windowSeconds: float
    routes: list[RouteMetricsSummary]


class _TraceEntry(TypedDict):
    stage: str
    outcome: str
    atMs: float


class TraceEntry(_TraceEntry, total=False):
    """One decision of the pipeline ("route", "auth", "rate-limit", "upstream", ...), `atMs` after arrival."""

    detail: str
    guardrail: GuardrailVerdict


class _TraceUpstream(TypedDict):
    attempts: int


class TraceUpstream(_TraceUpstream, total=False):
    target: str
    provider: str
    model: str
    upstreamMs: float
    ttfbMs: float
    outcome: str


class _TraceRecord(TypedDict):
    requestId: str
    startedAt: str
    method: str
    path: str
    status: int
    durationMs: float
    upstream: TraceUpstream
    entries: list[TraceEntry]


class TraceRecord(_TraceRecord, total=False):
    route: str
    consumer: str
    cache: str
    costUsd: float


SpendBy = Literal["consumer", "route", "model"]


class SpendEntry(TypedDict):
    """A consumer ("(anonymous)" without one), a route, or "provider/model", with what it spent."""

    key: str
    usd: float
    requests: int


class SpendReport(TypedDict):
    """What was spent in a UTC day ("2026-07-14") or month ("2026-07"), most first."""

    by: SpendBy
    period: str
    periodKind: Literal["day", "month"]
    totalUsd: float
    requests: int
    entries: list[SpendEntry]


class CachePurged(TypedDict):
    route: str
    purged: int


class TrafficHello(TypedDict):
    """The first event of `GET /traffic`: whether this gateway keeps bodies, and how many requests it keeps."""

    bodies: bool
    capacity: int


class _TrafficEntry(TypedDict):
    seq: int
    requestId: str
    time: str
    method: str
    path: str
    status: int
    durationMs: float
    stream: bool
    bodies: bool


class TrafficEntry(_TrafficEntry, total=False):
    """One recent request, as the editor's Traffic view lists it (`tokens`: prompt, completion, total)."""

    route: str
    consumer: str
    target: str
    provider: str
    model: str
    tokens: dict[str, int]
    cost: float
    cache: str
    guardrail: str
    traceId: str


class _TrafficBody(TypedDict):
    bytes: int
    truncated: bool


class TrafficBody(_TrafficBody, total=False):
    """A kept body: `text`, or `base64` when it is not text."""

    text: str
    base64: str


class _TrafficStreamEvent(TypedDict):
    atMs: float
    data: str


class TrafficStreamEvent(_TrafficStreamEvent, total=False):
    event: str


class _TrafficDetail(TypedDict):
    entry: TrafficEntry
    request: dict[str, Any]
    trace: list[TraceEntry]


class TrafficDetail(_TrafficDetail, total=False):
    """`GET /traffic/{requestId}`: the request and its answer (`status`, `headers`, `body`, `events`), credentials redacted."""

    response: dict[str, Any]
