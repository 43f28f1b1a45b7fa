import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig, formatDiagnostic, parseRate, parseDuration, type Diagnostic } from '../../common/src/config';
import { repoRoot } from '../support/cli';

const fixture = (name: string) => readFileSync(path.join(repoRoot, 'test/fixtures', name), 'utf8');
/** "line:col code" with 1-based positions, as `validate` prints them. */
const where = (d: Diagnostic) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code}`;

describe('config model: loadConfig', () => {
  it("accepts the product card's example verbatim, warning that auth: jwt names no key", () => {
    const r = loadConfig(fixture('card-example.yaml'), { env: {} });
    assert.ok(r.config, 'config is produced');
    assert.deepEqual(r.diagnostics.map(where), ['7:11 security.jwtNoKey']);
    assert.equal(r.diagnostics[0]?.severity, 'warning');
    const route = r.config.routes[0];
    assert.equal(route?.name, 'predict');
    assert.deepEqual(route?.targets, [{ url: 'http://ai-service:8080', weight: 1 }]);
    assert.deepEqual(r.config.security[0]?.rateLimit?.requests, { limit: 100, windowMs: 60_000, source: '100/min' });
  });

  it('accepts the fuller form with no diagnostics when its variables are set', () => {
    const r = loadConfig(fixture('full.yaml'), { env: { JWT_SECRET: 's3cret-value-long-enough-for-hs256-0123456', TEAM_A_KEY: 'key-a' } });
    assert.deepEqual(r.diagnostics, []);
    const c = r.config;
    assert.ok(c);
    assert.equal(c.gateway.port, 8080);
    assert.deepEqual(
      c.routes.map((x) => x.name),
      ['chat', 'predict', 'research'],
    );
    assert.deepEqual(
      c.routes[0]?.targets.map((t) => t.weight),
      [2, 1],
    );
    assert.equal(c.routes[0]?.timeoutMs, 30_000);
    assert.deepEqual(c.routes[0]?.healthCheck?.intervalMs, 5_000);
    assert.deepEqual(c.routes[2]?.match, { headers: { 'x-team': 'research' }, model: 'gpt-4*' });
    const chatRule = c.security[1];
    assert.equal(chatRule?.rateLimit?.tokens?.limit, 100_000);
    assert.equal(chatRule?.apiKeys?.[0]?.name, 'team-a');
    assert.match(chatRule?.apiKeys?.[0]?.sha256 ?? '', /^[0-9a-f]{64}$/, 'the key is kept only as its digest');
    assert.equal(c.security[0]?.jwt?.secret, 's3cret-value-long-enough-for-hs256-0123456');
    assert.deepEqual(c.callbacks, [{ url: 'http://127.0.0.1:9999/webhook' }]);
  });

  it('unset secretEnv/keyEnv are warnings in the editor and errors at start', () => {
    const editor = loadConfig(fixture('full.yaml'), { env: {}, mode: 'editor' });
    assert.ok(editor.config);
    assert.deepEqual(editor.diagnostics.map(where), ['31:23 env.unset', '36:33 env.unset']);
    const start = loadConfig(fixture('full.yaml'), { env: {}, mode: 'start' });
    assert.equal(start.config, undefined);
    assert.deepEqual(
      start.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
      ['Environment variable JWT_SECRET is not set.', 'Environment variable TEAM_A_KEY is not set.'],
    );
  });

  it('points every problem of a bad file at its exact key or value, with messages a person wrote', () => {
    const r = loadConfig(fixture('bad.yaml'), { env: {} });
    assert.equal(r.config, undefined);
    const lines = r.diagnostics.map((d) => formatDiagnostic('bad.yaml', d));
    assert.deepEqual(lines, [
      'bad.yaml:3:3: error: Unknown key "logLevl" in "gateway". Did you mean "logLevel"? [schema.unknownKey]',
      'bad.yaml:6:11: warning: Route "chat" has no security entry, so anyone who can reach the gateway can use it. Add one (auth: none makes public access explicit), or set gateway.defaultAuth: deny to close every route no rule covers. [route.unprotected]',
      'bad.yaml:9:5: error: Set either "target" (one backend) or "targets" (several), not both. [route.targetAndTargets]',
      'bad.yaml:10:20: error: "round-robbin" is not a valid "loadBalancing": expected one of round-robin, weighted, least-connections, least-latency. Did you mean "round-robin"? [schema.enum]',
      'bad.yaml:11:14: error: "30 seconds" is not a duration: use a number of milliseconds or a value like 500ms, 30s, 5m, 1h. [schema.format]',
      'bad.yaml:12:11: error: Route name "chat" is already used by route 1 (/v1/chat). [route.duplicateName]',
      'bad.yaml:13:11: warning: Route "chat" has no security entry, so anyone who can reach the gateway can use it. Add one (auth: none makes public access explicit), or set gateway.defaultAuth: deny to close every route no rule covers. [route.unprotected]',
      'bad.yaml:14:13: error: "not a url" is not a URL: write it like http://host:port/path (or mock://openai for the built-in mock, replay://fixtures/ for recorded answers). [schema.format]',
      'bad.yaml:16:15: error: Security endpoint "/v1/chatt" matches no route, so it protects nothing. Did you mean "/v1/chat"? [security.unknownEndpoint]',
      'bad.yaml:17:11: warning: auth: api-key lists no apiKeys yet, so every request will be refused (401). Add apiKeys: [{ name, keyEnv }]. [security.noApiKeys]',
      'bad.yaml:18:16: error: "100/fortnight" is not a rate limit: use a count above 0, like 100 (per minute), 100/min, 10/s, 5000/hour, 1000/day, or { requests, tokens, by }. [schema.format]',
    ]);
    for (const d of r.diagnostics) assert.doesNotMatch(d.message, /oneOf|anyOf|must match/);
  });

  it('reports YAML syntax errors where they are', () => {
    const r = loadConfig('routes:\n  - path: /a\n    target: [unclosed\n', { env: {} });
    assert.equal(r.config, undefined);
    assert.ok(r.diagnostics.length > 0);
    assert.equal(r.diagnostics[0]?.code, 'yaml.unclosedFlow');
    assert.deepEqual(r.diagnostics[0]?.range.start, { line: 2, character: 12 }, 'the error is on the unclosed "["');
  });

  it('refuses a YAML alias bomb instead of expanding it (9^12 nodes: expanding would never finish)', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const r = loadConfig(lines.join('\n'), { env: {} });
    assert.equal(r.config, undefined);
    assert.ok(r.diagnostics.some((d) => d.code === 'yaml.aliases' || d.code === 'yaml.syntax'));
  });

  it('reads ${VAR} and ${VAR:-default} from the environment', () => {
    const text =
      'routes:\n  - path: /a\n    target: ${UPSTREAM}\n  - path: /b\n    target: ${OTHER:-http://127.0.0.1:9}\nsecurity:\n  - endpoint: /a\n    auth: none\n  - endpoint: /b\n    auth: none\n';
    const r = loadConfig(text, { env: { UPSTREAM: 'http://127.0.0.1:7000' } });
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.config?.routes[0]?.targets[0]?.url, 'http://127.0.0.1:7000');
    assert.equal(r.config?.routes[1]?.targets[0]?.url, 'http://127.0.0.1:9');
    const missing = loadConfig(text, { env: {}, mode: 'start' });
    assert.deepEqual(missing.diagnostics.map(where), ['3:13 env.unset']);
  });

  it('finds duplicate and shadowed routes', () => {
    const text = [
      'routes:',
      '  - { name: any-gpt, path: /v1/chat, match: { model: "gpt-*" }, target: mock://openai }',
      '  - { name: gpt4, path: /v1/chat, match: { model: "gpt-4*" }, target: mock://openai }',
      '  - { name: again, path: /v1/chat, match: { model: "gpt-*" }, target: mock://openai }',
      'security:',
      '  - { endpoint: /v1/chat, auth: none }',
    ].join('\n');
    const r = loadConfig(text, { env: {} });
    assert.deepEqual(r.diagnostics.map(where), ['3:25 route.shadowed', '4:26 route.duplicate']);
  });

  it('parses every rate and duration form the product card and the issues name', () => {
    assert.deepEqual(parseRate(100), { limit: 100, windowMs: 60_000, source: '100/min' });
    assert.equal(parseRate('10/s')?.windowMs, 1000);
    assert.equal(parseRate('5000/hour')?.windowMs, 3_600_000);
    assert.equal(parseRate('1000/day')?.windowMs, 86_400_000);
    assert.equal(parseRate('1/fortnight'), undefined);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('soon'), undefined);
  });

  it('warns about plaintext secrets and plain http to public hosts', () => {
    const text = [
      'routes:',
      '  - { path: /a, target: http://api.example.com/v1 }',
      'security:',
      '  - endpoint: /a',
      '    auth: api-key',
      '    apiKeys: [{ name: ci, key: hunter2 }]',
    ].join('\n');
    const r = loadConfig(text, { env: {} });
    assert.deepEqual(r.diagnostics.map(where), ['2:25 target.plaintext', '6:27 secret.plaintext']);
    assert.ok(r.config);
    for (const d of r.diagnostics) assert.ok(!d.message.includes('hunter2'), 'the secret is not repeated in messages');
  });

  it('accepts a security endpoint inside a broader prefix route, and a consumer allow-list', () => {
    const text = [
      'routes:',
      '  - { path: /v1/*, target: mock://openai }',
      'security:',
      '  - { endpoint: /v1/*, auth: none }',
      '  - endpoint: /v1/secure/*',
      '    auth: api-key',
      '    apiKeys: [{ name: ops, sha256: "' + 'a'.repeat(64) + '" }]',
      '    consumers: [ops]',
      '  - { endpoint: /v1/admin, auth: none }',
    ].join('\n');
    const r = loadConfig(text, { env: {} });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.config?.security[1]?.consumers, ['ops']);
  });

  it('says when scale-out settings cannot do what they say', () => {
    const base = 'routes:\n  - { path: /a, target: mock://openai }\nsecurity:\n  - { endpoint: /a, auth: none }\n';
    const cluster = loadConfig(`gateway:\n  cluster: { enabled: true }\n${base}`, { env: {} });
    assert.deepEqual(cluster.diagnostics.map(where), ['2:3 cluster.noStore']);
    const replicas = loadConfig(`gateway:\n  store:\n    redis: { url: redis://127.0.0.1:6379 }\n${base}`, { env: {} });
    assert.deepEqual(replicas.diagnostics.map(where), ['3:5 store.replicasUnset']);
    assert.equal(replicas.diagnostics[0]?.severity, 'info');
  });
});
