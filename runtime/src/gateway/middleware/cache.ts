// cache: the route's response cache (runtime/src/cache), after the request guardrails (a request they refuse is never
// answered from the cache nor stored; the key is the body the upstream would be sent, after their redaction, so two
// prompts that redact alike share an answer whose placeholders each gets back its own originals in) and before the
// budget (a hit costs nothing). A hit is replayed without the upstream, through the request's answer guardrails; on a
// miss, the answer is recorded (as it entered the answer guardrails, cache/guardedAnswer.ts) and stored once it is
// complete and 2xx. `x-gateway-cache: hit | miss | bypass` on every answer of a cached route that reached this stage.
// Routes without a cache pass through with one lookup.
import type { Middleware, Next } from 'koa';
import type { AnswerTransform } from '../../guardrails/answerGuard';
import type { AnswerStore } from '../../cache/answerStore';
import { AnswerRecorder } from '../../cache/answerRecorder';
import { cachePart, type RouteCache } from '../../cache/compileCache';
import { cacheRequestOf, exactKey, parseCacheRequest, promptText, semanticNamespace, type CacheRequest, type KeyParts } from '../../cache/cacheKey';
import type { CachedAnswer } from '../../cache/cachedAnswer';
import { embed, EmbeddingsUnavailable, type Embedding } from '../../cache/embeddings';
import { guardHit, recordingGuardInput } from '../../cache/guardedAnswer';
import { inMessagesApi, UNCHECKED } from '../../cache/messagesDoor';
import { replayAnswer, servableFor, type Servable } from '../../cache/replay';
import { requestCost } from '../../cost/requestCost';
import { StoreUnavailable } from '../../stores/storeOutage';
import { addTrace, type CacheOutcome, type GatewayContext, type GatewayState } from '../context';
import { readWholeBody } from '../requestBody';

export const CACHE_HEADER = 'x-gateway-cache';

export interface CacheStageOptions {
  store: AnswerStore;
  /** An answer was stored (metrics). */
  onStored?(route: string, bytes: number): void;
  /** The embeddings route failed (logged at most once a minute by the caller). */
  onEmbeddingsFailure?(err: Error): void;
  /** A prompt was embedded for this request through `route` (its cost is booked to that route). */
  onEmbedded?(state: GatewayState, route: string, embedding: Embedding): void;
}

export function cache(options: CacheStageOptions): Middleware<GatewayState> {
  // Not async on the way through (no cache on the route): see normalize.ts.
  return function cacheMiddleware(ctx, next) {
    const route = ctx.state.route;
    const policy = route === undefined ? undefined : ctx.state.snapshot.part(cachePart).get(route.name);
    return policy === undefined ? next() : lookUpThenNext(ctx, next, policy, options);
  };
}

interface Lookup {
  key: string;
  request: CacheRequest;
  namespace?: string;
  prompt?: string;
  embedding?: Embedding;
}

