// What the extension shows of a gateway document, from the language service (the one parse in the editor): routes
// with their ranges, examples and tests, and the listen address, also while the document has errors.
import { strict as assert } from 'node:assert';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Range } from 'vscode-languageserver';
import { createLanguageService } from '../../server/src/service/languageService';

const env = { UPSTREAM: 'http://127.0.0.1:9100' };
const service = createLanguageService({ env });
const uri = 'file:///w/ai-gateway.yaml';
let version = 0;

const CONFIG = [
  'gateway:',
  '  listen: :9090',
  'routes:',
  '  - name: chat',
  '    path: /v1/chat/completions',
  '    methods: [post]',
  '    target: ${UPSTREAM}',
  '    example:',
  '      headers: { x-team: research }',
  '      body: { model: gpt-4o-mini }',
  '    tests:',
  '      - name: answers',
  '        expect: { status: 200 }',
  '      - name: streams',
  '        body: { stream: true }',
  '        expect: { status: 200 }',
  '  - path: /v1/embeddings',
  '    targets:',
  '      - url: mock://openai',
  '        weight: 3',
  '      - mock://openai',
  'security:',
  '  - endpoint: /v1/*',
  '    auth: none',
  '',
].join('\n');

function document(text: string): TextDocument {
  return TextDocument.create(uri, 'yaml', ++version, text);
}

/** The text a range covers. */
const textAt = (doc: TextDocument, range: Range | undefined): string => (range ? doc.getText(range) : '');

describe('document model (what the extension shows of a config)', () => {
  it('gives each route as the config model normalizes it, with the ranges of the entry and of each test', () => {
    const doc = document(CONFIG);
    assert.deepEqual(service.doValidation(doc), [], 'the fixture is valid');
    const model = service.getDocumentModel(doc);
    assert.equal(model.uri, uri);
    assert.equal(model.version, doc.version);
    assert.deepEqual(model.listen, { host: '127.0.0.1', port: 9090 });
    assert.deepEqual(
      model.routes.map((r) => [r.index, r.name, r.path, r.methods, r.targets, r.errors]),
      [
        [0, 'chat', '/v1/chat/completions', ['POST'], [{ url: 'http://127.0.0.1:9100', weight: 1 }], 0],
        [
          1,
          'v1-embeddings',
          '/v1/embeddings',
          undefined,
          [
            { url: 'mock://openai', weight: 3 },
            { url: 'mock://openai', weight: 1 },
          ],
          0,
        ],
      ],
    );
    const chat = model.routes[0];
    assert.deepEqual(chat?.example, { headers: { 'x-team': 'research' }, body: { model: 'gpt-4o-mini' } });
    assert.deepEqual(
      chat?.tests.map((t) => [t.name, t.body, t.expect]),
      [
        ['answers', undefined, { status: 200 }],
        ['streams', { stream: true }, { status: 200 }],
      ],
    );
    assert.match(textAt(doc, chat?.range), /^name: chat\n[\s\S]*expect: \{ status: 200 \}\n$/);
    assert.deepEqual(
      chat?.testRanges.map((r) => textAt(doc, r).split('\n')[0]),
      ['name: answers', 'name: streams'],
    );
    assert.match(textAt(doc, model.routes[1]?.range), /^path: \/v1\/embeddings\n/);
  });

  it('keeps showing every route while another part of the document has an error', () => {
    const doc = document(CONFIG.replace('    auth: none', '    auth: nobody').replace('  listen: :9090', '  listen: :9090\n  logLevel: loud'));
    assert.ok(service.doValidation(doc).filter((d) => d.severity === 1).length >= 2, 'two errors, outside the routes');
    const model = service.getDocumentModel(doc);
    assert.deepEqual(
      model.routes.map((r) => [r.name, r.targets.map((t) => t.url), r.tests.length, r.errors]),
      [
        ['chat', ['http://127.0.0.1:9100'], 2, 0],
        ['v1-embeddings', ['mock://openai', 'mock://openai'], 0, 0],
      ],
    );
    assert.deepEqual(model.listen, { host: '127.0.0.1', port: 9090 });
  });

  it('reads a route with errors of its own as far as it goes, and counts them on it', () => {
    const halfWritten = CONFIG.replace('      - name: streams', '      - nam: streams').replace(
      '    methods: [post]',
      '    methods: [post]\n    retries: many',
    );
    const doc = document(halfWritten);
    const model = service.getDocumentModel(doc);
    const chat = model.routes[0];
    assert.equal(chat?.name, 'chat');
    assert.ok((chat?.errors ?? 0) >= 2, `the route carries its errors: ${chat?.errors}`);
    assert.deepEqual(
      chat?.tests.map((t) => t.name),
      ['answers'],
      'a test without a name yet is left out',
    );
    assert.equal(chat?.testRanges.length, 1);
    assert.equal(model.routes[1]?.errors, 0, 'the other route is fine');
  });

  it('keeps the routes before and after a YAML syntax error', () => {
    const doc = document(CONFIG.replace('  - endpoint: /v1/*', '  - endpoint: [/v1/*'));
    assert.ok(service.doValidation(doc).some((d) => d.severity === 1));
    assert.deepEqual(
      service.getDocumentModel(doc).routes.map((r) => r.name),
      ['chat', 'v1-embeddings'],
    );
  });

  it('falls back to the default listen address when gateway.listen is missing or not an address yet', () => {
    assert.deepEqual(service.getDocumentModel(document('routes: []\n')).listen, { host: '127.0.0.1', port: 8080 });
    const typing = service.getDocumentModel(document(CONFIG.replace('  listen: :9090', '  listen: 90a')));
    assert.deepEqual(typing.listen, { host: '127.0.0.1', port: 8080 });
    assert.equal(typing.routes.length, 2);
  });

  it('answers from the version it analyzed, once: the same model for every view until the next edit', () => {
    const doc = document(CONFIG);
    const analysis = service.analyze(doc);
    const model = service.getDocumentModel(doc);
    assert.equal(service.analyze(doc), analysis, 'no second analysis of the version');
    assert.equal(service.getDocumentModel(doc), model, 'the model is kept with the analysis');
    const edited = TextDocument.update(doc, [{ range: { start: { line: 3, character: 14 }, end: { line: 3, character: 14 } }, text: 's' }], doc.version + 1);
    const next = service.getDocumentModel(edited);
    assert.notEqual(next, model);
    assert.equal(next.routes[0]?.name, 'chats');
    assert.equal(next.version, edited.version);
  });

  it('validates for start: an unset variable is an error there, in the lines `validate` prints', () => {
    const doc = document(CONFIG.replace('${UPSTREAM}', '${AI_GATEWAY_TEST_UNSET}'));
    const editor = service.doValidation(doc).filter((d) => d.code === 'env.unset');
    assert.deepEqual(
      editor.map((d) => d.severity),
      [2],
      'a warning while typing',
    );
    const validation = service.validateForStart(doc);
    assert.equal(validation.version, doc.version);
    assert.deepEqual(
      validation.diagnostics.map((d) => [d.code, d.severity]),
      [['env.unset', 'error']],
    );
    assert.deepEqual(validation.lines, ['/w/ai-gateway.yaml:7:13: error: Environment variable AI_GATEWAY_TEST_UNSET is not set. [env.unset]']);
  });
});
