// The semantic cache's embeddings: a prompt sent as an OpenAI embeddings request to a route of the same config,
// straight to one of that route's targets (its balancer, pool and health), not back through the gateway's own
// pipeline. A provider target is asked in its own API (its adapter builds the request with the key the gateway holds
// and reads the answer back into OpenAI's shape). The vector comes back of unit length, ready to compare.
import { TranslationError, UpstreamAnswerError } from '../providers';
import type { ProviderName } from '../providers/types';
import type { ConfigSnapshot } from '../gateway/snapshot';
import type { UpstreamTarget } from '../gateway/upstream/target';
import { unitVector } from './answerStore';
import type { EmbeddingsRoute } from './compileCache';

export class EmbeddingsUnavailable extends Error {}

export interface Embedding {
  vector: Float32Array;
  /** The target that answered (its URL without credentials), and the answer's usage and model: what it cost. */
  target: string;
  /** The provider of a provider target (else the target's URL tells it). */
  provider?: ProviderName;
  promptTokens?: number;
  model?: string;
}

interface Dispatch {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Reads a 2xx answer into OpenAI's shape. */
  read(text: string): unknown;
}

export async function embed(snapshot: ConfigSnapshot, embeddings: EmbeddingsRoute, text: string): Promise<Embedding> {
  const group = snapshot.upstreams.get(embeddings.route);
  const target = group?.balancer.pick(performance.now());
  if (!target) throw new EmbeddingsUnavailable(`the embeddings route "${embeddings.route}" has no healthy target`);
  const lease = target.lease();
  try {
    const request = { input: text, ...(embeddings.model ? { model: embeddings.model } : {}) };
    const dispatch = await dispatchFor(target, embeddings, request);
    const response = await target.pool.request({
      method: 'POST',
      path: dispatch.path,
      headers: dispatch.headers,
      body: dispatch.body,
      headersTimeout: embeddings.timeoutMs,
      bodyTimeout: embeddings.timeoutMs,
    });
    const answerText = await response.body.text();
    if (response.statusCode >= 300) throw new EmbeddingsUnavailable(`the embeddings route "${embeddings.route}" answered ${response.statusCode}`);
    const answer = dispatch.read(answerText) as EmbeddingsAnswer | undefined;
    const values = answer?.data?.[0]?.embedding;
    const vector = Array.isArray(values) && values.every((value) => typeof value === 'number') ? unitVector(values) : undefined;
    if (!vector) throw new EmbeddingsUnavailable(`the embeddings route "${embeddings.route}" did not answer an embedding`);
    return {
      vector,
      target: target.url,
      ...(target.provider ? { provider: target.provider.name } : {}),
      ...(typeof answer?.usage?.prompt_tokens === 'number' ? { promptTokens: answer.usage.prompt_tokens } : {}),
      ...(typeof answer?.model === 'string' ? { model: answer.model } : embeddings.model ? { model: embeddings.model } : {}),
    };
  } catch (err) {
    if (err instanceof EmbeddingsUnavailable) throw err;
    throw new EmbeddingsUnavailable(`the embeddings route "${embeddings.route}" failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    lease.release();
  }
}

/** The request as the target takes it: OpenAI's embeddings request, or a provider's own, translated by its adapter. */
async function dispatchFor(target: UpstreamTarget, embeddings: EmbeddingsRoute, request: Record<string, unknown>): Promise<Dispatch> {
  const binding = target.provider;
  if (!binding) {
    return {
      path: `${target.basePath}${embeddings.path}${target.query ? `?${target.query}` : ''}`,
      headers: { 'content-type': 'application/json', ...(target.authorization ? { authorization: target.authorization } : {}) },
      body: JSON.stringify(request),
      read: (text) => parseJson(text),
    };
  }
  try {
    const { request: upstream, exchange } = await binding.adapter.buildRequest('embeddings', request, binding.settings);
    if (!upstream.url.startsWith(binding.origin)) throw new EmbeddingsUnavailable(`the ${binding.name} adapter built a URL outside its target`);
    return {
      path: upstream.url.slice(binding.origin.length),
      headers: upstream.headers,
      body: upstream.body,
      read: (text) => binding.adapter.translateAnswer(exchange, text),
    };
  } catch (err) {
    if (err instanceof TranslationError || err instanceof UpstreamAnswerError) throw new EmbeddingsUnavailable(`${binding.name} cannot embed: ${err.message}`);
    throw err;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

interface EmbeddingsAnswer {
  data?: { embedding?: unknown }[];
  model?: unknown;
  usage?: { prompt_tokens?: unknown };
}