async function lookUpThenNext(ctx: GatewayContext, next: Next, policy: RouteCache, options: CacheStageOptions): Promise<void> {
  const directives = cacheControl(ctx.get('cache-control'));
  if (ctx.method !== 'POST') return pass(ctx, next, { result: 'bypass', reason: 'not a POST' });
  // A provider route's request is keyed in OpenAI's shape (a Messages request as translated), as the guardrails left it.
  const openAIRequest = ctx.state.openAIRequest;
  let request: CacheRequest | undefined;
  if (openAIRequest) request = cacheRequestOf(openAIRequest.body);
  else {
    const read = await readWholeBody(ctx);
    if (read.kind === 'refused') return;
    if (read.kind === 'prefix') return pass(ctx, next, { result: 'bypass', reason: 'body larger than maxPreAuthBufferSize' });
    request = read.kind === 'whole' ? parseCacheRequest(read.body) : undefined;
  }
  if (!request) return pass(ctx, next, { result: 'bypass', reason: 'not a JSON object body' });

  const parts = keyParts(ctx, policy);
  const lookup: Lookup = { key: policy.prefix + exactKey(parts, request, policy.ignored), request };
  if (policy.semantic) {
    const prompt = promptText(request.body);
    if (prompt !== undefined) Object.assign(lookup, { prompt, namespace: `${policy.prefix}v:${semanticNamespace(parts, request, policy.ignored)}` });
  }
  if (!directives.noCache) {
    let found: { answer: CachedAnswer; servable: Servable; similarity?: number } | undefined;
    try {
      found = await find(ctx, policy, lookup, options);
    } catch (err) {
      if (!(err instanceof StoreUnavailable)) throw err;
      return pass(ctx, next, { result: 'bypass', reason: 'store unavailable' }); // to the upstream, as if uncached
    }
    if (found) return serveHit(ctx, policy, found);
  }

  const outcome: CacheOutcome = directives.noCache ? { result: 'bypass', reason: 'no-cache' } : { result: 'miss' };
  if (directives.noStore) outcome.reason = outcome.reason ? `${outcome.reason}, no-store` : 'no-store';
  const recorder = directives.noStore ? undefined : new AnswerRecorder(policy.config.maxEntryBytes);
  recorder?.install(ctx.res);
  if (recorder && ctx.state.openAIRequest?.frontDoor === 'anthropic') ctx.state.answerGuard ??= UNCHECKED; // stored in OpenAI's shape
  if (recorder && ctx.state.answerGuard) ctx.state.answerGuard = recordingGuardInput(ctx.state.answerGuard, recorder);
  await pass(ctx, next, outcome);
  if (recorder) await store(ctx, policy, lookup, recorder, options);
}

/** Answers on this route go through uncached (or not found): the outcome is told in the header, the trace and the log. */
function pass(ctx: GatewayContext, next: Next, outcome: CacheOutcome): Promise<void> {
  ctx.state.cache = outcome;
  ctx.set(CACHE_HEADER, outcome.result);
  addTrace(ctx.state, 'cache', outcome.result, outcome.reason);
  return next();
}

/** The stored answer for this request, exactly, else (a semantic cache) for the most similar prompt. */
async function find(
  ctx: GatewayContext,
  policy: RouteCache,
  lookup: Lookup,
  options: CacheStageOptions,
): Promise<{ answer: CachedAnswer; servable: Servable; similarity?: number } | undefined> {
  const exact = await options.store.get(lookup.key);
  const servable = exact && servableFor(exact, lookup.request);
  if (exact && servable) return { answer: exact, servable };
  if (!policy.semantic || lookup.namespace === undefined || lookup.prompt === undefined) return undefined;
  lookup.embedding = await embedding(ctx, policy, lookup, options);
  if (!lookup.embedding) return undefined;
  const nearest = await options.store.vectors.nearest(lookup.namespace, lookup.embedding.vector, policy.semantic.similarity);
  const similar = nearest && (await options.store.get(nearest.key));
  const reshaped = similar && servableFor(similar, lookup.request);
  return similar && reshaped ? { answer: similar, servable: reshaped, similarity: nearest.similarity } : undefined;
}

async function embedding(ctx: GatewayContext, policy: RouteCache, lookup: Lookup, options: CacheStageOptions): Promise<Embedding | undefined> {
  try {
    const embedding = await embed(ctx.state.snapshot, policy.semantic!.embeddings, lookup.prompt!);
    options.onEmbedded?.(ctx.state, policy.semantic!.embeddings.route, embedding);
    return embedding;
  } catch (err) {
    if (!(err instanceof EmbeddingsUnavailable)) throw err;
    addTrace(ctx.state, 'cache', 'no semantic lookup', err.message);
    options.onEmbeddingsFailure?.(err);
    return undefined;
  }
}

