// API key checks for one security rule. Only SHA-256 digests are kept (the config loader hashes `keyEnv`
// values, or the config gives `sha256` directly), a presented key is hashed once and compared against every
// digest with `timingSafeEqual`, always all of them, so timing tells nothing about which key came close.
import * as crypto from 'node:crypto';
import type { ApiKeyConfig } from '../../../common/src/config';
import { AuthFailure, invalid } from './authFailure';

export interface ApiKeyVerifier {
  /** The consumer name of the key; AuthFailure when unknown here. */
  verify(presented: string): string;
}

export interface KnownKey {
  name: string;
  digest: Buffer;
}

// One-shot hashing (Node >= 20.12) skips the Hash object createHash builds for every presented key.
const oneShotHash = typeof crypto.hash === 'function' ? crypto.hash : undefined;

export function digestOf(key: string): Buffer {
  return oneShotHash ? oneShotHash('sha256', key, 'buffer') : crypto.createHash('sha256').update(key, 'utf8').digest();
}

export function compileApiKeys(keys: readonly ApiKeyConfig[], where: string): KnownKey[] {
  return keys.map((key, index) => {
    if (key.sha256 === undefined || !/^[0-9a-f]{64}$/i.test(key.sha256)) {
      throw new Error(`${where}.apiKeys[${index}] (${key.name}): no usable key (set keyEnv to a defined variable, or sha256 to a hex digest)`);
    }
    return { name: key.name, digest: Buffer.from(key.sha256, 'hex') };
  });
}

/**
 * `elsewhere` are the keys of the other security rules: such a key is genuine but not for this endpoint,
 * which is a 403 rather than a 401.
 */
export function compileApiKeyVerifier(own: readonly KnownKey[], elsewhere: readonly KnownKey[]): ApiKeyVerifier {
  return {
    verify(presented) {
      const digest = digestOf(presented);
      const name = findKey(own, digest);
      if (name !== undefined) return name;
      if (findKey(elsewhere, digest) !== undefined) throw new AuthFailure('forbidden', 'this API key is not allowed on this endpoint');
      throw invalid('unknown API key');
    },
  };
}

function findKey(keys: readonly KnownKey[], digest: Buffer): string | undefined {
  let found: string | undefined;
  for (const key of keys) {
    if (crypto.timingSafeEqual(key.digest, digest) && found === undefined) found = key.name;
  }
  return found;
}
