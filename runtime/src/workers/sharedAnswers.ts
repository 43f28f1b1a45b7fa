// The response cache exact across worker processes without Redis: its one store lives in the primary (the same
// in-memory store a single process uses: one LRU, one byte bound, the same TTLs and semantic vectors), and every
// lookup of a worker asks it over the IPC channel, so what is stored, expired, evicted or purged is the same for all
// workers. The answers' bytes cross once per worker: each stored answer has a version, a worker keeps a copy of what
// it served or stored (an LRU of its own, within the same byte bound) and tells the primary which version it has; the
// answer crosses (binary, as base64) only when that is not the stored one. A primary that does not answer in time is an
// outage of the store (a miss, logged once and counted), as a Redis that does not answer is: never an error.
// docs/decisions.md, "The response cache across workers", has the figures.
import { LRUCache } from 'lru-cache';
import type { Workers } from '../../../common/src/protocol';
import type { AnswerStore, VectorIndex } from '../cache/answerStore';
import { answerSize, decodeAnswer, encodeAnswer, type CachedAnswer } from '../cache/cachedAnswer';
import type { StoreOutage } from '../stores/storeOutage';
import type { Handlers, IpcChannel } from './ipcChannel';

type AnswerMethods = Pick<Workers.PrimaryMethods, 'cache.get' | 'cache.set' | 'cache.nearest' | 'cache.addVector'>;

/** How long a worker waits for the primary's store before serving from the upstream (the primary is busy or hung). */
export const PRIMARY_STORE_TIMEOUT_MS = 1_000;

/** In the primary: the workers' calls, answered from `store` (the primary's memory store; none when Redis keeps them). */
export function sharedAnswerServices(kept: AnswerStore | undefined): Handlers<AnswerMethods> {
  const store = kept ?? inRedis;
  // Stored answers are never changed, only replaced: the object is the version.
  const versions = new WeakMap<CachedAnswer, number>();
  let lastVersion = 0;
  const versionOf = (answer: CachedAnswer): number => {
    let version = versions.get(answer);
    if (version === undefined) versions.set(answer, (version = ++lastVersion));
    return version;
  };
  return {
    'cache.get': async ({ key, have }) => {
      const answer = await store.get(key);
      if (!answer) return null;
      const version = versionOf(answer);
      return version === have ? { version } : { version, answer: encodeAnswer(answer).toString('base64') };
    },
    'cache.set': async ({ key, answer, ttlMs }) => {
      const decoded = decodeAnswer(Buffer.from(answer, 'base64'));
      if (!decoded) return 0;
      await store.set(key, decoded, ttlMs);
      return versionOf(decoded);
    },
    'cache.nearest': async ({ namespace, vector, minSimilarity }) => (await store.vectors.nearest(namespace, decodeVector(vector), minSimilarity)) ?? null,
    'cache.addVector': async ({ namespace, key, vector, ttlMs }) => {
      await store.vectors.add(namespace, key, decodeVector(vector), ttlMs);
      return null;
    },
  };
}

/**
 * In a worker: the primary's store, every operation through `outage` (a call unanswered in time fails it), with copies
 * of the answers this worker served or stored, at most `maxBytes` of them (gateway.cache.maxMemory).
 */
export function primaryAnswerStore(primary: IpcChannel<Workers.PrimaryMethods, Workers.WorkerMethods>, outage: StoreOutage, maxBytes: number): AnswerStore {
  const copies = new LRUCache<string, { version: number; answer: CachedAnswer }>({
    maxSize: Math.max(1, maxBytes),
    sizeCalculation: (copy) => answerSize(copy.answer),
  });
  const call = <K extends keyof AnswerMethods>(method: K, params: AnswerMethods[K]['params']): Promise<AnswerMethods[K]['result']> =>
    outage.run(() => primary.call(method, params, PRIMARY_STORE_TIMEOUT_MS));
  const vectors: VectorIndex = {
    nearest: async (namespace, vector, minSimilarity) => (await call('cache.nearest', { namespace, vector: encodeVector(vector), minSimilarity })) ?? undefined,
    add: async (namespace, key, vector, ttlMs) => {
      await call('cache.addVector', { namespace, key, vector: encodeVector(vector), ttlMs });
    },
  };
  return {
    kind: 'primary',
    async get(key) {
      const copy = copies.get(key);
      const found = await call('cache.get', copy ? { key, have: copy.version } : { key });
      if (!found) {
        if (copy) copies.delete(key); // expired, evicted or purged in the primary
        return undefined;
      }
      if (found.answer === undefined) return copy?.answer; // the primary answers without the bytes only when `have` matched
      const answer = decodeAnswer(Buffer.from(found.answer, 'base64'));
      if (answer) copies.set(key, { version: found.version, answer });
      return answer;
    },
    async set(key, answer, ttlMs) {
      const version = await call('cache.set', { key, answer: encodeAnswer(answer).toString('base64'), ttlMs });
      if (version > 0) copies.set(key, { version, answer });
    },
    // The admin API purges the primary's store itself; a worker is asked to purge only the Redis store.
    purge: () => Promise.resolve(0),
    usage: () => undefined, // the primary reports the store's size (its gauges are added to the workers' zeros)
    vectors,
    close: () => Promise.resolve(copies.clear()),
  };
}

/** What a worker would meet if it asked the primary for answers that Redis keeps (it does not: it uses Redis). */
const refuse = (): Promise<never> => Promise.reject(new Error('gateway.store.redis keeps the answers'));
const inRedis: AnswerStore = {
  kind: 'redis',
  get: refuse,
  set: refuse,
  purge: refuse,
  usage: () => undefined,
  vectors: { nearest: refuse, add: refuse },
  close: () => Promise.resolve(),
};

function encodeVector(vector: Float32Array): Workers.EncodedVector {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

function decodeVector(text: Workers.EncodedVector): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const vector = new Float32Array(Math.floor(bytes.length / 4));
  new Uint8Array(vector.buffer).set(bytes.subarray(0, vector.length * 4)); // copied: a Float32Array needs 4-byte alignment
  return vector;
}
