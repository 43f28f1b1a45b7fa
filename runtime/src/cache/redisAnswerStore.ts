// Stored answers in Redis (gateway.store.redis), shared by every replica: one binary value per answer with the
// entry's TTL, and per semantic namespace one hash of prompt embeddings (8 bytes of expiry, then float32s). Every
// operation goes through the store's outage tracker: while Redis does not answer, the cache stage serves from the
// upstream (StoreUnavailable), and the outage is logged once and counted.
import type { Redis } from 'ioredis';
import { MAX_VECTORS_PER_NAMESPACE, nearestIn, type AnswerStore, type VectorIndex } from './answerStore';
import { decodeAnswer, encodeAnswer } from './cachedAnswer';
import type { StoreOutage } from '../stores/storeOutage';

/** Keys removed per UNLINK while purging. */
const PURGE_BATCH = 500;

export function createRedisAnswerStore(client: Redis, keyPrefix: string, outage: StoreOutage): AnswerStore {
  const key = (logical: string): string => `${keyPrefix}${logical}`;
  const vectors: VectorIndex = {
    async nearest(namespace, vector, minSimilarity) {
      const fields = await outage.run(() => client.hgetallBuffer(key(namespace)));
      const now = Date.now();
      const entries = new Map<string, { vector: Float32Array; expiresAt: number }>();
      for (const [field, value] of Object.entries(fields)) {
        if (value.length < 8 || (value.length - 8) % 4 !== 0) continue;
        const copy = new Float32Array((value.length - 8) / 4);
        for (let i = 0; i < copy.length; i++) copy[i] = value.readFloatLE(8 + i * 4);
        entries.set(field, { vector: copy, expiresAt: value.readDoubleLE(0) });
      }
      return nearestIn({ entries }, vector, minSimilarity, now);
    },
    async add(namespace, answerKey, vector, ttlMs) {
      const value = Buffer.alloc(8 + vector.length * 4);
      value.writeDoubleLE(Date.now() + ttlMs, 0);
      vector.forEach((component, i) => value.writeFloatLE(component, 8 + i * 4));
      const hash = key(namespace);
      const [[, size]] = (await outage.run(() => client.multi().hlen(hash).hset(hash, answerKey, value).pexpire(hash, ttlMs).exec())) as [[unknown, number]];
      if (size >= MAX_VECTORS_PER_NAMESPACE) await outage.run(() => trimVectors(client, hash));
    },
  };
  return {
    kind: 'redis',
    async get(logical) {
      const value = await outage.run(() => client.getBuffer(key(logical)));
      return value ? decodeAnswer(value) : undefined;
    },
    async set(logical, answer, ttlMs) {
      await outage.run(() => client.set(key(logical), encodeAnswer(answer), 'PX', Math.max(1, Math.round(ttlMs))));
    },
    purge: (prefix) => outage.run(() => purgeKeys(client, `${escapeGlob(key(prefix))}*`)),
    usage: () => undefined,
    vectors,
    close: () => Promise.resolve(),
  };
}

/** Keeps the newest half of a namespace's embeddings (the ones expiring last), once it is full. */
async function trimVectors(client: Redis, hash: string): Promise<void> {
  const fields = await client.hgetallBuffer(hash);
  const byExpiry = Object.entries(fields).sort(([, a], [, b]) => (a.length >= 8 ? a.readDoubleLE(0) : 0) - (b.length >= 8 ? b.readDoubleLE(0) : 0));
  const doomed = byExpiry.slice(0, byExpiry.length - Math.floor(MAX_VECTORS_PER_NAMESPACE / 2)).map(([field]) => field);
  if (doomed.length > 0) await client.hdel(hash, ...doomed);
}

async function purgeKeys(client: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', PURGE_BATCH);
    cursor = next;
    if (keys.length > 0) removed += await client.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}

/** Route names are [A-Za-z0-9_.-] and key prefixes are the operator's: neither should act as a glob. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}
