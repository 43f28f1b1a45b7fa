// The config model's cost-control keys: a route's `cache` merged over `gateway.cache` and the defaults, `budget` in
// its short and list forms, `pricing` overrides, and the semantic rules (an embeddings route that exists and has an
// exact path; a budget per consumer on a public endpoint).
import { strict as assert } from 'node:assert';
import { loadConfig, type Diagnostic } from '../../common/src/config';

/** The findings of this area (route.unprotected warnings of the bare test configs left out). */
const codes = (diagnostics: Diagnostic[]): string[] =>
  diagnostics.filter((d) => d.code !== 'route.unprotected').map((d) => `${d.range.start.line + 1}:${d.code}`);

describe('config model: cache, budget, pricing', () => {
  it("merges a route's cache over gateway.cache and the defaults; false turns it off", () => {
    const r = loadConfig(
      `gateway:
  cache: { ttl: 1h, by: route, maxMemory: 8mb, keyHeaders: [X-Tenant] }
routes:
  - { name: a, path: /a, target: mock://openai }
  - { name: b, path: /b, target: mock://openai, cache: { ttl: 30s, ignoreFields: [seed] } }
  - { name: c, path: /c, target: mock://openai, cache: false }
`,
      { env: {} },
    );
    assert.deepEqual(codes(r.diagnostics.filter((d) => d.severity === 'error')), []);
    const [a, b, c] = r.config!.routes;
    assert.equal(r.config!.gateway.cache.maxMemoryBytes, 8 * 1024 * 1024);
    assert.deepEqual(a?.cache, {
      mode: 'exact',
      ttlMs: 3_600_000,
      by: 'route',
      maxEntryBytes: 1024 * 1024,
      ignoreFields: [],
      keyHeaders: ['x-tenant'],
      chargeHits: false,
      pace: false,
    });
    assert.equal(b?.cache?.ttlMs, 30_000);
    assert.equal(b?.cache?.by, 'route');
    assert.deepEqual(b?.cache?.ignoreFields, ['seed']);
    assert.equal(c?.cache, undefined);
  });

  it('caches only routes that say so when gateway.cache is not enabled', () => {
    const r = loadConfig(
      `gateway:
  cache: { enabled: false, maxMemory: 1mb }
routes:
  - { name: a, path: /a, target: mock://openai }
  - { name: b, path: /b, target: mock://openai, cache: true }
`,
      { env: {} },
    );
    assert.equal(r.config!.routes[0]?.cache, undefined);
    assert.equal(r.config!.routes[1]?.cache?.ttlMs, 600_000);
  });

  it('reads a semantic cache, and refuses one whose embeddings route is missing or not an exact path', () => {
    const base = `routes:
  - name: chat
    path: /v1/chat/completions
    target: mock://openai
    cache: { mode: semantic, similarity: 0.9, embeddings: { route: ROUTE, model: text-embedding-3-small } }
  - { name: embeddings, path: /v1/embeddings, target: mock://openai }
  - { name: any, path: /v2/*, target: mock://openai }
`;
    const good = loadConfig(base.replace('ROUTE', 'embeddings'), { env: {} });
    assert.deepEqual(good.config!.routes[0]?.cache?.semantic, { similarity: 0.9, embeddingsRoute: 'embeddings', embeddingsModel: 'text-embedding-3-small' });
    assert.deepEqual(codes(loadConfig(base.replace('ROUTE', 'embedings'), { env: {} }).diagnostics), ['5:cache.unknownEmbeddingsRoute']);
    assert.match(
      loadConfig(base.replace('ROUTE', 'embedings'), { env: {} }).diagnostics.find((d) => d.code === 'cache.unknownEmbeddingsRoute')!.message,
      /did you mean "embeddings"/,
    );
    assert.deepEqual(codes(loadConfig(base.replace('ROUTE', 'any'), { env: {} }).diagnostics), ['5:cache.embeddingsRoutePath']);
    const noRoute = loadConfig('routes:\n  - { path: /x, target: mock://openai, cache: { mode: semantic } }\n', { env: {} });
    assert.deepEqual(codes(noRoute.diagnostics), ['2:cache.semanticWithoutEmbeddings']);
  });

  it('reads budgets in their short and list forms, and says they are shared on a public endpoint', () => {
    const r = loadConfig(
      `routes:
  - { path: /v1/*, target: mock://openai }
security:
  - endpoint: /v1/*
    auth: none
    budget: [{ usd: 50/month }, { usd: "$2.50/day", by: route, alertAt: 0.9 }]
`,
      { env: {} },
    );
    assert.deepEqual(r.config!.security[0]?.budgets, [
      { usd: 50, period: 'month', source: '50/month', by: 'consumer', alertAt: 0.8 },
      { usd: 2.5, period: 'day', source: '$2.50/day', by: 'route', alertAt: 0.9 },
    ]);
    assert.deepEqual(codes(r.diagnostics), ['6:budget.noConsumer']);
    const zero = loadConfig(
      'routes:\n  - { path: /a, target: mock://openai }\nsecurity:\n  - { endpoint: /a, auth: none, budget: { usd: 0/day, by: route } }\n',
      {
        env: {},
      },
    );
    assert.ok(zero.diagnostics.some((d) => d.severity === 'error' && /not a budget/.test(d.message)));
  });

  it('reads pricing overrides per provider and model', () => {
    const r = loadConfig(
      `routes:
  - { path: /a, target: mock://openai }
pricing:
  openai-compatible:
    llama-3.3-70b: { input: 0.6, output: 0.6 }
    "my-finetune-*": { input: 1, output: 2, cachedInput: 0.5 }
`,
      { env: {} },
    );
    assert.deepEqual(r.config!.pricing, [
      { provider: 'openai-compatible', model: 'llama-3.3-70b', inputPerMTok: 0.6, outputPerMTok: 0.6 },
      { provider: 'openai-compatible', model: 'my-finetune-*', inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: 0.5 },
    ]);
    const unknown = loadConfig('routes:\n  - { path: /a, target: mock://openai }\npricing:\n  openia: { x: { input: 1 } }\n', { env: {} });
    assert.ok(unknown.diagnostics.some((d) => d.severity === 'error'));
  });
});
