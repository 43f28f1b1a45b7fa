import { strict as assert } from 'node:assert';
import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { createLanguageService, RequestRefused } from '../../server/src/service/languageService';
import { applyEdit, at } from './caretFixture';

const service = createLanguageService({ env: { CHAT_KEY: 'k' } });

const ROUTE = 'routes:\n  - name: chat\n    path: /v1/chat\n    target: mock://openai\n';

/** The document after the quick fix titled like `title` for the first diagnostic with `code`. */
function fixed(text: string, code: string, title: RegExp): TextDocument {
  const { document } = at(text);
  const diagnostic = service.doValidation(document).find((d) => d.code === code) as Diagnostic;
  assert.ok(diagnostic, `a ${code} diagnostic in ${JSON.stringify(text)}`);
  const action = service.getCodeActions(document, diagnostic.range, [diagnostic]).find((a) => title.test(a.title));
  assert.ok(action, `an action matching ${title}`);
  return applyEdit(document, action);
}

const codes = (document: TextDocument) => service.doValidation(document).map((d) => d.code);

describe('language service: quick fixes keep the document valid', () => {
  const makePublic = (text: string) => fixed(text, 'route.unprotected', /public explicitly/);

  it('adds a security rule to a missing, empty, null, inline, block and commented list', () => {
    const cases: [string, string][] = [
      [ROUTE, `${ROUTE}security:\n  - endpoint: /v1/chat\n    auth: none\n`],
      [`${ROUTE}security: []\n`, `${ROUTE}security: [{ endpoint: /v1/chat, auth: none }]\n`],
      [`${ROUTE}security: [ ]  # none yet\n`, `${ROUTE}security: [{ endpoint: /v1/chat, auth: none } ]  # none yet\n`],
      [`${ROUTE}security:\n`, `${ROUTE}security:\n  - endpoint: /v1/chat\n    auth: none\n`],
      [`${ROUTE}security: # to do\nversion: 1\n`, `${ROUTE}security: # to do\n  - endpoint: /v1/chat\n    auth: none\nversion: 1\n`],
      [`${ROUTE}security: ~\n`, `${ROUTE}security: [ { endpoint: /v1/chat, auth: none } ]\n`],
      [
        `${ROUTE}  - { path: /b, target: mock://openai }\nsecurity: [{ endpoint: /b, auth: none }]\n`,
        `${ROUTE}  - { path: /b, target: mock://openai }\nsecurity: [{ endpoint: /b, auth: none }, { endpoint: /v1/chat, auth: none }]\n`,
      ],
      [
        `${ROUTE}  - { path: /b, target: mock://openai }\nsecurity: [\n  { endpoint: /b, auth: none }, # public\n]\n`,
        `${ROUTE}  - { path: /b, target: mock://openai }\nsecurity: [\n  { endpoint: /b, auth: none }, { endpoint: /v1/chat, auth: none }, # public\n]\n`,
      ],
      [
        `${ROUTE}  - { path: /b, target: mock://openai }\nsecurity:\n# the public ones\n- endpoint: /b # health\n  auth: none\n# - endpoint: /old\nversion: 1`,
        `${ROUTE}  - { path: /b, target: mock://openai }\nsecurity:\n# the public ones\n- endpoint: /b # health\n  auth: none\n- endpoint: /v1/chat\n  auth: none\n# - endpoint: /old\nversion: 1`,
      ],
    ];
    for (const [before, after] of cases) {
      const result = makePublic(before);
      assert.equal(result.getText(), after, JSON.stringify(before));
      assert.deepEqual(codes(result), [], `valid after the fix: ${JSON.stringify(result.getText())}`);
    }
  });

  it('writes the api-key rule inline into an inline list, and as block lines into a block list', () => {
    const inline = fixed(`${ROUTE}security: []\n`, 'route.unprotected', /api-key security rule/);
    assert.match(
      inline.getText(),
      /security: \[\{ endpoint: \/v1\/chat, auth: api-key, apiKeys: \[ \{ name: chat, keyEnv: CHAT_KEY \} \], rateLimit: 60\/min \}\]/,
    );
    assert.deepEqual(codes(inline), []);
    const block = fixed(ROUTE, 'route.unprotected', /api-key security rule/);
    assert.match(
      block.getText(),
      /security:\n {2}- endpoint: \/v1\/chat\n {4}auth: api-key\n {4}apiKeys:\n {6}- \{ name: chat, keyEnv: CHAT_KEY \}\n {4}rateLimit: 60\/min\n$/,
    );
  });

  it('creates the route an endpoint names in an empty or inline route list', () => {
    const created = fixed('routes: []\nsecurity:\n  - endpoint: /v2/new\n    auth: none\n', 'security.unknownEndpoint', /Create a route for \/v2\/new/);
    assert.equal(created.getText(), 'routes: [{ path: /v2/new, target: mock://openai }]\nsecurity:\n  - endpoint: /v2/new\n    auth: none\n');
    assert.deepEqual(codes(created), []);
    const inRoot = fixed('{ security: [{ endpoint: /v2/new, auth: none }] }\n', 'security.unknownEndpoint', /Create a route/);
    assert.deepEqual(codes(inRoot), [], inRoot.getText());
  });

  it('does not offer a fix that would clash with what is there', () => {
    const { document } = at(`${ROUTE}    loadBalancing: weighted\n    loadBalansing: weighted\nsecurity: [{ endpoint: /v1/chat, auth: none }]\n`);
    const typo = service.doValidation(document).find((d) => d.code === 'schema.unknownKey') as Diagnostic;
    assert.deepEqual(
      service.getCodeActions(document, typo.range, [typo]).map((a) => a.title),
      [],
      'renaming the key would duplicate loadBalancing',
    );
    const twice = at(`${ROUTE}security:\n  - { endpoint: /v1/chat, auth: none }\n  - { endpoint: /v1/chatt, auth: none }\n`).document;
    const endpoint = service.doValidation(twice).find((d) => d.code === 'security.unknownEndpoint') as Diagnostic;
    assert.ok(
      !service.getCodeActions(twice, endpoint.range, [endpoint]).some((a) => a.title.startsWith('Change to')),
      'changing it would duplicate the first rule',
    );
  });

  it('keeps an inline route inline when target becomes targets, and quotes as the URL was quoted', () => {
    const { document, position } = at('routes:\n  - { path: /a, tar|get: "mock://openai" }\nsecurity: [{ endpoint: /a, auth: none }]\n');
    const action = service.getCodeActions(document, { start: position, end: position }, []).find((a) => /targets/.test(a.title));
    const after = applyEdit(document, action);
    assert.equal(after.getText(), 'routes:\n  - { path: /a, targets: [ { url: "mock://openai" } ] }\nsecurity: [{ endpoint: /a, auth: none }]\n');
    assert.deepEqual(codes(after), []);
  });
});

