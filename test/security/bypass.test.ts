// "No way around it": the bypass table sent byte for byte over a raw HTTP connection. Every spelling of
// a protected path gets the same security decision as the plain path (401 without credentials, 200 with, and
// the upstream sees the canonical path) or is refused outright (400/404).
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import jwt from 'jsonwebtoken';
import { configFrom, startGateway, startUpstream, type RunningGateway, type TestUpstream } from './support';

const JWT_SECRET = 'bypass-secret-0123456789abcdef-0123456789';
const KEY = 'sk-bypass-key-0123';

/** Sends `rawPath` exactly as written (fetch would normalize it first). */
function rawRequest(base: string, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method: 'POST', path: rawPath, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

describe('security: the bypass table', () => {
  let upstream: TestUpstream;
  let gateway: RunningGateway;
  let token = '';

  before(async () => {
    // Signed when the tests run, not when the file is loaded: a whole suite on a busy machine outlasts its 300 s.
    token = jwt.sign({ sub: 'bypass-tester', exp: Math.floor(Date.now() / 1000) + 300 }, JWT_SECRET);
    upstream = await startUpstream();
    const yaml = `
routes:
  - path: /predict
    methods: [POST]
    target: \${UPSTREAM}
  - path: /v1/*
    target: \${UPSTREAM}
security:
  - endpoint: /predict
    auth: jwt
    jwt: { secretEnv: JWT_SECRET }
`;
    const config = configFrom(yaml, { UPSTREAM: upstream.url, JWT_SECRET });
    // A rule narrower than its route; added here because the config loader wants every endpoint to equal a route.
    config.security.push({ endpoint: '/v1/secure/*', auth: 'api-key', apiKeys: [{ name: 'ops', sha256: createHash('sha256').update(KEY).digest('hex') }] });
    gateway = await startGateway(config);
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const variants = [
    '//predict',
    '/predict/',
    '/./predict',
    '/x/../predict',
    '/%70redict',
    '/predict%2F',
    '/PREDICT',
    '/predict?x',
    '/predict#x',
    '/%2e/predict',
    '/x/%2E%2E/predict',
    '///predict//',
    '/predict/.',
    '/predict/x/..',
    '/%2fpredict',
    '/predict%00',
    '/predict;x',
    'http://evil.example/predict',
  ];

  it('the plain path: 401 without a token, 200 with one', async () => {
    assert.equal((await rawRequest(gateway.url, '/predict')).status, 401);
    assert.equal((await rawRequest(gateway.url, '/predict', { authorization: `Bearer ${token}` })).status, 200);
  });

  for (const variant of variants) {
    it(`${variant}: the same decision as /predict, or refused`, async () => {
      const anonymous = await rawRequest(gateway.url, variant);
      assert.ok([401, 400, 404].includes(anonymous.status), `${variant} without a token answered ${anonymous.status}: ${anonymous.body}`);
      const before = upstream.seen.length;
      const authorized = await rawRequest(gateway.url, variant, { authorization: `Bearer ${token}` });
      if (anonymous.status === 401) {
        assert.equal(authorized.status, 200, `${variant} with a token answered ${authorized.status}`);
        const seenPath = upstream.seen.at(-1)?.url.split('?')[0];
        assert.equal(seenPath, '/predict', `the upstream saw ${seenPath}`);
      } else {
        assert.equal(authorized.status, anonymous.status, 'a refused spelling stays refused with a token');
        assert.equal(upstream.seen.length, before, 'a refused spelling never reaches the upstream');
      }
    });
  }

  const prefixed = ['/v1/secure/x', '/v1//secure/x', '/v1/./secure/x', '/v1/open/../secure/x', '/v1/%73ecure/x', '/v1/SECURE/x', '/v1/Secure/x/', '/v1/secure'];
  for (const variant of prefixed) {
    it(`${variant} under the public /v1/* route still needs the key of /v1/secure/*`, async () => {
      assert.equal((await rawRequest(gateway.url, variant)).status, 401);
      assert.equal((await rawRequest(gateway.url, variant, { 'x-api-key': KEY })).status, 200);
    });
  }

  it('/v1/secure%2Fx is refused rather than routed as the public /v1/secure%2Fx', async () => {
    assert.equal((await rawRequest(gateway.url, '/v1/secure%2Fx')).status, 400);
    assert.equal((await rawRequest(gateway.url, '/v1/open/x')).status, 200, 'the public part stays public');
  });
});
