// The JWT refusal matrix on the compiled verifier (no socket needed), key files, and a JWKS URL served by a
// real local HTTP server whose keys rotate during the test.
import * as assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import type { JwtConfig } from '../../common/src/config/types';
import { AuthFailure } from '../../runtime/src/security/authFailure';
import { createJwksKeySource, type JwksOptions } from '../../runtime/src/security/jwksKeys';
import { compileJwtVerifier, loadJwtKeys, type JwtVerifier } from '../../runtime/src/security/jwtVerifier';
import { handMadeToken, nowSec, rsaKeys } from './support';

const SECRET = 'test-secret-that-is-long-enough-0123456789';

function jwtConfig(overrides: Partial<JwtConfig>): JwtConfig {
  return { algorithms: ['HS256'], consumerClaim: 'sub', clockToleranceSec: 0, requireExp: true, ...overrides };
}

function verifierFor(config: JwtConfig, jwks: Partial<JwksOptions> = {}, now: () => number = Date.now): JwtVerifier {
  return compileJwtVerifier(
    config,
    loadJwtKeys(config, 'security[0]', (url) => createJwksKeySource(url, jwks, now)),
    'security[0]',
  );
}

async function refusalOf(verifier: JwtVerifier, token: string): Promise<AuthFailure> {
  try {
    const identity = await verifier.verify(token);
    assert.fail(`token accepted for ${identity.consumer}`);
  } catch (err) {
    assert.ok(err instanceof AuthFailure, `not an AuthFailure: ${String(err)}`);
    return err;
  }
}

