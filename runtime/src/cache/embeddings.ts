// The semantic cache's embeddings: a prompt sent as an OpenAI embeddings request to a route of the same config,
// straight to one of that route's targets (its balancer, pool and health), not back through the gateway's own
// pipeline. The vector comes back of unit length, ready to compare.
import type { ConfigSnapshot } from '../gateway/snapshot';
import { unitVector } from './answerStore';
import type { EmbeddingsRoute } from './compileCache';

export class EmbeddingsUnavailable extends Error {}

export interface Embedding {
  vector: Float32Array;
  /** The target that answered (its URL without credentials), and the answer's usage and model: what it cost. */
  target: string;
  promptTokens?: number;
  model?: string;
}

export async function embed(snapshot: ConfigSnapshot, embeddings: EmbeddingsRoute, text: string): Promise<Embedding> {
  const group = snapshot.upstreams.get(embeddings.route);
  const target = group?.balancer.pick(performance.now());
  if (!target) throw new EmbeddingsUnavailable(`the embeddings route "${embeddings.route}" has no healthy target`);
  const lease = target.lease();
  try {
    const response = await target.pool.request({
      method: 'POST',
      path: `${target.basePath}${embeddings.path}${target.query ? `?${target.query}` : ''}`,
      headers: { 'content-type': 'application/json', ...(target.authorization ? { authorization: target.authorization } : {}) },
      body: JSON.stringify({ input: text, ...(embeddings.model ? { model: embeddings.model } : {}) }),
      headersTimeout: embeddings.timeoutMs,
      bodyTimeout: embeddings.timeoutMs,
    });
    const answer = (await response.body.json().catch(() => undefined)) as EmbeddingsAnswer | undefined;
    if (response.statusCode >= 300) throw new EmbeddingsUnavailable(`the embeddings route "${embeddings.route}" answered ${response.statusCode}`);
    const values = answer?.data?.[0]?.embedding;
    const vector = Array.isArray(values) && values.every((value) => typeof value === 'number') ? unitVector(values) : undefined;
    if (!vector) throw new EmbeddingsUnavailable(`the embeddings route "${embeddings.route}" did not answer an embedding`);
    return {
      vector,
      target: target.url,
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

interface EmbeddingsAnswer {
  data?: { embedding?: unknown }[];
  model?: unknown;
  usage?: { prompt_tokens?: unknown };
}
