// Where stored answers live: in this process (an LRU bounded by bytes, lru-cache), in Redis (shared by replicas,
// redisAnswerStore.ts), or in a worker of gateway.workers, in its primary's memory (workers/sharedAnswers.ts). Keys are logical ("cache:ROUTE:HASH"); a store adds its own prefix. The semantic cache's
// prompt embeddings live beside the answers, in the same bound.
import { LRUCache } from 'lru-cache';
import { answerSize, type CachedAnswer } from './cachedAnswer';

export interface NearestVector {
  key: string;
  similarity: number;
}

export interface VectorIndex {
  /** The stored vector most like `vector` (both of unit length) under `namespace`, if one reaches `minSimilarity`. */
  nearest(namespace: string, vector: Float32Array, minSimilarity: number): Promise<NearestVector | undefined>;
  add(namespace: string, key: string, vector: Float32Array, ttlMs: number): Promise<void>;
}

export interface AnswerStore {
  readonly kind: 'memory' | 'redis' | 'primary';
  get(key: string): Promise<CachedAnswer | undefined>;
  set(key: string, answer: CachedAnswer, ttlMs: number): Promise<void>;
  /** Removes every answer and embedding whose key starts with `prefix`; resolves to how many went. */
  purge(prefix: string): Promise<number>;
  /** What the store holds, for the gauges; undefined where counting would cost a scan (Redis). */
  usage(): { entries: number; bytes: number } | undefined;
  readonly vectors: VectorIndex;
  close(): Promise<void>;
}

/** Vectors kept per namespace (the newest); a lookup compares with each. */
export const MAX_VECTORS_PER_NAMESPACE = 500;

class VectorSet {
  readonly entries = new Map<string, { vector: Float32Array; expiresAt: number }>();
  bytes = 0;
}

type Stored = CachedAnswer | VectorSet;

export function createMemoryAnswerStore(maxBytes: number): AnswerStore {
  const lru = new LRUCache<string, Stored>({
    maxSize: Math.max(1, maxBytes),
    sizeCalculation: (value) => (value instanceof VectorSet ? Math.max(1, value.bytes) : answerSize(value)),
    allowStale: false,
  });
  const vectors: VectorIndex = {
    nearest(namespace, vector, minSimilarity) {
      const set = lru.get(`${namespace}`);
      if (!(set instanceof VectorSet)) return Promise.resolve(undefined);
      return Promise.resolve(nearestIn(set, vector, minSimilarity, Date.now()));
    },
    add(namespace, key, vector, ttlMs) {
      const found = lru.get(namespace);
      const set = found instanceof VectorSet ? found : new VectorSet();
      const now = Date.now();
      for (const [stored, entry] of set.entries) if (entry.expiresAt <= now) set.entries.delete(stored);
      set.entries.delete(key);
      set.entries.set(key, { vector, expiresAt: now + ttlMs });
      while (set.entries.size > MAX_VECTORS_PER_NAMESPACE) set.entries.delete(set.entries.keys().next().value!);
      set.bytes = set.entries.size * (vector.byteLength + key.length + 32);
      lru.set(namespace, set, { ttl: ttlMs }); // re-set: its size changed, and it lives as long as its newest vector
      return Promise.resolve();
    },
  };
  return {
    kind: 'memory',
    get(key) {
      const value = lru.get(key);
      return Promise.resolve(value instanceof VectorSet ? undefined : value);
    },
    set(key, answer, ttlMs) {
      lru.set(key, answer, { ttl: ttlMs });
      return Promise.resolve();
    },
    purge(prefix) {
      const doomed = [...lru.keys()].filter((key) => key.startsWith(prefix));
      for (const key of doomed) lru.delete(key);
      return Promise.resolve(doomed.length);
    },
    usage: () => ({ entries: lru.size, bytes: lru.calculatedSize }),
    vectors,
    close: () => Promise.resolve(lru.clear()),
  };
}

/** The best unexpired match at or above `minSimilarity` (dot products of unit vectors: their cosine similarity). */
export function nearestIn(
  set: { entries: Map<string, { vector: Float32Array; expiresAt: number }> },
  vector: Float32Array,
  minSimilarity: number,
  now: number,
): NearestVector | undefined {
  let best: NearestVector | undefined;
  for (const [key, entry] of set.entries) {
    if (entry.expiresAt <= now || entry.vector.length !== vector.length) continue;
    const similarity = dot(entry.vector, vector);
    if (similarity >= minSimilarity && (!best || similarity > best.similarity)) best = { key, similarity };
  }
  return best;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** `vector` scaled to unit length (undefined for a zero vector, which is like nothing). */
export function unitVector(values: readonly number[]): Float32Array | undefined {
  let norm = 0;
  for (const value of values) norm += value * value;
  norm = Math.sqrt(norm);
  if (!(norm > 0) || !Number.isFinite(norm)) return undefined;
  return Float32Array.from(values, (value) => value / norm);
}
