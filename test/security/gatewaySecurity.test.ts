// Authentication and rate limits through the real gateway over real sockets: status codes, WWW-Authenticate,
// JSON error bodies, RateLimit-* headers, 429s naming the limit, token budgets from JSON and SSE usage, and
// no secret in any answer or log line.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ADMIN_KEY, configFrom, request, startGateway, startUpstream, type RunningGateway, type TestUpstream } from './support';

const JWT_SECRET = 'jwt-secret-never-to-be-seen-0123456789';
const TEAM_A_KEY = 'sk-team-a-never-to-be-seen-9f8e7d';
const TEAM_B_KEY = 'sk-team-b-only-as-hash-1a2b3c';
const TEAM_C_KEY = 'sk-team-c-embeddings-only-4d5e6f';
const TEAM_D_KEY = 'sk-team-d-token-budget-7a8b9c';

const yaml = `
routes:
  - path: /predict
    methods: [POST]
    target: \${UPSTREAM}
  - path: /v1/chat/completions
    methods: [POST]
    target: \${UPSTREAM}
  - path: /v1/embeddings
    methods: [POST]
    target: \${UPSTREAM}
  - path: /public
    target: \${UPSTREAM}
  - path: /v1/models
    target: \${UPSTREAM}
security:
  - endpoint: /predict
    auth: jwt
    jwt: { secretEnv: JWT_SECRET, algorithms: [HS256], audience: ai-clients }
    rateLimit: 5/min
  - endpoint: /v1/chat/completions
    auth: api-key
    apiKeys:
      - { name: team-a, keyEnv: TEAM_A_KEY }
      - { name: team-b, sha256: ${createHash('sha256').update(TEAM_B_KEY).digest('hex')} }
      - { name: team-d, keyEnv: TEAM_D_KEY }
    rateLimit: { requests: 1000/min, tokens: 100/min, by: consumer, defaultMaxTokens: 16 }
  - endpoint: /v1/embeddings
    auth: api-key
    apiKeys:
      - { name: team-c, keyEnv: TEAM_C_KEY }
  - endpoint: /public
    auth: none
  - endpoint: /v1/models
    auth: jwt
    jwt: { secretEnv: JWT_SECRET, algorithms: [HS256], audience: ai-clients }
`;

