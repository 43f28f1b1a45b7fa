// Public keys from an identity provider's JWKS URL (fetched and converted by `jwks-rsa`), kept by `kid`. A token
// whose `kid` is not in the set waits for the next fetch that starts after it arrived, and fetches start at most once
// per `minRefetchIntervalMs`, shared by everyone waiting. So tokens with made-up `kid`s cost the provider one fetch
// per interval however many there are, and cannot use up a budget a genuinely rotated key then finds spent: a token
// signed with a new key waits at most one interval (plus the fetch) and is accepted.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type jwksRsa from 'jwks-rsa';
import { AuthFailure, invalid } from './authFailure';

export interface JwksKeySource {
  readonly url: string;
  /** The verification key for `kid`; AuthFailure 'invalid' when unknown, 'unavailable' when the URL fails. */
  keyFor(kid: string | undefined, alg: string): Promise<KeyObject>;
}

export interface JwksOptions {
  /** Keys older than this are fetched again before use. */
  cacheMaxAgeMs: number;
  /** Fetches start at least this far apart (an unknown `kid` waits for the next one). */
  minRefetchIntervalMs: number;
  timeoutMs: number;
}

const DEFAULTS: JwksOptions = { cacheMaxAgeMs: 10 * 60_000, minRefetchIntervalMs: 5_000, timeoutMs: 5_000 };

interface PublishedKey {
  key: KeyObject;
  alg?: string;
}

interface KeySet {
  byKid: Map<string, PublishedKey>;
  /** The only key, for tokens without a `kid` (used only when the set has exactly one). */
  only?: PublishedKey;
}

interface Fetch {
  startedAt: number;
  done: Promise<void>;
}

export function createJwksKeySource(url: string, options: Partial<JwksOptions> = {}, now: () => number = Date.now): JwksKeySource {
  const { cacheMaxAgeMs, minRefetchIntervalMs, timeoutMs } = { ...DEFAULTS, ...options };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- jwks-rsa is loaded by the first JWKS rule, not at start
  const jwksClient = require('jwks-rsa') as typeof jwksRsa;
  const client = jwksClient({ jwksUri: url, cache: false, rateLimit: false, timeout: timeoutMs });
  let keys: KeySet | undefined;
  let fetchedAt = -Infinity;
  let latest: Fetch | undefined; // the fetch started last (running or done)
  let scheduled: Fetch | undefined; // the next one, when it had to wait for the interval

  const fetchKeys = async (): Promise<void> => {
    const signingKeys = await client.getSigningKeys();
    const byKid = new Map<string, PublishedKey>();
    for (const signingKey of signingKeys) {
      const declared = (signingKey as { alg?: unknown }).alg;
      const published = { key: createPublicKey(signingKey.getPublicKey()), ...(typeof declared === 'string' ? { alg: declared } : {}) };
      byKid.set(signingKey.kid ?? '', published);
    }
    keys = { byKid, ...(signingKeys.length === 1 ? { only: byKid.values().next().value as PublishedKey } : {}) };
    fetchedAt = now();
  };

  const start = (): Fetch => {
    const fetch: Fetch = { startedAt: now(), done: fetchKeys() };
    latest = fetch;
    return fetch;
  };

  /** A fetch that starts at or after `since`: the running one if it did, else the next one the interval allows. */
  const fetchStartingAfter = (since: number): Promise<void> => {
    if (latest && latest.startedAt >= since) return latest.done;
    if (scheduled) return scheduled.done;
    const wait = latest ? latest.startedAt + minRefetchIntervalMs - now() : 0;
    if (wait <= 0) return start().done;
    const next: Fetch = {
      startedAt: now() + wait,
      done: new Promise<void>((resolve) => setTimeout(resolve, wait).unref()).then(() => {
        scheduled = undefined;
        return start().done;
      }),
    };
    scheduled = next;
    return next.done;
  };

  const lookup = (kid: string | undefined): PublishedKey | undefined => (kid === undefined ? keys?.only : keys?.byKid.get(kid));

  return {
    url,
    async keyFor(kid, alg) {
      const arrivedAt = now();
      let found = arrivedAt - fetchedAt < cacheMaxAgeMs ? lookup(kid) : undefined;
      if (!found) {
        try {
          await fetchStartingAfter(arrivedAt);
        } catch {
          throw new AuthFailure('unavailable', 'signing keys could not be fetched');
        }
        found = lookup(kid);
      }
      if (!found) throw invalid('unknown signing key');
      if (found.alg !== undefined && found.alg !== alg) throw invalid('algorithm not allowed');
      return found.key;
    },
  };
}