function writeTemp(name: string, content: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-jwt-'));
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('security: JWT verification', () => {
  const rsa = rsaKeys();
  const publicKeyFile = writeTemp('public.pem', rsa.publicPem);
  const hs = verifierFor(jwtConfig({ secret: SECRET, secretEnv: 'JWT_SECRET', audience: 'ai-clients', issuer: 'https://auth.example' }));
  const rs = verifierFor(jwtConfig({ publicKeyFile, algorithms: ['RS256'], audience: 'ai-clients' }));
  // Made when each test runs, not when the file loads: a whole suite on a busy machine outlasts any fixed expiry.
  const good = () => ({ sub: 'alice', aud: 'ai-clients', iss: 'https://auth.example', exp: nowSec() + 600 });

  it('accepts a good HS256 token and names the consumer from sub', async () => {
    const identity = await hs.verify(jwt.sign(good(), SECRET, { algorithm: 'HS256' }));
    assert.equal(identity.consumer, 'alice');
  });

  it('accepts a good RS256 token against the PEM public key file', async () => {
    const identity = await rs.verify(jwt.sign({ sub: 'bob', aud: 'ai-clients' }, rsa.privateKey, { algorithm: 'RS256', expiresIn: 60 }));
    assert.equal(identity.consumer, 'bob');
  });

  it('accepts ES256 and PS256 when listed, each with its own key type', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecFile = writeTemp('ec.pem', ec.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const es = verifierFor(jwtConfig({ publicKeyFile: ecFile, algorithms: ['ES256'] }));
    assert.equal((await es.verify(jwt.sign({ sub: 'ec-user' }, ec.privateKey, { algorithm: 'ES256', expiresIn: 60 }))).consumer, 'ec-user');
    const ps = verifierFor(jwtConfig({ publicKeyFile, algorithms: ['PS256'] }));
    assert.equal((await ps.verify(jwt.sign({ sub: 'ps-user' }, rsa.privateKey, { algorithm: 'PS256', expiresIn: 60 }))).consumer, 'ps-user');
  });

  it('takes the consumer from a configured claim', async () => {
    const verifier = verifierFor(jwtConfig({ secret: SECRET, consumerClaim: 'client_id' }));
    assert.equal((await verifier.verify(jwt.sign({ sub: 'x', client_id: 'svc-7' }, SECRET, { expiresIn: 60 }))).consumer, 'svc-7');
    const failure = await refusalOf(verifier, jwt.sign({ sub: 'x' }, SECRET, { expiresIn: 60 }));
    assert.equal(failure.reason, 'token has no client_id claim');
  });

  const matrix: [string, () => string, JwtVerifier | (() => JwtVerifier), string][] = [
    ['alg none (unsigned)', () => handMadeToken({ alg: 'none', typ: 'JWT' }, good()), () => hs, 'algorithm not allowed'],
    ['alg NoNe spelled oddly', () => handMadeToken({ alg: 'NoNe' }, good()), () => hs, 'algorithm not allowed'],
    [
      'an algorithm outside the allow-list (HS512 when only HS256 is listed)',
      () => jwt.sign(good(), SECRET, { algorithm: 'HS512' }),
      () => hs,
      'algorithm not allowed',
    ],
    [
      'HS256 signed with the RSA public key as secret (key confusion)',
      () => handMadeToken({ alg: 'HS256' }, { sub: 'mallory', aud: 'ai-clients', exp: nowSec() + 60 }, rsa.publicPem),
      () => rs,
      'algorithm not allowed',
    ],
    [
      'key confusion even when HS256 is in the allow-list but only a public key is configured',
      () => handMadeToken({ alg: 'HS256' }, { sub: 'mallory', exp: nowSec() + 60 }, rsa.publicPem),
      () => verifierFor(jwtConfig({ publicKeyFile, algorithms: ['RS256', 'HS256'] })),
      'algorithm not allowed',
    ],
    ['a bad signature', () => jwt.sign(good(), 'another-secret-0123456789abcdef'), () => hs, 'signature does not verify'],
    ['a tampered payload', () => tamper(jwt.sign(good(), SECRET), { ...good(), sub: 'admin' }), () => hs, 'signature does not verify'],
    ['exp in the past', () => jwt.sign({ ...good(), exp: nowSec() - 10 }, SECRET), () => hs, 'token expired'],
    ['nbf in the future', () => jwt.sign({ ...good(), nbf: nowSec() + 600 }, SECRET), () => hs, 'token not yet valid'],
    ['a wrong audience', () => jwt.sign({ ...good(), aud: 'someone-else' }, SECRET), () => hs, 'audience not accepted'],
    ['a wrong issuer', () => jwt.sign({ ...good(), iss: 'https://evil.example' }, SECRET), () => hs, 'issuer not accepted'],
    ['no sub claim', () => jwt.sign({ aud: 'ai-clients', iss: 'https://auth.example', exp: nowSec() + 60 }, SECRET), () => hs, 'token has no sub claim'],
    [
      'no exp (a token valid forever)',
      () => jwt.sign({ sub: 'alice', aud: 'ai-clients', iss: 'https://auth.example' }, SECRET),
      () => hs,
      'token has no expiry (exp)',
    ],
    ['iat in the future', () => jwt.sign({ ...good(), iat: nowSec() + 600 }, SECRET), () => hs, 'token issued in the future'],
    ['not a JWT at all', () => 'not-a-token', () => hs, 'malformed token'],
    ['a header that is not JSON', () => 'eyJhbGciOi.eyJzdWIiOiJ4In0.c2ln', () => hs, 'malformed token'],
    [
      'an RS256 token signed by another key pair',
      () => jwt.sign({ sub: 'x', aud: 'ai-clients' }, rsaKeys().privateKey, { algorithm: 'RS256', expiresIn: 60 }),
      () => rs,
      'signature does not verify',
    ],
  ];
  for (const [name, token, verifier, reason] of matrix) {
    it(`refuses ${name}`, async () => {
      const failure = await refusalOf(typeof verifier === 'function' ? verifier() : verifier, token());
      assert.equal(failure.kind, 'invalid');
      assert.equal(failure.status, 401);
      assert.equal(failure.reason, reason);
      assert.ok(!failure.reason.includes(SECRET));
    });
  }

  it('remembers a verified token only until it expires', async () => {
    let clockMs = Date.now();
    const config = jwtConfig({ secret: SECRET });
    const verifier = compileJwtVerifier(
      config,
      loadJwtKeys(config, 'security[0]', (url) => createJwksKeySource(url)),
      'security[0]',
      () => clockMs,
    );
    const token = jwt.sign({ sub: 'short-lived', exp: Math.floor(clockMs / 1000) + 2 }, SECRET);
    assert.equal((await verifier.verify(token)).consumer, 'short-lived');
    assert.equal((await verifier.verify(token)).consumer, 'short-lived', 'served again (from the cache)');
    clockMs += 3_000;
    assert.equal((await refusalOf(verifier, token)).reason, 'token expired');
  });

  it('honours the clock tolerance for exp and iat', async () => {
    const lenient = verifierFor(jwtConfig({ secret: SECRET, clockToleranceSec: 30 }));
    assert.equal((await lenient.verify(jwt.sign({ sub: 'late', exp: nowSec() - 5 }, SECRET))).consumer, 'late');
    assert.equal((await lenient.verify(jwt.sign({ sub: 'skewed', iat: nowSec() + 20, exp: nowSec() + 60 }, SECRET))).consumer, 'skewed');
    assert.equal((await refusalOf(lenient, jwt.sign({ sub: 'early', iat: nowSec() + 60, exp: nowSec() + 120 }, SECRET))).reason, 'token issued in the future');
  });

  it('accepts a token without exp only when jwt.requireExp is false', async () => {
    const forever = jwt.sign({ sub: 'legacy' }, SECRET);
    assert.equal((await refusalOf(verifierFor(jwtConfig({ secret: SECRET })), forever)).reason, 'token has no expiry (exp)');
    assert.equal((await verifierFor(jwtConfig({ secret: SECRET, requireExp: false })).verify(forever)).consumer, 'legacy');
  });

  it('refuses to compile an algorithm list no configured key can verify, naming the field', () => {
    assert.throws(() => verifierFor(jwtConfig({ algorithms: ['RS256'], secret: SECRET })), /security\[0\]\.jwt: no key for any of the algorithms RS256/);
    assert.throws(() => verifierFor(jwtConfig({ algorithms: ['none'], secret: SECRET })), /"none" is not a supported algorithm/);
    assert.throws(
      () => verifierFor(jwtConfig({ algorithms: ['RS256'], publicKeyFile: '/nonexistent/key.pem' })),
      /publicKeyFile: cannot use \/nonexistent\/key.pem \(ENOENT\)/,
    );
  });
});

describe('security: JWT keys from a JWKS URL', () => {
  let server: http.Server;
  let jwksUrl: string;
  let published: { kid: string; key: KeyObject }[] = [];
  let fetches = 0;

  before(async () => {
    server = http.createServer((_req, res) => {
      fetches += 1;
      const keys = published.map(({ kid, key }) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  after(() => server.close());

  it('verifies with the published key, caches it, and refetches on an unknown kid after a rotation', async () => {
    const first = rsaKeys();
    const second = rsaKeys();
    published = [{ kid: 'k1', key: first.publicKey }];
    fetches = 0;
    // The key source's clock, held still while a burst arrives: "at once" must not depend on how busy the machine is.
    let heldAt: number | undefined;
    const clock = (): number => heldAt ?? Date.now();
    const verifier = verifierFor(jwtConfig({ jwksUrl, algorithms: ['RS256'], issuer: 'https://idp.example' }), { minRefetchIntervalMs: 50 }, clock);
    const sign = (key: KeyObject, kid: string, sub: string): string =>
      jwt.sign({ sub, iss: 'https://idp.example' }, key, { algorithm: 'RS256', keyid: kid, expiresIn: 60 });

    assert.equal((await verifier.verify(sign(first.privateKey, 'k1', 'alice'))).consumer, 'alice');
    assert.equal((await verifier.verify(sign(first.privateKey, 'k1', 'alice'))).consumer, 'alice');
    assert.equal(fetches, 1, 'a known kid is served from the cache');

    published = [
      { kid: 'k1', key: first.publicKey },
      { kid: 'k2', key: second.publicKey },
    ];
    assert.equal((await verifier.verify(sign(second.privateKey, 'k2', 'bob'))).consumer, 'bob');
    assert.equal(fetches, 2, 'an unknown kid triggers one refetch');

    // Made-up kids, many at once: they share one refetch, each waiting for the first that starts after it arrived.
    const junkTokens = Array.from({ length: 10 }, (_, i) => sign(second.privateKey, `junk-${i}`, 'eve'));
    heldAt = Date.now();
    const arriving = junkTokens.map((token) => refusalOf(verifier, token)); // each reaches the key source before the first await
    heldAt = undefined;
    const junk = await Promise.all(arriving);
    assert.deepEqual(new Set(junk.map((f) => f.reason)), new Set(['unknown signing key']));
    assert.equal(fetches, 3, 'ten unknown kids at once cost the provider one fetch');

    const unknown = await refusalOf(verifier, sign(second.privateKey, 'k9', 'eve'));
    assert.equal(unknown.reason, 'unknown signing key');
    const forged = await refusalOf(verifier, sign(rsaKeys().privateKey, 'k1', 'eve'));
    assert.equal(forged.reason, 'signature does not verify');
    const confused = await refusalOf(verifier, handMadeToken({ alg: 'HS256', kid: 'k1' }, { sub: 'eve', exp: nowSec() + 60 }, first.publicPem));
    assert.equal(confused.reason, 'algorithm not allowed');
  });

  it('answers 503-kind "unavailable" when the JWKS URL cannot be reached, without leaking the URL', async () => {
    const unreachable = verifierFor(jwtConfig({ jwksUrl: 'http://127.0.0.1:1/jwks.json', algorithms: ['RS256'] }));
    const keys = rsaKeys();
    const failure = await refusalOf(unreachable, jwt.sign({ sub: 'x' }, keys.privateKey, { algorithm: 'RS256', keyid: 'a', expiresIn: 60 }));
    assert.equal(failure.kind, 'unavailable');
    assert.equal(failure.status, 503);
    assert.ok(!failure.reason.includes('127.0.0.1'));
  });
});

function tamper(token: string, payload: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
}
