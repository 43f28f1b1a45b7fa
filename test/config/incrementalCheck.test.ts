// An editor's check re-uses what it found in the items an edit left alone (the incremental parse's nodes, the data
// converted from them, the semantic rules' views and findings). Whatever the edits, what it reports must be exactly
// what a check of the same text from scratch reports: the same diagnostics in the same order, and the same data.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { CheckMemo, checkConfig, checkConfigSteps, runSteps, YamlParseCache, type CheckedConfig } from '../../common/src/config';
import { generatedConfig } from '../server/generatedConfig';

const ENV = { HOME: '/home/dev', SHORT_SECRET: 'short', LONG_SECRET: 'x'.repeat(70), TENANT: 'acme' };

const PATHS = ['/v1/chat', '/v1/Chat', '/v1/*', '/v1/:id', '/v2/embed', '/v1/chat/*', '/models/:name', '/predict'];
// Some are the names routes without one get from their paths (v1-chat, v1-chat-2, v1), so that an edit can collide with them.
const NAMES = ['chat', 'embed', 'chat', 'r1', 'v1-chat', 'v1-chat-2', 'v1'];

const route = fc.record({
  name: fc.option(fc.constantFrom(...NAMES), { nil: undefined }),
  path: fc.option(fc.constantFrom(...PATHS), { freq: 8, nil: undefined }),
  methods: fc.constantFrom(undefined, '[POST]', '[GET, POST]', '[get]'),
  match: fc.constantFrom(undefined, '{ model: gpt-4 }', '{ model: gpt-* }', '{ headers: { x-tenant: a } }', '{ headers: { X-Tenant: "${TENANT}" } }'),
  target: fc.constantFrom(
    'target: mock://openai',
    'target: mock://opneai',
    'target: http://api.example.com/v1',
    'target: not a url',
    'target: ${UPSTREAM}',
    'targets:\n      - url: http://127.0.0.1:9000\n        weight: 2\n      - mock://anthropic',
    'target: mock://openai\n    targets: [mock://gemini]',
    'targets:\n      - provider: openai\n        apiKeyEnv: OPENAI_KEY\n        model: gpt-4o',
    'targets:\n      - provider: anthropic\n        url: mock://openai\n        region: eu',
    'targets:\n      - url: http://127.0.0.1:9000\n        headers: { Authorization: Bearer abc, Host: x }',
    '',
  ),
  extra: fc.constantFrom(
    '',
    'timeout: 5s\n    firstByteTimeout: 10s',
    'timeout: 30s',
    'retries: 2',
    'loadBalansing: weighted',
    'guardrails:\n      request:\n        - deny: { patterns: ["(a)\\\\1"] }',
    'timeout: soon',
    'frontDoor: anthropic',
  ),
  anchor: fc.boolean(),
});

const rule = fc.record({
  endpoint: fc.option(fc.constantFrom(...PATHS, '/v3/nowhere', '/v1/chat/secure/*'), { freq: 8, nil: undefined }),
  auth: fc.constantFrom(undefined, 'none', 'api-key', 'jwt'),
  methods: fc.constantFrom(undefined, '[POST]', '[GET]'),
  extra: fc.constantFrom(
    '',
    'apiKeys: [{ name: ci, keyEnv: CI_KEY }]',
    'apiKeys:\n      - name: plain\n        key: hunter2',
    'jwt: { secretEnv: SHORT_SECRET }',
    'jwt: { secretEnv: LONG_SECRET, algorithms: [HS512] }',
    'jwt: { jwksUrl: https://idp.example.com/jwks, algorithms: [HS256] }',
    'rateLimit: 100/min',
    'rateLimit: lots',
  ),
});

type Route = typeof route extends fc.Arbitrary<infer T> ? T : never;
type Rule = typeof rule extends fc.Arbitrary<infer T> ? T : never;
interface Model {
  routes: Route[];
  rules: Rule[];
  denyByDefault: boolean;
  webhookSecretEnv: boolean;
  aliasRoute: boolean;
  comments: boolean;
}

const model: fc.Arbitrary<Model> = fc.record({
  routes: fc.array(route, { maxLength: 10 }),
  rules: fc.array(rule, { maxLength: 8 }),
  denyByDefault: fc.boolean(),
  webhookSecretEnv: fc.boolean(),
  aliasRoute: fc.boolean(),
  comments: fc.boolean(),
});