async function serveHit(ctx: GatewayContext, policy: RouteCache, found: { answer: CachedAnswer; servable: Servable; similarity?: number }): Promise<void> {
  const state = ctx.state;
  const { answer } = found;
  const ageSec = Math.max(0, Math.floor((Date.now() - answer.storedAt) / 1000));
  state.cache = {
    result: 'hit',
    ageSec,
    chargedTokens: policy.config.chargeHits ? (answer.usage?.totalTokens ?? 0) : 0,
    ...(answer.costUsd !== undefined ? { savedUsd: answer.costUsd } : {}),
    ...(found.similarity !== undefined ? { similarity: Math.round(found.similarity * 10_000) / 10_000 } : {}),
  };
  addTrace(state, 'cache', 'hit', `${ageSec}s old${found.similarity !== undefined ? `, similarity ${state.cache.similarity}` : ''}`);
  let servable = found.servable;
  let transform: AnswerTransform | undefined;
  const frontDoor = state.openAIRequest?.frontDoor ?? 'openai';
  if (state.answerGuard?.active) {
    const guarded = await guardHit(ctx, state.answerGuard, servable, frontDoor);
    if (guarded.kind === 'refused') {
      ctx.set(CACHE_HEADER, 'hit');
      ctx.set('age', String(ageSec));
      return;
    }
    ({ servable, transform } = guarded);
  }
  if (frontDoor === 'anthropic') ({ servable, transform } = inMessagesApi(servable, transform, answer.model ?? state.model ?? ''));
  const replaying = replayAnswer(ctx, servable, ageSec, policy.config.pace, transform);
  const replayed = replaying instanceof Promise ? await replaying : replaying;
  state.upstream.bytesOut = replayed.bytes;
  state.upstream.outcome = replayed.kind === 'complete' ? 'cache-hit' : replayed.kind;
}

/** Stores the answer the client just got, when it is whole: a 2xx, relayed to its end, within maxEntrySize. */
async function store(ctx: GatewayContext, policy: RouteCache, lookup: Lookup, recorder: AnswerRecorder, options: CacheStageOptions): Promise<void> {
  const state = ctx.state;
  const outcome = state.cache!;
  const answer = recorder.answer();
  if (recorder.tooLarge) outcome.reason = `larger than maxEntrySize (${policy.config.maxEntryBytes} bytes): not stored`;
  if (!answer || ctx.respond !== false || state.upstream.outcome !== 'complete' || answer.status < 200 || answer.status >= 300) return;
  if (answer.kind === 'sse' && answer.chunks.some((chunk) => chunk.includes('event: error'))) return; // an error told mid-stream
  if (state.usage) answer.usage = state.usage;
  const cost = requestCost(state);
  if (cost) answer.costUsd = cost.usd;
  const model = state.upstream.model ?? state.model;
  if (model !== undefined) answer.model = model;
  try {
    await options.store.set(lookup.key, answer, policy.config.ttlMs);
    options.onStored?.(
      policy.route,
      answer.chunks.reduce((sum, chunk) => sum + chunk.length, 0),
    );
    if (lookup.namespace !== undefined && lookup.prompt !== undefined) {
      lookup.embedding ??= await embedding(ctx, policy, lookup, options);
      if (lookup.embedding) await options.store.vectors.add(lookup.namespace, lookup.key, lookup.embedding.vector, policy.config.ttlMs);
    }
  } catch (err) {
    if (!(err instanceof StoreUnavailable)) throw err;
    outcome.reason = 'store unavailable: not stored';
  }
}

function keyParts(ctx: GatewayContext, policy: RouteCache): KeyParts {
  const state = ctx.state;
  const config = policy.config;
  return {
    fingerprint: policy.fingerprint,
    route: config.by === 'global' ? undefined : policy.route,
    // Callers without a consumer (a public endpoint) are told apart by their address, never pooled.
    scope: config.by !== 'consumer' ? undefined : state.consumer !== undefined ? `consumer:${state.consumer}` : `ip:${ctx.ip}`,
    method: ctx.method,
    target: upstreamTarget(state),
    headers: config.keyHeaders.map((name) => ctx.get(name) || undefined),
  };
}

/** The path and query the upstream gets (the route's own spelling, after stripPrefix), as the proxy builds it. */
function upstreamTarget(state: GatewayState): string {
  let path = state.route ? state.route.pattern.canonical(state.path) : state.path;
  const stripPrefix = state.route?.config.stripPrefix;
  if (stripPrefix && path.startsWith(stripPrefix)) path = path.slice(stripPrefix.length) || '/';
  return `${path}${state.search.length > 1 ? state.search : ''}`;
}

export function cacheControl(header: string): { noCache: boolean; noStore: boolean } {
  const directives = header.toLowerCase();
  return { noCache: /(^|[\s,])no-cache\b/.test(directives), noStore: /(^|[\s,])no-store\b/.test(directives) };
}
