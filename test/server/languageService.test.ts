import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CompletionItem, Diagnostic, TextEdit } from 'vscode-languageserver';
import { loadConfig } from '../../common/src/config';
import { createLanguageService } from '../../server/src/service/languageService';
import { repoRoot } from '../support/cli';

const service = createLanguageService({ env: { TEAM_A_KEY: 'k', TEAM_B_KEY: 'k', JWT_SECRET: 'a-jwt-secret-long-enough-for-hs256-012345' } });
let version = 0;

/** A document from a fixture whose `|` marks the cursor. */
function at(textWithCaret: string, uri = 'file:///w/ai-gateway.yaml') {
  const offset = textWithCaret.indexOf('|');
  const text = offset >= 0 ? textWithCaret.slice(0, offset) + textWithCaret.slice(offset + 1) : textWithCaret;
  const document = TextDocument.create(uri, 'yaml', ++version, text);
  return { document, position: document.positionAt(Math.max(offset, 0)) };
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const newTexts = (items: CompletionItem[]) => items.map((i) => (i.textEdit && 'newText' in i.textEdit ? i.textEdit.newText : ''));

function apply(document: TextDocument, action: CodeAction): TextDocument {
  const edits = action.edit?.changes?.[document.uri] as TextEdit[];
  return TextDocument.create(document.uri, 'yaml', document.version + 1, TextDocument.applyEdits(document, edits));
}

const PROTECTED =
  'routes:\n  - name: chat\n    path: /v1/chat\n    target: mock://openai\n  - name: embed\n    path: /v1/embed\n    target: mock://openai\nsecurity:\n  - endpoint: /v1/chat\n    auth: none\n  - endpoint: /v1/embed\n    auth: none\n';

describe('language service', () => {
  it('selects gateway documents by language, name, first line and $schema', () => {
    const yes = (uri: string, text = 'routes: []\n', languageId = 'yaml') => service.isGatewayDocument(TextDocument.create(uri, languageId, 1, text));
    assert.ok(yes('file:///w/prod.gateway.yaml'));
    assert.ok(yes('file:///w/ai-gateway.yml'));
    assert.ok(yes('file:///w/x.yaml', '# ai-gateway\nroutes: []\n'));
    assert.ok(yes('file:///w/x.yaml', '$schema: ../schemas/gateway.schema.json\nroutes: []\n'));
    // A file the user associated with the gateway language (files.associations) whatever its name says.
    assert.ok(yes('file:///w/deploy/gw.yaml', 'routes: []\n', 'ai-gateway-yaml'));
    assert.ok(!yes('file:///w/deploy/gw.yaml', 'routes: []\n'));
    assert.ok(!yes('file:///w/docker-compose.yaml', 'services: {}\n'));
  });

  it('reports exactly the diagnostics of the config model, on the same ranges', () => {
    const text = readFileSync(path.join(repoRoot, 'test/fixtures/bad.yaml'), 'utf8');
    const { document } = at(text, 'file:///w/bad.gateway.yaml');
    const lsp = service.doValidation(document);
    const model = loadConfig(text, {
      env: { TEAM_A_KEY: 'k', TEAM_B_KEY: 'k', JWT_SECRET: 'a-jwt-secret-long-enough-for-hs256-012345' },
      mode: 'editor',
    }).diagnostics;
    assert.deepEqual(
      lsp.map((d) => [d.code, d.message, d.range]),
      model.map((d) => [d.code, d.message, d.range]),
    );
    assert.deepEqual(lsp[0]?.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 9 } });
    assert.equal(lsp[0]?.severity, 1);
    assert.ok(
      lsp.some((d) => d.code === 'route.unprotected' && d.severity === 2),
      'reviewer warnings are there',
    );
  });

  it('completes the keys of a new route, required first, with route snippets', () => {
    const { document, position } = at('routes:\n  - pa|');
    const items = service.doComplete(document, position).items;
    const keys = items.filter((i) => i.kind === 10).sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
    assert.equal(keys[0]?.label, 'path', 'the required key comes first');
    assert.ok(labels(items).includes('loadBalancing'));
    assert.ok(labels(items).includes('New route'));
    const route = newTexts(items)[labels(items).indexOf('New route')] ?? '';
    assert.match(route, /^name: \$\{1:chat\}\n {4}path: \$\{2:\/v1\/chat\/completions\}\n {4}methods: \[POST\]\n {4}target: \$\{3:mock:\/\/openai\}$/);
  });

  it('leaves out keys already present and completes nested keys', () => {
    const { document, position } = at('gateway:\n  listen: :8080\n  lo|\n');
    const items = labels(service.doComplete(document, position).items);
    assert.ok(items.includes('logLevel'));
    assert.ok(!items.includes('listen'));
    const nested = at('routes:\n  - path: /a\n    healthCheck:\n      inter|\n');
    assert.ok(labels(service.doComplete(nested.document, nested.position).items).includes('interval'));
  });

  it('completes enum values, route paths in security endpoints, rate-limit forms and env names', () => {
    const lb = at('routes:\n  - path: /a\n    loadBalancing: |\n');
    assert.deepEqual(labels(service.doComplete(lb.document, lb.position).items), ['round-robin', 'weighted', 'least-connections', 'least-latency']);
    const endpoint = at('routes:\n  - name: chat\n    path: /v1/chat\n  - path: /predict\nsecurity:\n  - endpoint: |\n');
    service.analyze(endpoint.document);
    const paths = service.doComplete(endpoint.document, endpoint.position).items;
    assert.deepEqual(labels(paths), ['/v1/chat', '/predict']);
    assert.equal(paths[0]?.detail, 'route chat');
    const rate = at('security:\n  - endpoint: /a\n    rateLimit: |\n');
    assert.ok(['100/min', '10/s', '5000/hour', '1000/day'].every((f) => labels(service.doComplete(rate.document, rate.position).items).includes(f)));
    const env = at('routes:\n  - path: /a\n    target: ${TEAM_|\n');
    const names = service.doComplete(env.document, env.position).items;
    assert.deepEqual(
      labels(names).filter((n) => n.startsWith('TEAM_')),
      ['TEAM_A_KEY', 'TEAM_B_KEY'],
    );
    assert.equal(newTexts(names)[0], 'TEAM_A_KEY}');
    const method = at('routes:\n  - path: /a\n    auth|\n');
    assert.ok(!labels(service.doComplete(method.document, method.position).items).includes('auth'), 'security keys are not offered in a route');
  });

  it('hovers with the schema description and example, and a route with its targets and security', () => {
    const key = at('routes:\n  - path: /a\n    load|Balancing: weighted\n');
    const hover = service.doHover(key.document, key.position);
    assert.match(JSON.stringify(hover?.contents), /How requests are spread over/);
    const rate = at('security:\n  - endpoint: /a\n    rate|Limit: 10/s\n');
    assert.match(JSON.stringify(service.doHover(rate.document, rate.position)?.contents), /Example: `rateLimit: 100`/);
    const route = at(PROTECTED.replace('path: /v1/chat', 'path: /v1/c|hat'));
    const text = JSON.stringify(service.doHover(route.document, route.position)?.contents);
    assert.match(text, /Route `chat`/);
    assert.match(text, /mock:\/\/openai/);
    assert.match(text, /auth \*\*none\*\*/);
    const keyed = at(
      PROTECTED.replace('path: /v1/chat', 'path: /v1/c|hat').replace(
        'target: mock://openai',
        'target: "http://svc:${TEAM_A_KEY}@ai-svc:80/?key=${JWT_SECRET}"',
      ),
    );
    const keyedText = JSON.stringify(service.doHover(keyed.document, keyed.position)?.contents);
    assert.match(keyedText, /http:\/\/\*\*\*@ai-svc:80\/\?key=\*\*\*/, 'the target, without the credentials its URL carries');
  });

  it('outlines routes and security rules, folds blocks and expands selections outward', () => {
    const { document } = at(PROTECTED);
    const symbols = service.findDocumentSymbols(document);
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['routes', 'security'],
    );
    assert.deepEqual(
      symbols[0]?.children?.map((c) => [c.name, c.detail]),
      [
        ['chat', '/v1/chat'],
        ['embed', '/v1/embed'],
      ],
    );
    assert.deepEqual(
      symbols[1]?.children?.map((c) => c.name),
      ['/v1/chat', '/v1/embed'],
    );
    const folds = service.getFoldingRanges(document);
    assert.ok(
      folds.some((f) => f.startLine === 0 && f.endLine === 6),
      JSON.stringify(folds),
    );
    const { document: d2, position } = at(PROTECTED.replace('target: mock://openai', 'target: mock://op|enai'));
    let selection: import('vscode-languageserver').SelectionRange | undefined = service.getSelectionRanges(d2, [position])[0];
    const sizes: number[] = [];
    while (selection) {
      sizes.push(d2.offsetAt(selection.range.end) - d2.offsetAt(selection.range.start));
      selection = selection.parent;
    }
    assert.ok(sizes.length >= 4);
    for (let i = 1; i < sizes.length; i++) assert.ok((sizes[i] as number) >= (sizes[i - 1] as number), `nested: ${sizes.join(',')}`);
  });

  const fix = (text: string, code: string, title: RegExp) => {
    const { document } = at(text);
    const diagnostic = service.doValidation(document).find((d) => d.code === code) as Diagnostic;
    assert.ok(diagnostic, `a ${code} diagnostic`);
    const action = service.getCodeActions(document, diagnostic.range, [diagnostic]).find((a) => title.test(a.title));
    assert.ok(action, `an action matching ${title}`);
    return apply(document, action);
  };

  it('quick-fixes an unprotected route, a wrong endpoint, a misspelled key and a plaintext secret', () => {
    const unprotected = fix('routes:\n  - name: chat\n    path: /v1/chat\n    target: mock://openai\n', 'route.unprotected', /api-key security rule/);
    assert.match(unprotected.getText(), /security:\n {2}- endpoint: \/v1\/chat\n {4}auth: api-key\n {4}apiKeys:\n {6}- \{ name: chat, keyEnv: CHAT_KEY \}/);
    assert.deepEqual(
      service.doValidation(unprotected).map((d) => d.code),
      ['env.unset'],
      'only the new variable remains to be set',
    );

    const wrong = fix(PROTECTED.replace('endpoint: /v1/embed', 'endpoint: /v1/embd'), 'security.unknownEndpoint', /Change to "\/v1\/embed"/);
    assert.deepEqual(service.doValidation(wrong), []);
    const created = fix(PROTECTED.replace('endpoint: /v1/embed', 'endpoint: /v2/new'), 'security.unknownEndpoint', /Create a route for \/v2\/new/);
    assert.match(created.getText(), / {2}- path: \/v2\/new\n {4}target: mock:\/\/openai\nsecurity:/);
    assert.ok(!service.doValidation(created).some((d) => d.code === 'security.unknownEndpoint'));

    const key = fix(
      PROTECTED.replace('    target: mock://openai\n  - name: embed', '    target: mock://openai\n    loadBalansing: weighted\n  - name: embed'),
      'schema.unknownKey',
      /Change to "loadBalancing"/,
    );
    assert.deepEqual(service.doValidation(key), []);
    const value = fix(PROTECTED.replace('auth: none', 'auth: nne'), 'schema.enum', /Change to "none"/);
    assert.deepEqual(service.doValidation(value), []);

    const secret = fix(
      PROTECTED.replace('endpoint: /v1/chat\n    auth: none', 'endpoint: /v1/chat\n    auth: api-key\n    apiKeys:\n      - name: ci\n        key: hunter2'),
      'secret.plaintext',
      /environment variable CI_KEY/,
    );
    assert.doesNotMatch(secret.getText(), /hunter2/);
    assert.match(secret.getText(), /keyEnv: CI_KEY/);
  });

  it('rewrites target into targets', () => {
    const { document, position } = at(PROTECTED.replace('    target: mock://openai\n  - name: embed', '    tar|get: mock://openai\n  - name: embed'));
    const action = service.getCodeActions(document, { start: position, end: position }, []).find((a) => /targets/.test(a.title));
    assert.ok(action);
    const after = apply(document, action);
    assert.match(after.getText(), /path: \/v1\/chat\n {4}targets:\n {6}- url: mock:\/\/openai\n/);
    assert.deepEqual(service.doValidation(after), []);
  });

  it('goes from an endpoint to its route, finds references and renames a path everywhere', () => {
    const { document, position } = at(PROTECTED.replace('  - endpoint: /v1/embed', '  - endpoint: /v1/em|bed'));
    assert.deepEqual(
      service.findDefinition(document, position).map((l) => l.range.start),
      [{ line: 5, character: 10 }],
    );
    assert.deepEqual(
      service.findReferences(document, position).map((l) => l.range.start.line),
      [5, 10],
    );
    assert.deepEqual(service.prepareRename(document, position)?.placeholder, '/v1/embed');
    const edit = service.doRename(document, position, '/v1/embeddings');
    const renamed = TextDocument.applyEdits(document, edit?.changes?.[document.uri] as TextEdit[]);
    assert.equal(renamed.match(/\/v1\/embeddings/g)?.length, 2);
    assert.deepEqual(service.doValidation(TextDocument.create(document.uri, 'yaml', 99, renamed)), []);
    const name = at(PROTECTED.replace('name: embed', 'name: em|bed'));
    assert.deepEqual(
      service.doRename(name.document, name.position, 'embeddings')?.changes?.[name.document.uri]?.map((e) => e.newText),
      ['embeddings'],
    );
  });
});