describe('security: through the gateway', () => {
  let upstream: TestUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await startUpstream();
    const config = configFrom(yaml, { UPSTREAM: upstream.url, JWT_SECRET, TEAM_A_KEY, TEAM_C_KEY, TEAM_D_KEY });
    // `consumers` (an allow-list) is not in the YAML schema yet: set on the typed config.
    (config.security.find((rule) => rule.endpoint === '/v1/models') as { consumers?: string[] }).consumers = ['alice'];
    gateway = await startGateway(config);
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const token = (sub: string, extra: Record<string, unknown> = {}) =>
    jwt.sign({ sub, aud: 'ai-clients', exp: Math.floor(Date.now() / 1000) + 60, ...extra }, JWT_SECRET);
  const predict = (headers: Record<string, string>) =>
    request(`${gateway.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"x":1}' });
  const chat = (headers: Record<string, string>, body = '{"model":"m"}') =>
    request(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  describe('JWT', () => {
    it('passes a valid token through to the upstream', async () => {
      const response = await predict({ authorization: `Bearer ${token('jwt-ok')}` });
      assert.equal(response.status, 200);
      assert.equal(response.json().path, '/predict');
    });

    it('answers 401 with a bare Bearer challenge when there is no token', async () => {
      const response = await predict({});
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="ai-gateway"');
      const body = response.json() as { error: Record<string, unknown> };
      assert.equal(body.error.type, 'unauthorized');
      assert.equal(body.error.route, 'predict');
      assert.equal(typeof body.error.requestId, 'string');
    });

    it('answers 401 error="invalid_token" with a reason for an expired token', async () => {
      const response = await predict({ authorization: `Bearer ${token('late', { exp: Math.floor(Date.now() / 1000) - 60 })}` });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="ai-gateway", error="invalid_token", error_description="token expired"');
      assert.match(String((response.json() as { error: { message: string } }).error.message), /JWT refused: token expired/);
    });

    it('answers 401 for a token signed with another secret, and the body names no secret', async () => {
      const forged = jwt.sign({ sub: 'eve', aud: 'ai-clients' }, 'guessed-secret');
      const response = await predict({ authorization: `Bearer ${forged}` });
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token", error_description="signature does not verify"/);
      assert.ok(!response.text.includes(JWT_SECRET) && !response.text.includes(forged));
    });
  });

  it("answers 403 to a valid JWT whose consumer is not in the rule's consumers", async () => {
    assert.equal((await request(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${token('alice')}` } })).status, 200);
    const bob = await request(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${token('bob')}` } });
    assert.equal(bob.status, 403);
    assert.match((bob.json() as { error: { message: string } }).error.message, /consumer is not allowed/);
  });

  describe('API keys', () => {
    it('accepts a key in x-api-key and in Authorization: Bearer, from keyEnv and from a sha256', async () => {
      assert.equal((await chat({ 'x-api-key': TEAM_A_KEY })).status, 200);
      assert.equal((await chat({ authorization: `Bearer ${TEAM_A_KEY}` })).status, 200);
      assert.equal((await chat({ 'x-api-key': TEAM_B_KEY })).status, 200);
    });

    it('answers 401 for an unknown key and for no key', async () => {
      const unknown = await chat({ 'x-api-key': 'sk-made-up' });
      assert.equal(unknown.status, 401);
      assert.match(unknown.headers.get('www-authenticate') ?? '', /error="invalid_token", error_description="unknown API key"/);
      const none = await chat({});
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="ai-gateway"');
    });

    it('answers 403 for a genuine key of another endpoint', async () => {
      const response = await chat({ 'x-api-key': TEAM_C_KEY });
      assert.equal(response.status, 403);
      assert.equal((response.json() as { error: { type: string } }).error.type, 'forbidden');
      assert.equal(response.headers.get('www-authenticate'), null);
    });

    it('leaves a route with auth: none public', async () => {
      assert.equal((await request(`${gateway.url}/public`)).status, 200);
    });
  });

  describe('rate limits', () => {
    it('counts RateLimit-Remaining down, then answers 429 with Retry-After and the limit named', async () => {
      const auth = { authorization: `Bearer ${token('limited-user')}` };
      const remaining: string[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await predict(auth);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('ratelimit-limit'), '5');
        remaining.push(response.headers.get('ratelimit-remaining') ?? '');
        const reset = Number(response.headers.get('ratelimit-reset'));
        assert.ok(reset > 0 && reset <= 60, `RateLimit-Reset ${reset}`);
      }
      assert.deepEqual(remaining, ['4', '3', '2', '1', '0']);
      const refused = await predict(auth);
      assert.equal(refused.status, 429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      const body = refused.json() as { error: { type: string; message: string; route: string } };
      assert.equal(body.error.type, 'rate_limited');
      assert.match(body.error.message, /request rate limit 5\/min per consumer reached/);
      assert.equal(body.error.route, 'predict');
      assert.equal((await predict({ authorization: `Bearer ${token('another-user')}` })).status, 200, 'the limit is per consumer');
    });

    it('admits exactly N of 4N concurrent requests over real sockets', async () => {
      const auth = { authorization: `Bearer ${token('burst-user')}` };
      const statuses = await Promise.all(Array.from({ length: 20 }, () => predict(auth).then((r) => r.status)));
      assert.equal(statuses.filter((s) => s === 200).length, 5);
      assert.equal(statuses.filter((s) => s === 429).length, 15);
    });

    it('reserves max_tokens up front, charges tokens from the JSON usage, and refuses a request that no longer fits', async () => {
      const key = { 'x-api-key': TEAM_D_KEY };
      // Each body is 8 tokens of prompt estimate (30 bytes) plus its max_tokens.
      const first = await chat({ ...key, 'x-test-tokens': '80' }, '{"model":"m","max_tokens":80} ');
      assert.equal(first.status, 200);
      assert.equal((first.json().usage as { total_tokens: number }).total_tokens, 80);
      const second = await chat({ ...key, 'x-test-tokens': '10' }, '{"model":"m","max_tokens":10} ');
      assert.equal(second.status, 200, '80 used + 18 reserved fits in 100');
      const third = await chat({ ...key, 'x-test-tokens': '1' }, '{"model":"m","max_tokens":10} ');
      assert.equal(third.status, 429, '90 used + 18 reserved does not');
      assert.match((third.json() as { error: { message: string } }).error.message, /token rate limit 100\/min per consumer reached/);
      assert.ok(Number(third.headers.get('retry-after')) >= 1);
    });

    it('charges tokens from the usage chunk of an SSE stream', async () => {
      const key = { 'x-api-key': TEAM_B_KEY };
      const stream = await chat({ ...key, 'x-test-tokens': '120' }, '{"model":"m","stream":true,"max_tokens":50}');
      assert.equal(stream.status, 200);
      assert.match(stream.text, /"total_tokens":120/);
      const after = await chat({ ...key, 'x-test-tokens': '1' });
      assert.equal(after.status, 429);
    });
  });

  describe('secrets', () => {
    it('writes no token, key or secret into its logs', async () => {
      await predict({ authorization: `Bearer ${token('log-check')}` });
      await chat({ 'x-api-key': TEAM_A_KEY });
      await chat({ 'x-api-key': 'sk-wrong-key-in-logs?' });
      const logs = gateway.logs();
      assert.match(logs, /gateway listening/, 'the logs were captured');
      for (const secret of [JWT_SECRET, TEAM_A_KEY, TEAM_B_KEY, TEAM_C_KEY, 'sk-wrong-key-in-logs', token('log-check').split('.')[2] as string]) {
        assert.ok(!logs.includes(secret), `logs contain ${secret.slice(0, 6)}...`);
      }
    });

    it('shows no secret, key or key hash in metrics or the admin API', async () => {
      const admin = { authorization: `Bearer ${ADMIN_KEY}` };
      const pages = await Promise.all([
        request(`${gateway.url}/metrics`),
        request(`${gateway.url}/api/v1/security`, { headers: admin }),
        request(`${gateway.url}/api/v1/routes`, { headers: admin }),
      ]);
      assert.deepEqual(
        pages.map((page) => page.status),
        [200, 200, 200],
      );
      assert.match(pages[1]?.text ?? '', /JWT_SECRET/, 'the admin API names the variable');
      const teamBHash = createHash('sha256').update(TEAM_B_KEY).digest('hex');
      const teamAHash = createHash('sha256').update(TEAM_A_KEY).digest('hex');
      for (const page of pages) {
        for (const secret of [JWT_SECRET, TEAM_A_KEY, TEAM_B_KEY, TEAM_C_KEY, teamAHash, teamBHash]) {
          assert.ok(!page.text.includes(secret), `a page shows ${secret.slice(0, 6)}...`);
        }
      }
    });
  });
});
