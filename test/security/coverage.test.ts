// What a config leaves open, said by the one config model (so `validate`, the editor and the runtime agree) and
// enforced by the real gateway over real sockets: letter case (routes and security endpoints match in any case, the
// same way), rules that contradict each other, rules without `auth`, `auth: none` with credentials listed, narrower
// public rules inside protected ones, method-scoped rules, and `gateway.defaultAuth: deny`.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Diagnostic } from '../../common/src/config';
import { runCli } from '../cli/support';
import { configFrom, request, startGateway, startUpstream, type RunningGateway, type TestUpstream } from './support';

const KEY = 'sk-coverage-test-key-0123456789';
const env = { UPSTREAM: 'http://127.0.0.1:9', ADMIN_KEY_ENV: KEY };

function diagnosticsOf(yaml: string): Diagnostic[] {
  return loadConfig(yaml, { env, mode: 'start' }).diagnostics;
}

const codes = (diagnostics: Diagnostic[]): string[] => diagnostics.map((d) => `${d.range.start.line + 1} ${d.severity} ${d.code}`);

const CASE_SPLIT = `
routes:
  - { path: /admin, target: "\${UPSTREAM}" }
  - { path: /Admin, target: "\${UPSTREAM}" }
security:
  - { endpoint: /admin, auth: none }
  - endpoint: /Admin
    auth: api-key
    apiKeys: [{ name: ops, keyEnv: ADMIN_KEY_ENV }]
`;

