// Authentication that holds against what the attack run tried, through the real gateway over real sockets: JWTs
// must expire and may not come from the future, a weak HMAC secret is refused by the config model, junk `kid`s
// cannot use up the refetches a rotated key needs (against a real JWKS server on loopback), and failed attempts
// are limited per client address, with the same headers as other limits, shared through a real Redis.
import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { loadConfig } from '../../common/src/config';
import { runCli } from '../cli/support';
import { startRedisServer, type RedisServer } from '../support/redisServer';
import { configFrom, nowSec, request, rsaKeys, startGateway, startUpstream, type RunningGateway, type TestUpstream } from './support';

const SECRET = 'auth-hardening-secret-of-32-bytes-or-more-0123';
const KEY = 'sk-auth-hardening-right-key-0123456789';

describe('security: authentication hardening', function () {
  this.timeout(30_000);
  let upstream: TestUpstream;
  before(async () => {
    upstream = await startUpstream();
  });
  after(async () => upstream?.close());

  describe('JWT defaults', () => {
    let gateway: RunningGateway;
    before(async () => {
      gateway = await startGateway(
        configFrom(
          `
routes:
  - { path: /predict, target: "\${UPSTREAM}" }
  - { path: /legacy, target: "\${UPSTREAM}" }
security:
  - { endpoint: /predict, auth: jwt, jwt: { secretEnv: SECRET, clockTolerance: 30s } }
  - { endpoint: /legacy, auth: jwt, jwt: { secretEnv: SECRET, requireExp: false } }
`,
          { UPSTREAM: upstream.url, SECRET },
        ),
      );
    });
    after(async () => gateway?.close());

    const call = (pathname: string, token: string) => request(`${gateway.url}${pathname}`, { headers: { authorization: `Bearer ${token}` } });
    const reason = (answer: { headers: Headers }) => /error_description="([^"]*)"/.exec(answer.headers.get('www-authenticate') ?? '')?.[1];

    it('refuses a token without exp unless jwt.requireExp is false', async () => {
      const forever = jwt.sign({ sub: 'legacy-client' }, SECRET);
      const refused = await call('/predict', forever);
      assert.equal(refused.status, 401);
      assert.equal(reason(refused), 'token has no expiry (exp)');
      assert.equal((await call('/legacy', forever)).status, 200);
      assert.equal((await call('/predict', jwt.sign({ sub: 'a' }, SECRET, { expiresIn: 60 }))).status, 200);
    });

    it('refuses a token issued in the future beyond the clock tolerance', async () => {
      const early = await call('/predict', jwt.sign({ sub: 'a', iat: nowSec() + 600, exp: nowSec() + 900 }, SECRET));
      assert.equal(early.status, 401);
      assert.equal(reason(early), 'token issued in the future');
      assert.equal((await call('/predict', jwt.sign({ sub: 'a', iat: nowSec() + 20, exp: nowSec() + 900 }, SECRET))).status, 200, 'within 30s');
    });

    it('refuses to run with an HMAC secret shorter than its algorithm needs, saying which and why', async () => {
      const yaml =
        'routes:\n  - { path: /p, target: "http://127.0.0.1:9" }\nsecurity:\n  - { endpoint: /p, auth: jwt, jwt: { secretEnv: SHORT, algorithms: [HS512] } }\n';
      const [diagnostic] = loadConfig(yaml, { env: { SHORT: SECRET }, mode: 'start' }).diagnostics;
      assert.equal(diagnostic?.code, 'security.jwtWeakSecret');
      assert.match(diagnostic?.message ?? '', /The secret in SHORT is shorter than 64 bytes, the least HS512 allows \(RFC 7518 §3\.2\): .* guessed offline/);
      assert.ok(!diagnostic?.message.includes(SECRET), 'the secret is not repeated');
      const dir = mkdtempSync(path.join(tmpdir(), 'gw-weak-'));
      const file = path.join(dir, 'weak.gateway.yaml');
      writeFileSync(file, yaml.replace('[HS512]', '[HS256]'));
      const start = await runCli(['start', '--config', file, '--port', '0'], { SHORT: 'x' });
      assert.equal(start.code, 1);
      assert.match(start.stderr, /shorter than 32 bytes, the least HS256 allows .*\[security\.jwtWeakSecret\]/);
    });
  });

  describe('a JWKS that rotates', () => {
    let jwks: http.Server;
    let jwksUrl: string;
    let published: { kid: string; key: KeyObject }[] = [];
    let fetches = 0;
    before(async () => {
      jwks = http.createServer((_req, res) => {
        fetches += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: published.map(({ kid, key }) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' })) }));
      });
      jwks.listen(0, '127.0.0.1');
      await once(jwks, 'listening');
      jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    });
    after(() => jwks.close());

    it('accepts a genuinely rotated key after ten junk kids, which cost the provider one fetch', async () => {
      const first = rsaKeys();
      const rotated = rsaKeys();
      published = [{ kid: 'k1', key: first.publicKey }];
      const gateway = await startGateway(
        configFrom(`routes:\n  - { path: /p, target: "\${UPSTREAM}" }\nsecurity:\n  - { endpoint: /p, auth: jwt, jwt: { jwksUrl: "${jwksUrl}" } }\n`, {
          UPSTREAM: upstream.url,
        }),
      );
      try {
        const sign = (key: KeyObject, kid: string) => jwt.sign({ sub: 'svc' }, key, { algorithm: 'RS256', keyid: kid, expiresIn: 60 });
        const call = (token: string) => request(`${gateway.url}/p`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
        assert.equal(await call(sign(first.privateKey, 'k1')), 200);
        assert.equal(fetches, 1);

        const junk = await Promise.all(Array.from({ length: 10 }, (_, i) => call(sign(rotated.privateKey, `junk-${i}`))));
        assert.deepEqual(junk, Array(10).fill(401));
        assert.equal(fetches, 2, 'ten junk kids at once: one refetch between them');

        published = [...published, { kid: 'k2', key: rotated.publicKey }];
        assert.equal(await call(sign(rotated.privateKey, 'k2')), 200, 'the rotated key is not starved by the junk');
        assert.equal(fetches, 3);
      } finally {
        await gateway.close();
      }
    });
  });

  describe('failed attempts per client address (gateway.limits.authFailures)', () => {
    const yaml = (limits: string, store = '') => `
gateway:
  limits: { ${limits} }${store}
routes:
  - { path: /v1/chat, target: "\${UPSTREAM}" }
  - { path: /public, target: "\${UPSTREAM}" }
security:
  - { endpoint: /v1/chat, auth: api-key, apiKeys: [{ name: ops, keyEnv: KEY }], rateLimit: 100/min }
  - { endpoint: /public, auth: none }
`;
    const chat = (gateway: RunningGateway, key: string) => request(`${gateway.url}/v1/chat`, { headers: { 'x-api-key': key } });

    it('the attack run: 150 wrong keys on a 100/min rule are 30 x 401, then 429 before any key is checked', async () => {
      const gateway = await startGateway(configFrom(yaml('maxBodySize: 10mb'), { UPSTREAM: upstream.url, KEY }));
      try {
        const answers = [];
        for (let i = 0; i < 150; i++) answers.push(await chat(gateway, `sk-guess-${i}`));
        assert.deepEqual(
          answers.slice(0, 30).map((a) => [a.status, a.headers.get('ratelimit-limit'), a.headers.get('ratelimit-remaining')]),
          Array.from({ length: 30 }, (_, i) => [401, '30', String(29 - i)]),
        );
        assert.deepEqual(new Set(answers.slice(30).map((a) => a.status)), new Set([429]));
        const blocked = answers[149]!;
        assert.ok(Number(blocked.headers.get('retry-after')) >= 1 && Number(blocked.headers.get('retry-after')) <= 60);
        assert.equal(blocked.headers.get('ratelimit-remaining'), '0');
        assert.match(String((blocked.json().error as { message: string }).message), /too many failed authentication attempts .*30\/min/);
        assert.equal((await chat(gateway, KEY)).status, 429, 'a right guess made meanwhile is refused too');
        assert.equal((await request(`${gateway.url}/public`)).status, 200, 'public endpoints stay open to that address');
      } finally {
        await gateway.close();
      }
    });

    it('counts only wrong credentials, and authFailures: false turns it off', async () => {
      const gateway = await startGateway(configFrom(yaml('authFailures: false'), { UPSTREAM: upstream.url, KEY }));
      try {
        const statuses = [];
        for (let i = 0; i < 40; i++) statuses.push((await chat(gateway, `sk-guess-${i}`)).status);
        assert.deepEqual(new Set(statuses), new Set([401]));
        assert.equal((await chat(gateway, KEY)).status, 200);
      } finally {
        await gateway.close();
      }
      const counting = await startGateway(configFrom(yaml('authFailures: 3/min'), { UPSTREAM: upstream.url, KEY }));
      try {
        for (let i = 0; i < 5; i++) assert.equal((await request(`${counting.url}/v1/chat`)).status, 401, 'no key at all is not a guess');
        assert.equal((await chat(counting, KEY)).status, 200);
      } finally {
        await counting.close();
      }
    });

    describe('with gateway.store.redis', () => {
      let redis: RedisServer;
      before(async () => {
        redis = await startRedisServer();
      });
      after(async () => redis?.stop());

      it('two replicas share the count: failures on one use up the address budget on the other', async () => {
        const store = `\n  store: { redis: { url: "${'${REDIS_URL}'}", keyPrefix: "auth-failures-test:" } }`;
        const config = () => configFrom(yaml('authFailures: 10/min', store), { UPSTREAM: upstream.url, KEY, REDIS_URL: redis.url });
        const [a, b] = [await startGateway(config()), await startGateway(config())];
        try {
          for (let i = 0; i < 6; i++) assert.equal((await chat(a, `sk-a-${i}`)).status, 401);
          const onB = [];
          for (let i = 0; i < 4; i++) onB.push(await chat(b, `sk-b-${i}`));
          assert.deepEqual(
            onB.map((answer) => answer.headers.get('ratelimit-remaining')),
            ['3', '2', '1', '0'],
            'B counts on from what A counted',
          );
          assert.equal((await chat(b, `sk-b-next`)).status, 429);
          // A learns of the block at that address's next failure there.
          const next = await chat(a, 'sk-a-next');
          assert.equal(next.status, 401);
          assert.equal(next.headers.get('ratelimit-remaining'), '0');
          assert.equal((await chat(a, KEY)).status, 429);
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
      });
    });
  });
});
