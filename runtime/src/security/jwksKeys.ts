// Public keys from an identity provider's JWKS URL, through `jwks-rsa`: keys are cached by `kid`, an unknown
// `kid` fetches the set again (a key rotation), and refetches are rate limited so that tokens with made-up
// `kid`s cannot turn the gateway into a load generator against the provider.
import { createPublicKey, type KeyObject } from 'node:crypto';
import jwksClient, { type SigningKey } from 'jwks-rsa';
import { AuthFailure, invalid } from './authFailure';

export interface JwksKeySource {
  readonly url: string;
  /** The verification key for `kid`; AuthFailure 'invalid' when unknown, 'unavailable' when the URL fails. */
  keyFor(kid: string | undefined, alg: string): Promise<KeyObject>;
}

export interface JwksOptions {
  cacheMaxAgeMs: number;
  refetchesPerMinute: number;
  timeoutMs: number;
}

const DEFAULTS: JwksOptions = { cacheMaxAgeMs: 10 * 60_000, refetchesPerMinute: 10, timeoutMs: 5_000 };

export function createJwksKeySource(url: string, options: Partial<JwksOptions> = {}): JwksKeySource {
  const { cacheMaxAgeMs, refetchesPerMinute, timeoutMs } = { ...DEFAULTS, ...options };
  const client = jwksClient({
    jwksUri: url,
    cache: true,
    cacheMaxAge: cacheMaxAgeMs,
    cacheMaxEntries: 16,
    rateLimit: true,
    jwksRequestsPerMinute: refetchesPerMinute,
    timeout: timeoutMs,
  });
  // jwks-rsa hands back the same SigningKey object while cached: parse its PEM once.
  const parsed = new WeakMap<SigningKey, KeyObject>();

  return {
    url,
    async keyFor(kid, alg) {
      let signingKey: SigningKey;
      try {
        signingKey = await client.getSigningKey(kid);
      } catch (err) {
        throw failureOf(err);
      }
      const declaredAlg = (signingKey as { alg?: unknown }).alg;
      if (typeof declaredAlg === 'string' && declaredAlg !== alg) throw invalid('algorithm not allowed');
      let key = parsed.get(signingKey);
      if (!key) {
        key = createPublicKey(signingKey.getPublicKey());
        parsed.set(signingKey, key);
      }
      return key;
    },
  };
}

function failureOf(err: unknown): AuthFailure {
  const name = err instanceof Error ? err.name : '';
  if (name === 'SigningKeyNotFoundError') return invalid('unknown signing key');
  if (name === 'JwksRateLimitError') return invalid('unknown signing key');
  return new AuthFailure('unavailable', 'signing keys could not be fetched');
}