describe('security: what a config leaves open', () => {
  describe('letter case: one rule for routes and security endpoints', () => {
    it('refuses the attack run config: two routes and two rules that differ only in case, with different auth', () => {
      const diagnostics = diagnosticsOf(CASE_SPLIT);
      assert.deepEqual(codes(diagnostics), ['4 error route.duplicate', '7 error security.conflict']);
      assert.match(diagnostics[0]!.message, /duplicates route "admin".*paths match in any letter case/);
      assert.match(diagnostics[1]!.message, /"\/Admin" is the same route as "\/admin" in entry 1 .*auth api-key where that entry asks for none/);
    });

    it('validate prints the same errors and exits 1, and start refuses to run it', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'gw-case-'));
      const file = path.join(dir, 'case.gateway.yaml');
      writeFileSync(file, CASE_SPLIT);
      const run = await runCli(['validate', file], env);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stdout + run.stderr, /case\.gateway\.yaml:7:15: error: Endpoint "\/Admin" is the same route as "\/admin".*\[security\.conflict\]/);
      const start = await runCli(['start', '--config', file, '--port', '0'], env);
      assert.equal(start.code, 1);
      assert.match(start.stderr, /\[security\.conflict\][\s\S]*the gateway did not start/);
    });

    it('two param endpoints of one shape are the same route too', () => {
      const diagnostics = diagnosticsOf(`
routes:
  - { path: /models/:id, target: "\${UPSTREAM}" }
security:
  - { endpoint: /models/:id, auth: none }
  - { endpoint: /models/:name, auth: api-key, apiKeys: [{ name: ops, keyEnv: ADMIN_KEY_ENV }] }
`);
      assert.deepEqual(codes(diagnostics), ['6 error security.conflict']);
    });
  });

  describe('through the gateway', () => {
    let upstream: TestUpstream;
    before(async () => {
      upstream = await startUpstream();
    });
    after(async () => upstream?.close());

    async function gatewayFor(yaml: string): Promise<RunningGateway> {
      return startGateway(configFrom(yaml, { ...env, UPSTREAM: upstream.url }));
    }

    it('routes and secures every spelling of a path the same way, and sends the route its own spelling', async () => {
      const gateway = await gatewayFor(`
routes:
  - { path: /admin, target: "\${UPSTREAM}" }
  - { path: /v1/*, target: "\${UPSTREAM}" }
security:
  - { endpoint: /admin, auth: api-key, apiKeys: [{ name: ops, keyEnv: ADMIN_KEY_ENV }] }
  - { endpoint: /v1/*, auth: none }
`);
      try {
        for (const spelling of ['/admin', '/Admin', '/ADMIN', '/aDmIn']) {
          assert.equal((await request(`${gateway.url}${spelling}`)).status, 401, `${spelling} without a key`);
          const keyed = await request(`${gateway.url}${spelling}`, { headers: { 'x-api-key': KEY } });
          assert.equal(keyed.status, 200, `${spelling} with the key`);
          assert.equal(upstream.seen.at(-1)?.url, '/admin', 'the upstream sees the route as written');
        }
        assert.equal((await request(`${gateway.url}/V1/Chat/Completions`)).status, 200);
        assert.equal(upstream.seen.at(-1)?.url, '/v1/Chat/Completions', "the prefix is the route's, the rest as sent");
      } finally {
        await gateway.close();
      }
    });

    it('a rule without auth requires an API key (the schema default), with a warning when it lists none', async () => {
      const yaml = `
routes:
  - { path: /quiet, target: "\${UPSTREAM}" }
  - { path: /keyed, target: "\${UPSTREAM}" }
security:
  - { endpoint: /quiet, rateLimit: 100/min }
  - { endpoint: /keyed, apiKeys: [{ name: ops, keyEnv: ADMIN_KEY_ENV }] }
`;
      const diagnostics = diagnosticsOf(yaml);
      assert.deepEqual(codes(diagnostics), ['6 warning security.noApiKeys']);
      assert.match(diagnostics[0]!.message, /sets no auth, so \/quiet requires an API key .* write auth: none to make it public/);
      const gateway = await gatewayFor(yaml);
      try {
        assert.equal((await request(`${gateway.url}/quiet`)).status, 401, 'closed, as the warning says');
        assert.equal((await request(`${gateway.url}/keyed`)).status, 401);
        assert.equal((await request(`${gateway.url}/keyed`, { headers: { 'x-api-key': KEY } })).status, 200);
      } finally {
        await gateway.close();
      }
    });

    it('a method-scoped rule: the other methods are named as public, and gateway.defaultAuth: deny closes them', async () => {
      const rules = `
routes:
  - { path: /models, target: "\${UPSTREAM}" }
security:
  - { endpoint: /models, methods: [POST], auth: api-key, apiKeys: [{ name: ops, keyEnv: ADMIN_KEY_ENV }] }
`;
      const open = diagnosticsOf(rules);
      assert.deepEqual(codes(open), ['3 warning security.methodsUncovered']);
      assert.match(open[0]!.message, /covered only for POST .*: every method but POST reach it without a security rule and are public/);
      const openGateway = await gatewayFor(rules);
      try {
        assert.equal((await request(`${openGateway.url}/models`, { method: 'POST' })).status, 401);
        assert.equal((await request(`${openGateway.url}/models`)).status, 200, 'GET is public, as warned');
      } finally {
        await openGateway.close();
      }

      const closed = `gateway: { defaultAuth: deny }\n${rules}`;
      assert.deepEqual(codes(diagnosticsOf(closed)), [], 'nothing is left open, so nothing to warn about');
      const closedGateway = await gatewayFor(closed);
      try {
        assert.equal((await request(`${closedGateway.url}/models`, { method: 'POST' })).status, 401);
        const get = await request(`${closedGateway.url}/models`);
        assert.equal(get.status, 403);
        assert.match(String((get.json().error as { message: string }).message), /GET \/models is closed: no security rule covers/);
      } finally {
        await closedGateway.close();
      }
    });

    it('gateway.defaultAuth: deny closes a route no rule covers, and auth: none opens one on purpose', async () => {
      const yaml = `
gateway: { defaultAuth: deny }
routes:
  - { path: /forgotten, target: "\${UPSTREAM}" }
  - { path: /health, target: "\${UPSTREAM}" }
security:
  - { endpoint: /health, auth: none }
`;
      const diagnostics = diagnosticsOf(yaml);
      assert.deepEqual(codes(diagnostics), ['4 info route.closedByDefault']);
      const gateway = await gatewayFor(yaml);
      try {
        const before = upstream.seen.length;
        assert.equal((await request(`${gateway.url}/forgotten`)).status, 403);
        assert.equal(upstream.seen.length, before, 'never forwarded');
        assert.equal((await request(`${gateway.url}/health`)).status, 200);
      } finally {
        await gateway.close();
      }
    });

    it('without defaultAuth, a route no rule covers is public and each one is warned about', async () => {
      const yaml = `
routes:
  - { path: /forgotten, target: "\${UPSTREAM}" }
`;
      assert.deepEqual(codes(diagnosticsOf(yaml)), ['3 warning route.unprotected']);
      const gateway = await gatewayFor(yaml);
      try {
        assert.equal((await request(`${gateway.url}/forgotten`)).status, 200);
      } finally {
        await gateway.close();
      }
    });
  });

  describe('rules that say one thing and do another', () => {
    it('auth: none with apiKeys, jwt or consumers is an error naming what would never be checked', () => {
      const diagnostics = diagnosticsOf(`
routes:
  - { path: /predict, target: "\${UPSTREAM}" }
security:
  - endpoint: /predict
    auth: none
    apiKeys: [{ name: ops, keyEnv: ADMIN_KEY_ENV }]
    consumers: [ops]
`);
      assert.deepEqual(codes(diagnostics), ['6 error security.publicWithCredentials']);
      assert.match(diagnostics[0]!.message, /auth: none makes every method \/predict public, so its apiKeys and consumers would never be checked/);
    });

    it('a narrower auth: none inside a protected prefix is a warning naming the public part', () => {
      const diagnostics = diagnosticsOf(`
routes:
  - { path: /v1/*, target: "\${UPSTREAM}" }
security:
  - { endpoint: /v1/*, auth: api-key, apiKeys: [{ name: ops, keyEnv: ADMIN_KEY_ENV }] }
  - { endpoint: /v1/:x, auth: none }
`);
      assert.deepEqual(codes(diagnostics), ['6 warning security.publicOverride']);
      assert.match(diagnostics[0]!.message, /makes every method \/v1\/:x public, inside "\/v1\/\*" \(entry 1\), which requires api-key/);
    });
  });
});