function render(c: Model): string {
  const lines = ['version: 1', 'gateway:', '  listen: 127.0.0.1:8080'];
  if (c.denyByDefault) lines.push('  defaultAuth: deny');
  if (c.webhookSecretEnv) lines.push('  webhookSecretEnv: HOOK_SECRET');
  lines.push('routes:');
  c.routes.forEach((r, i) => {
    const keys = [
      ...(r.name !== undefined ? [`name: ${r.name}`] : []),
      ...(r.path !== undefined ? [`path: ${r.path}`] : []),
      ...(r.methods ? [`methods: ${r.methods}`] : []),
      ...(r.match ? [`match: ${r.match}`] : []),
      ...(r.target ? [r.target] : []),
      ...(r.extra ? [r.extra] : []),
    ];
    if (keys.length === 0) keys.push('retries: 1');
    if (c.comments && i > 0) lines.push('  # between routes');
    lines.push(`  - ${r.anchor ? `&r${i} ` : ''}${keys[0] as string}`, ...keys.slice(1).map((k) => `    ${k}`));
  });
  const anchored = c.routes.findIndex((r) => r.anchor);
  if (c.aliasRoute && anchored >= 0) lines.push(`  - *r${anchored}`);
  lines.push('security:');
  for (const r of c.rules) {
    const keys = [
      ...(r.endpoint !== undefined ? [`endpoint: ${r.endpoint}`] : []),
      ...(r.auth ? [`auth: ${r.auth}`] : []),
      ...(r.methods ? [`methods: ${r.methods}`] : []),
      ...(r.extra ? [r.extra] : []),
    ];
    if (keys.length === 0) keys.push('auth: none');
    lines.push(`  - ${keys[0] as string}`, ...keys.slice(1).map((k) => `    ${k}`));
  }
  return `${lines.join('\n')}\n`;
}

/** An edit of the config a person makes: one setting of one route or rule, an entry added, removed or moved, a switch. */
const modelEdit = fc.oneof(
  fc.record({
    kind: fc.constant('route' as const),
    index: fc.nat(),
    field: fc.constantFrom<keyof Route>('name', 'path', 'methods', 'match', 'target', 'extra', 'anchor'),
    to: route,
  }),
  fc.record({ kind: fc.constant('rule' as const), index: fc.nat(), field: fc.constantFrom<keyof Rule>('endpoint', 'auth', 'methods', 'extra'), to: rule }),
  fc.record({ kind: fc.constantFrom('addRoute' as const, 'removeRoute' as const, 'moveRoute' as const), index: fc.nat(), to: route, other: fc.nat() }),
  fc.record({ kind: fc.constantFrom('addRule' as const, 'removeRule' as const, 'moveRule' as const), index: fc.nat(), to: rule, other: fc.nat() }),
  fc.record({ kind: fc.constantFrom('denyByDefault' as const, 'webhookSecretEnv' as const, 'aliasRoute' as const) }),
);
type ModelEdit = typeof modelEdit extends fc.Arbitrary<infer T> ? T : never;

function changed(c: Model, e: ModelEdit): Model {
  const move = <T>(items: T[], from: number, to: number): T[] => {
    const out = [...items];
    const [moved] = out.splice(from, 1);
    if (moved !== undefined) out.splice(to % (out.length + 1), 0, moved);
    return out;
  };
  switch (e.kind) {
    case 'route': {
      const i = e.index % Math.max(1, c.routes.length);
      return { ...c, routes: c.routes.map((r, n) => (n === i ? { ...r, [e.field]: e.to[e.field] } : r)) };
    }
    case 'rule': {
      const i = e.index % Math.max(1, c.rules.length);
      return { ...c, rules: c.rules.map((r, n) => (n === i ? { ...r, [e.field]: e.to[e.field] } : r)) };
    }
    case 'addRoute':
      return { ...c, routes: [...c.routes.slice(0, e.index % (c.routes.length + 1)), e.to, ...c.routes.slice(e.index % (c.routes.length + 1))] };
    case 'removeRoute':
      return { ...c, routes: c.routes.filter((_, n) => n !== e.index % Math.max(1, c.routes.length)) };
    case 'moveRoute':
      return { ...c, routes: move(c.routes, e.index % Math.max(1, c.routes.length), e.other) };
    case 'addRule':
      return { ...c, rules: [...c.rules.slice(0, e.index % (c.rules.length + 1)), e.to, ...c.rules.slice(e.index % (c.rules.length + 1))] };
    case 'removeRule':
      return { ...c, rules: c.rules.filter((_, n) => n !== e.index % Math.max(1, c.rules.length)) };
    case 'moveRule':
      return { ...c, rules: move(c.rules, e.index % Math.max(1, c.rules.length), e.other) };
    default:
      return { ...c, [e.kind]: !c[e.kind] };
  }
}

