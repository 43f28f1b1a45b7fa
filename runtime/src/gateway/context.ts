// The typed per-request state every middleware reads and writes (`ctx.state`), set up by `observe`.
import type { ParameterizedContext } from 'koa';
import type { Guardrails } from '../../../common/src/protocol';
import type { AnswerChecks } from '../guardrails/answerGuard';
import type { FrontDoor, ProviderName } from '../../../common/src/config';
import type { Operation } from '../providers';
import type { RequestSpan } from '../telemetry/requestSpan';
import type { RequestCapture } from '../traffic/requestCapture';
import { NO_PARAMS, type CompiledRoute, type RouteQuery } from './routing/compileRoutes';
import type { ConfigSnapshot } from './snapshot';
import type { CompletionCounter } from './upstream/completionCounter';
import type { UsageTap } from './upstream/usageTap';

export interface TraceEntry {
  stage: 'route' | 'auth' | 'rate-limit' | 'upstream' | 'response' | (string & {});
  outcome: string; // e.g. "matched", "rejected", "502 from http://..."
  detail?: string;
  atMs: number; // since the request arrived
  guardrail?: Guardrails.Verdict;
}

export interface RequestTimings {
  receivedAt: number; // performance.now() when the request arrived
  upstreamStartedAt?: number; // first attempt sent
  firstByteAt?: number; // response headers of the answering attempt
  upstreamMs?: number; // sum of time spent waiting on upstreams (all attempts)
  finishedAt?: number;
}

export interface UsageTokens {
  /** All prompt tokens, cached ones included. */
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Of the prompt tokens, those the provider read from its prompt cache (when it says). */
  cachedTokens?: number;
}

/**
 * The client's request in OpenAI's shape, parsed once for a route with provider targets (`providerRequest`): a Chat
 * Completions or Embeddings body, or an Anthropic Messages request already translated to Chat Completions. Every
 * provider target's request is built from it; middleware that reads or checks prompts should read it here.
 */
export interface OpenAIRequest {
  operation: Operation;
  body: Record<string, unknown>;
  /** What the client speaks, so the answer is translated back into it. */
  frontDoor: FrontDoor;
}

/**
 * The upstream side of a request, in one place for whoever reports or charges it (access log, traces, metrics, and
 * later cost and budgets, OpenTelemetry): the target that answered and, for a provider target, which provider and
 * model served it. `usage` (on the state) holds the tokens it reported, translated into OpenAI's terms.
 */
export interface UpstreamState {
  attempts: number;
  /** The answering (or last tried) target, its URL without credentials. */
  target?: string;
  status?: number;
  outcome?: string;
  /** Response body bytes relayed to the client (the access log's figure for a proxied answer). */
  bytesOut?: number;
  /** The provider of the target that served the request; absent for a plain URL target. */
  provider?: ProviderName;
  /** The model name sent to that provider (the target's alias, else the client's `model`). */
  model?: string;
}

/** What the response cache did with a request (`x-gateway-cache`, access log, trace, metrics). */
export interface CacheOutcome {
  result: 'hit' | 'miss' | 'bypass';
  /** Why it was bypassed or not stored, e.g. "no-cache", "not a JSON POST", "store unavailable", "too large". */
  reason?: string;
  /** A hit: seconds since the answer was stored, and what it cost then (US dollars, when priced). */
  ageSec?: number;
  savedUsd?: number;
  /** A hit: what a token limit is charged for it (the stored answer's tokens with `chargeHits`, else 0). */
  chargedTokens?: number;
  /** A semantic hit: the similarity of the stored prompt. */
  similarity?: number;
}

/** What a request cost, from its usage and the price of the model that served it (cost/requestCost.ts). */
export interface RequestCost {
  usd: number;
  nanoUsd: number;
  provider: string;
  model: string;
}

