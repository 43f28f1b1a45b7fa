// The response cache exact across worker processes without Redis: its one store lives in the primary (the same
// in-memory store a single process uses: one LRU, one byte bound, the same TTLs and semantic vectors), and a worker's
// store asks the primary for every read and write over the IPC channel. An answer crosses in its binary form as
// base64; a primary that does not answer in time is an outage of the store (a miss, logged once and counted), as a
// Redis that does not answer is: never an error. docs/decisions.md, "The response cache across workers", has the figures.
import type { Workers } from '../../../common/src/protocol';
import type { AnswerStore, VectorIndex } from '../cache/answerStore';
import { decodeAnswer, encodeAnswer, type CachedAnswer } from '../cache/cachedAnswer';
import type { StoreOutage } from '../stores/storeOutage';
import type { Handlers, IpcChannel } from './ipcChannel';

type AnswerMethods = Pick<Workers.PrimaryMethods, 'cache.get' | 'cache.set' | 'cache.nearest' | 'cache.addVector'>;

/** How long a worker waits for the primary's store before serving from the upstream (the primary is busy or hung). */
export const PRIMARY_STORE_TIMEOUT_MS = 1_000;

/** In the primary: the workers' calls, answered from `store` (the primary's memory store; none when Redis keeps them). */
export function sharedAnswerServices(kept: AnswerStore | undefined): Handlers<AnswerMethods> {
  const store = kept ?? inRedis;
  // A stored answer is encoded once however often it is served (entries are never changed once stored).
  const encoded = new WeakMap<CachedAnswer, string>();
  return {
    'cache.get': async ({ key }) => {
      const answer = await store.get(key);
      if (!answer) return null;
      let text = encoded.get(answer);
      if (text === undefined) {
        text = encodeAnswer(answer).toString('base64');
        encoded.set(answer, text);
      }
      return text;
    },
    'cache.set': async ({ key, answer, ttlMs }) => {
      const decoded = decodeAnswer(Buffer.from(answer, 'base64'));
      if (decoded) await store.set(key, decoded, ttlMs);
      return null;
    },
    'cache.nearest': async ({ namespace, vector, minSimilarity }) => (await store.vectors.nearest(namespace, decodeVector(vector), minSimilarity)) ?? null,
    'cache.addVector': async ({ namespace, key, vector, ttlMs }) => {
      await store.vectors.add(namespace, key, decodeVector(vector), ttlMs);
      return null;
    },
  };
}

/** In a worker: the primary's store, every operation through `outage` (a call unanswered in time fails it). */
export function primaryAnswerStore(primary: IpcChannel<Workers.PrimaryMethods, Workers.WorkerMethods>, outage: StoreOutage): AnswerStore {
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
      const text = await call('cache.get', { key });
      return text === null ? undefined : decodeAnswer(Buffer.from(text, 'base64'));
    },
    async set(key, answer, ttlMs) {
      await call('cache.set', { key, answer: encodeAnswer(answer).toString('base64'), ttlMs });
    },
    // The admin API purges the primary's store itself; a worker is asked to purge only the Redis store.
    purge: () => Promise.resolve(0),
    usage: () => undefined, // the primary reports the store's size (its gauges are added to the workers' zeros)
    vectors,
    close: () => Promise.resolve(),
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