/** A splice at a line and column (so edits land at the starts of keys, items and values as often as inside them). */
const edit = fc.record({
  line: fc.nat(),
  column: fc.nat(14),
  remove: fc.oneof(fc.constant(0), fc.nat(12)),
  insert: fc.constantFrom(
    '',
    'x',
    '1',
    '\n',
    '  ',
    ':',
    '- ',
    '#',
    '"',
    '*',
    '${HOME}',
    '${MISSING}',
    'name: chat\n    ',
    'name: v1-chat\n    ',
    'path: /v1/chat\n    ',
    '  - path: /v1/chat\n    target: mock://openai\n',
    '  - endpoint: /v1/*\n    auth: api-key\n',
    '  - name: chat\n    path: /v1/*\n    methods: [POST]\n    target: mock://openai\n',
    'methods: [GET]\n    ',
    'auth: none\n    ',
    'timeout: 1s\n    ',
    '  defaultAuth: deny\n',
  ),
  /** Instead of a splice: copy a whole line below itself, or delete it. */
  line_op: fc.constantFrom<'splice' | 'copy' | 'delete'>('splice', 'splice', 'splice', 'copy', 'delete'),
});
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function apply(text: string, e: Edit): string {
  const lines = text.split('\n');
  const line = e.line % lines.length;
  const start = lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0);
  const current = lines[line] as string;
  if (e.line_op === 'copy') return text.slice(0, start) + current + '\n' + text.slice(start);
  if (e.line_op === 'delete') return text.slice(0, start) + text.slice(Math.min(text.length, start + current.length + 1));
  const at = start + Math.min(e.column, current.length);
  return text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.remove));
}

/** The check as an editor runs it: one parse cache and one memo across every version of the document. */
function editor(inSteps: boolean): (text: string) => CheckedConfig {
  // Thresholds 0: every version is cut into chunks, so the memo is exercised on these small documents too.
  const parseCache = inSteps ? new YamlParseCache(0, 0) : new YamlParseCache(0);
  const memo = new CheckMemo();
  return (text) =>
    inSteps
      ? runSteps(checkConfigSteps(text, { env: ENV, mode: 'editor', parseCache, memo }, true))
      : checkConfig(text, { env: ENV, mode: 'editor', parseCache, memo });
}

function assertSameAsFromScratch(check: (text: string) => CheckedConfig, text: string): void {
  const incremental = check(text);
  const scratch = checkConfig(text, { env: ENV, mode: 'editor' });
  assert.deepEqual(incremental.diagnostics, scratch.diagnostics, `diagnostics of:\n${text}`);
  assert.deepEqual(incremental.valid, scratch.valid, `data of:\n${text}`);
}

describe('config model: an editor check after edits equals a check from scratch', function () {
  this.timeout(300_000);

  it("for random configs and random sequences of a person's edits (a setting, an entry added, removed or moved)", () => {
    let versions = 0;
    let withDiagnostics = 0;
    fc.assert(
      fc.property(model, fc.array(modelEdit, { minLength: 1, maxLength: 12 }), fc.boolean(), (base, edits, inSteps) => {
        const check = editor(inSteps);
        let current = base;
        assertSameAsFromScratch(check, render(current));
        for (const e of edits) {
          current = changed(current, e);
          const text = render(current);
          assertSameAsFromScratch(check, text);
          versions++;
          if (checkConfig(text, { env: ENV }).diagnostics.length > 0) withDiagnostics++;
        }
      }),
      { numRuns: 300 },
    );
    // The generated configs carry mistakes: most versions have something to say.
    assert.ok(withDiagnostics > versions / 2, `${withDiagnostics} of ${versions} versions with diagnostics`);
  });

  it('for random configs and random splices of their text (half-typed keys, broken indentation, stray characters)', () => {
    fc.assert(
      fc.property(model, fc.array(edit, { minLength: 1, maxLength: 10 }), fc.boolean(), (base, edits, inSteps) => {
        const check = editor(inSteps);
        let text = render(base);
        assertSameAsFromScratch(check, text);
        for (const e of edits) {
          text = apply(text, e);
          assertSameAsFromScratch(check, text);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('names a route anew when another route takes the name it had from its path, though its own entry is unchanged', () => {
    const check = editor(false);
    const unnamed = '  - path: /v1/chat\n    methods: [GET]\n  - path: /v1/chat\n    methods: [POST]\n    target: mock://openai\n';
    const before = `routes:\n${unnamed}  - name: other\n    path: /v2/x\n    target: mock://openai\nsecurity: []\n`;
    assertSameAsFromScratch(check, before);
    const after = before.replace('name: other', 'name: v1-chat');
    assertSameAsFromScratch(check, after);
    const messages = check(after).diagnostics.map((d) => d.message);
    assert.ok(
      messages.some((m) => m.startsWith('Route "v1-chat-2" has no "target"')),
      messages.join('\n'),
    );
  });

  it('re-uses the data of every route and rule a one-character edit of a 2,000-route config did not touch', () => {
    const text = generatedConfig(2000);
    const parseCache = new YamlParseCache();
    const memo = new CheckMemo();
    const check = (t: string) => checkConfig(t, { env: {}, mode: 'editor', parseCache, memo });
    const lists = (checked: CheckedConfig) => checked.valid?.data as { routes: unknown[]; security: unknown[] };
    const at = text.indexOf('name: route-700') + 'name: route-700'.length;
    const before = lists(check(text));
    const after = lists(check(`${text.slice(0, at)}x${text.slice(at)}`));
    assert.equal(after.routes.filter((route, i) => route === before.routes[i]).length, 1999);
    assert.equal(after.security.filter((rule, i) => rule === before.security[i]).length, 2000);
    assert.equal((after.routes[700] as { name: string }).name, 'route-700x');
  });
});