export interface GatewayState {
  requestId: string;
  /** The compiled config this request runs under, from start to end, even if a reload happens meanwhile. */
  snapshot: ConfigSnapshot;
  /** The path routing uses; `normalize` may rewrite it (decoded, dot segments resolved, slashes collapsed). */
  path: string;
  /** The query string with its `?` (or ''), as received: set by `normalize`, forwarded upstream untouched. */
  search: string;
  route?: CompiledRoute;
  /** Set by `route` when the route depends on the body's model: `routeByModel` decides it once authenticated. */
  pendingModelRoute?: RouteQuery;
  params: Readonly<Record<string, string>>;
  /** The request body, when a feature had to read it (model match); the proxy replays it upstream. */
  body?: Buffer;
  /** The start of a body read only in part (an unauthenticated model match): the proxy sends it, then the rest. */
  bodyPrefix?: Buffer[];
  /** The last body parsed as JSON and its value (undefined: not JSON), read through bodyJson.ts. */
  parsedBody?: { of: Buffer; json: unknown };
  /** Body bytes held in memory while the request was not authenticated (bounded by limits.maxPreAuthBufferSize). */
  unauthenticatedBufferedBytes: number;
  model?: string;
  /** Who is calling, set by `authenticate` (api-key name, JWT subject); used by limits, logs and metrics. */
  consumer?: string;
  /** True once `authenticate` accepted the request's credentials (never on a public endpoint). */
  authenticated: boolean;
  /** The header that carried the credential `authenticate` checked: not sent upstream unless the route forwards it. */
  credentialHeader?: 'authorization' | 'x-api-key';
  timings: RequestTimings;
  /** Set for routes with provider targets, before the proxy: see OpenAIRequest. */
  openAIRequest?: OpenAIRequest;
  upstream: UpstreamState;
  /** Token usage read from the response (`usage`; translated for provider targets), when an observer asked for it. */
  usage?: UsageTokens;
  /** What read `usage` from the answer; it also reads the answer's `model` when a cost needs it. */
  answerTap?: UsageTap;
  /** Set by rate-limit for a stream on a token-limited route that did not ask for usage: counts its deltas. */
  completion?: CompletionCounter;
  /** Pipeline decisions, collected only when the request asked for a trace (`x-gateway-trace: 1`). */
  trace?: TraceEntry[];
  /**
   * Headers a stage gives the answer, whoever writes it (RateLimit-*): the writers that write the head themselves (the
   * proxy's relay, a provider's translation, a cache hit) pass them in writeHead's object with the rest, so node takes
   * its fast path (setHeader before writeHead costs every header of the answer a second pass); observe sets them on
   * Koa's own answers. See upstream/headers.ts clientResponseHeaders.
   */
  answerHeaders?: Record<string, string>;
  /** Why the gateway refused the request itself; set by authenticate and rate-limit, counted by metrics and webhooks. */
  rejection?: Rejection;
  /** What the route's guardrails did, request and answer (access log, metrics, webhooks); undefined while none acted. */
  guardrailVerdicts?: Guardrails.Verdict[];
  /** Set by the guardrails stage on a route whose answers are checked: the proxy relays the answer through it. */
  answerGuard?: AnswerChecks;
  /** Set by the cache stage on a route with a cache. */
  cache?: CacheOutcome;
  /** Computed once the answer is over (null: no usage, or no price for its model); see cost/requestCost.ts. */
  cost?: RequestCost | null;
  /** The request's OpenTelemetry spans, when tracing is on (set by `inspect`). */
  span?: RequestSpan;
  /** The request and answer as they went by, when the Traffic view, a fixture recording or a span needs them (`inspect`). */
  capture?: RequestCapture;
  /** Set by the guardrails: how prompts and answers are redacted before a span records them (routes with recordContent). */
  contentRedaction?: (text: string) => string;
}

export type Rejection =
  | { by: 'auth'; kind: 'missing' | 'invalid' | 'forbidden' | 'unavailable'; reason: string }
  | { by: 'rate-limit'; limit: 'requests' | 'tokens' | 'auth-failures'; rate: string }
  | { by: 'budget'; budget: string; scope: 'consumer' | 'route' };

export type GatewayContext = ParameterizedContext<GatewayState>;

/**
 * A request's state with every field in place from the start (set by `observe`, replacing Koa's `{}`), so that all
 * requests share one object shape whichever stages set what. (Allocation per request measured the same either way.)
 */
export function newRequestState(requestId: string, snapshot: ConfigSnapshot, path: string, receivedAt: number): GatewayState {
  return {
    requestId,
    snapshot,
    path,
    search: '',
    route: undefined,
    pendingModelRoute: undefined,
    params: NO_PARAMS,
    body: undefined,
    bodyPrefix: undefined,
    parsedBody: undefined,
    unauthenticatedBufferedBytes: 0,
    model: undefined,
    consumer: undefined,
    authenticated: false,
    credentialHeader: undefined,
    openAIRequest: undefined,
    timings: { receivedAt, upstreamStartedAt: undefined, firstByteAt: undefined, upstreamMs: undefined, finishedAt: undefined },
    upstream: { attempts: 0, target: undefined, status: undefined, outcome: undefined, bytesOut: undefined, provider: undefined, model: undefined },
    usage: undefined,
    answerTap: undefined,
    completion: undefined,
    trace: undefined,
    rejection: undefined,
    guardrailVerdicts: undefined,
    answerGuard: undefined,
    cache: undefined,
    cost: undefined,
    span: undefined,
    capture: undefined,
    contentRedaction: undefined,
  };
}

export function addTrace(state: GatewayState, stage: TraceEntry['stage'], outcome: string, detail?: string): void {
  state.trace?.push({ stage, outcome, detail, atMs: round(performance.now() - state.timings.receivedAt) });
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
