import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { compileGlob, loadConfig, routeNames } from '../../common/src/config';
import { routeOverlaps, type OverlapRoute, type OverlapStats } from '../../common/src/config/routeOverlap';

/** The definition, compared pair by pair: `a` receives every request `b` could. */
function covers(a: OverlapRoute, b: OverlapRoute): boolean {
  if (a.shape !== b.shape) return false;
  if (a.methods && (!b.methods || !b.methods.every((m) => a.methods?.includes(m)))) return false;
  for (const [h, v] of Object.entries(a.headers)) {
    const bv = b.headers[h];
    if (bv === undefined || !compileGlob(v).matches(bv)) return false;
  }
  return a.model === undefined || (b.model !== undefined && compileGlob(a.model).matches(b.model));
}
const conditions = (r: OverlapRoute) => Object.keys(r.headers).length + (r.model !== undefined ? 1 : 0);

function pairwise(routes: OverlapRoute[]): string[] {
  const out: string[] = [];
  routes.forEach((b, j) => {
    const a = routes.slice(0, j).find((x) => covers(x, b) && (covers(b, x) || conditions(x) === conditions(b)));
    if (a) out.push(`${b.index} ${covers(b, a) ? 'duplicate' : 'shadowed'} by ${a.index}`);
  });
  return out;
}

const route = fc.record(
  {
    shape: fc.constantFrom('/v1/chat', '/v1/:', '/v1/*'),
    methods: fc.option(fc.subarray(['GET', 'POST', 'PUT']), { nil: undefined }),
    headers: fc.dictionary(fc.constantFrom('x-team', 'x-env'), fc.constantFrom('a', 'b', 'a*', '*', '?', 'b?')),
    model: fc.option(fc.constantFrom('gpt-4', 'gpt-*', 'gpt-4*', '*'), { nil: undefined }),
  },
  { requiredKeys: ['shape', 'headers'] },
);

describe('config model: duplicate and shadowed routes', () => {
  it('finds exactly what comparing every pair finds (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(route, { maxLength: 30 }), (drawn) => {
        const routes: OverlapRoute[] = drawn.map((r, index) => ({ ...r, index, name: `r${index}` }));
        const found = routeOverlaps(routes).map((o) => `${o.route.index} ${o.kind} by ${o.other.index}`);
        assert.deepEqual(found, pairwise(routes));
      }),
      { numRuns: 500 },
    );
  });

  it('compares each of 3,000 routes on one path with a handful of others, not with every earlier one', () => {
    const routes: OverlapRoute[] = Array.from({ length: 3000 }, (_, index) => ({
      index,
      name: `r${index}`,
      shape: '/v1/chat',
      methods: index % 2 === 0 ? ['POST'] : undefined,
      headers: { 'x-team': `team-${index % 1500}` },
      ...(index % 100 === 0 ? { model: `gpt-${index}*` } : {}),
    }));
    const stats: OverlapStats = { comparisons: 0 };
    const overlaps = routeOverlaps(routes, stats);
    // Routes 1500-2999 repeat the teams (and methods) of 0-1499: each is a duplicate of one earlier route.
    assert.equal(overlaps.filter((o) => o.kind === 'duplicate').length, 1485, 'all but the 15 that match a model of their own');
    assert.ok(stats.comparisons < 3 * routes.length, `${stats.comparisons} comparisons for ${routes.length} routes`);
  });

  it('reports the overlaps of a config with 3,000 routes on one path', () => {
    const text = [
      'routes:',
      ...Array.from({ length: 3000 }, (_, i) => `  - { name: r${i}, path: /v1/chat, match: { headers: { x-team: t${i % 2000} } }, target: mock://openai }`),
      'security:',
      '  - { endpoint: /v1/chat, auth: none }',
    ].join('\n');
    const diagnostics = loadConfig(text, { env: {} }).diagnostics;
    assert.equal(diagnostics.length, 1000);
    assert.ok(diagnostics.every((d) => d.code === 'route.duplicate'));
    assert.match(diagnostics[0]?.message ?? '', /^Route "r2000" duplicates route "r0"/);
  });

  it('names 100,000 routes derived from one path in one pass', () => {
    const names = routeNames([{ name: 'chat-3' }, ...Array.from({ length: 100_000 }, () => ({ path: '/chat' }))]);
    assert.deepEqual(names.slice(0, 5), ['chat-3', 'chat', 'chat-2', 'chat-4', 'chat-5']);
    assert.equal(new Set(names).size, names.length);
  });
});
