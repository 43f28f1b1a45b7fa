// JWT checks for one security rule, compiled when the config is applied: keys are loaded and the algorithm
// allow-list fixed then, so a request costs one header decode and one `jsonwebtoken.verify`. A token must expire
// (`exp`, unless jwt.requireExp is false) and may not be issued in the future (`iat` past the clock tolerance).
// Each algorithm family has its own key: HS* only ever the shared secret, RS*/PS*/ES* only the public key or
// the JWKS, which closes the HS-with-a-public-key confusion whatever the allow-list says.
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import type { JwtConfig } from '../../../common/src/config';
import { AuthFailure, invalid } from './authFailure';
import type { JwksKeySource } from './jwksKeys';

export interface JwtIdentity {
  consumer: string;
  claims: JwtPayload;
}

export interface JwtVerifier {
  verify(token: string): Promise<JwtIdentity>;
}

const SYMMETRIC = new Set(['HS256', 'HS384', 'HS512']);
const ASYMMETRIC = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512']);

export interface JwtKeys {
  secret?: KeyObject;
  publicKey?: KeyObject;
  jwks?: JwksKeySource;
}

/** Loads the keys a JwtConfig names; throws a message naming the field when one cannot be used. */
export function loadJwtKeys(config: JwtConfig, where: string, jwksFor: (url: string) => JwksKeySource): JwtKeys {
  const keys: JwtKeys = {};
  if (config.secret !== undefined) keys.secret = createSecretKey(Buffer.from(config.secret, 'utf8'));
  if (config.publicKeyFile !== undefined) {
    try {
      keys.publicKey = createPublicKey(readFileSync(config.publicKeyFile));
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? 'not a PEM public key or certificate';
      throw new Error(`${where}.jwt.publicKeyFile: cannot use ${config.publicKeyFile} (${why})`);
    }
  }
  if (config.jwksUrl !== undefined) keys.jwks = jwksFor(config.jwksUrl);
  return keys;
}

// Verified tokens are remembered (by their full text, signature included) so that a client sending the same token
// on every request pays for the signature check once. Entries end at the token's `exp` and after CACHE_MAX_AGE_MS,
// so a key dropped from a JWKS stops being honoured about as soon as jwks-rsa's own key cache would forget it.
const CACHE_MAX_ENTRIES = 10_000;
const CACHE_MAX_AGE_MS = 5 * 60_000;

interface CachedIdentity {
  identity: JwtIdentity;
  validUntilMs: number;
}

export function compileJwtVerifier(config: JwtConfig, keys: JwtKeys, where: string, now: () => number = Date.now): JwtVerifier {
  const allowed = new Set<string>();
  for (const alg of config.algorithms) {
    if (!SYMMETRIC.has(alg) && !ASYMMETRIC.has(alg)) throw new Error(`${where}.jwt.algorithms: "${alg}" is not a supported algorithm`);
    // An algorithm without a key of its family can never verify a token: leave it out of the allow-list.
    if (SYMMETRIC.has(alg) ? keys.secret : (keys.publicKey ?? keys.jwks)) allowed.add(alg);
  }
  if (allowed.size === 0 && (keys.secret || keys.publicKey || keys.jwks)) {
    throw new Error(`${where}.jwt: no key for any of the algorithms ${config.algorithms.join(', ')}`);
  }
  // `auth: jwt` naming no key yet (the product card's example, README's shortest config): valid config, and every token is refused.
  if (allowed.size === 0) return { verify: () => Promise.reject(invalid('no JWT key is configured for this endpoint yet')) };

  const options = {
    ...(config.audience !== undefined ? { audience: audienceOption(config.audience) } : {}),
    ...(config.issuer !== undefined ? { issuer: issuerOption(config.issuer) } : {}),
    clockTolerance: config.clockToleranceSec,
  };

  async function keyFor(alg: string, kid: string | undefined): Promise<KeyObject> {
    if (SYMMETRIC.has(alg)) return keys.secret as KeyObject;
    if (keys.publicKey) return keys.publicKey;
    return (keys.jwks as JwksKeySource).keyFor(kid, alg);
  }

  const verified = new Map<string, CachedIdentity>();
  const remember = (token: string, identity: JwtIdentity, atMs: number): void => {
    const exp = identity.claims.exp;
    const expiresMs = typeof exp === 'number' ? (exp + config.clockToleranceSec) * 1000 : Infinity;
    if (verified.size >= CACHE_MAX_ENTRIES) verified.delete(verified.keys().next().value as string);
    verified.set(token, { identity, validUntilMs: Math.min(expiresMs, atMs + CACHE_MAX_AGE_MS) });
  };

  return {
    async verify(token) {
      const atMs = now();
      const cached = verified.get(token);
      if (cached && atMs < cached.validUntilMs) return cached.identity;
      if (cached) verified.delete(token);

      const header = decodeHeader(token);
      if (!allowed.has(header.alg)) throw invalid('algorithm not allowed');
      const key = await keyFor(header.alg, header.kid);
      let claims: JwtPayload;
      try {
        const clockTimestamp = Math.floor(atMs / 1000);
        claims = jwt.verify(token, key, { ...options, clockTimestamp, algorithms: [header.alg as jwt.Algorithm] }) as JwtPayload;
      } catch (err) {
        throw invalid(reasonOf(err));
      }
      // jsonwebtoken checks `exp` and `nbf` only when present, and `iat` not at all.
      if (config.requireExp && typeof claims.exp !== 'number') throw invalid('token has no expiry (exp)');
      if (typeof claims.iat === 'number' && claims.iat > Math.floor(atMs / 1000) + config.clockToleranceSec) throw invalid('token issued in the future');
      const consumer: unknown = claims[config.consumerClaim];
      if (typeof consumer !== 'string' && typeof consumer !== 'number') throw invalid(`token has no ${config.consumerClaim} claim`);
      const identity = { consumer: String(consumer), claims };
      remember(token, identity, atMs);
      return identity;
    },
  };
}

function decodeHeader(token: string): { alg: string; kid?: string } {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.split('.').length !== 3) throw invalid('malformed token');
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
    if (typeof header.alg !== 'string') throw new Error('no alg');
    return { alg: header.alg, ...(typeof header.kid === 'string' ? { kid: header.kid } : {}) };
  } catch {
    throw invalid('malformed token');
  }
}

/** Fixed phrases only: jsonwebtoken's own messages may echo the expected audience or issuer. */
function reasonOf(err: unknown): string {
  if (err instanceof AuthFailure) return err.reason;
  if (err instanceof jwt.TokenExpiredError) return 'token expired';
  if (err instanceof jwt.NotBeforeError) return 'token not yet valid';
  const message = err instanceof Error ? err.message : '';
  if (message === 'invalid signature') return 'signature does not verify';
  if (message.startsWith('jwt audience invalid')) return 'audience not accepted';
  if (message.startsWith('jwt issuer invalid')) return 'issuer not accepted';
  if (message === 'invalid algorithm' || message.includes('must be a')) return 'algorithm not allowed';
  if (message === 'jwt malformed' || message === 'invalid token') return 'malformed token';
  return 'token rejected';
}

function audienceOption(audience: string | string[]): string | [string, ...string[]] {
  return Array.isArray(audience) ? (audience as [string, ...string[]]) : audience;
}

function issuerOption(issuer: string | string[]): string | [string, ...string[]] {
  return Array.isArray(issuer) ? (issuer as [string, ...string[]]) : issuer;
}