describe('language service: rename', () => {
  const PROTECTED = `${ROUTE}security:\n  - endpoint: /v1/chat\n    auth: none\n`;
  const refusal = (text: string, newName: string): string => {
    const { document, position } = at(text);
    try {
      service.doRename(document, position, newName);
    } catch (err) {
      assert.ok(err instanceof RequestRefused, String(err));
      return err.message;
    }
    assert.fail(`renaming to ${JSON.stringify(newName)} was accepted`);
  };

  it("refuses a route name the schema's pattern refuses, with the schema's message", () => {
    const text = PROTECTED.replace('name: chat', 'name: ch|at');
    assert.equal(refusal(text, 'bad name'), `"bad name" is not a route name: use letters, digits, '.', '_' and '-'.`);
    assert.match(refusal(text, ''), /is not a route name/);
    assert.match(refusal(text, '-chat'), /is not a route name/);
  });

  it('refuses a name another route has, and a path that would leave a problem, saying which', () => {
    const two = `${ROUTE}  - name: embed\n    path: /v1/embed\n    target: mock://openai\nsecurity:\n  - endpoint: /v1/*\n    auth: none\n`;
    assert.equal(refusal(two.replace('name: embed', 'name: em|bed'), 'chat'), 'Route name "chat" is already used by route 1 (/v1/chat).');
    const moved = refusal(two.replace('path: /v1/embed', 'path: /v1/em|bed'), '/v2/embed');
    assert.match(moved, /^Renaming "\/v1\/embed" to "\/v2\/embed" would leave a problem: Route "embed" has no security entry/);
    assert.match(refusal(PROTECTED.replace('path: /v1/chat', 'path: /v1/ch|at'), 'v1/chat'), /"v1\/chat" is not a route path: it must start with \//);
  });

  it('quotes a new name or path where YAML needs it, and keeps the quotes it had', () => {
    const renamed = (text: string, newName: string) => {
      const { document, position } = at(text);
      const after = applyEdit(document, service.doRename(document, position, newName));
      assert.deepEqual(codes(after), [], after.getText());
      return after.getText();
    };
    assert.match(renamed(PROTECTED.replace('name: chat', 'name: ch|at'), '1.5'), /name: "1\.5"/);
    assert.match(renamed(PROTECTED.replace('name: chat', 'name: ch|at'), 'true'), /name: "true"/);
    assert.match(renamed(PROTECTED.replace('name: chat', "name: 'ch|at'"), 'chat-2'), /name: 'chat-2'/);
    const path = renamed(PROTECTED.replace('endpoint: /v1/chat', 'endpoint: /v1/ch|at'), '/v1/chat #2');
    assert.equal(path.match(/"\/v1\/chat #2"/g)?.length, 2, path);
  });
});
