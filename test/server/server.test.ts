import { strict as assert } from 'node:assert';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CompletionList, Hover, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { LspClient, ourServerCommand } from './lspClient';

const uri = 'file:///tmp/project/ai-gateway.yaml';
const TEXT = [
  'routes:',
  '  - name: chat',
  '    path: /v1/chat',
  '    target: mock://openai',
  '    loadBalancng: weighted',
  'security:',
  '  - endpoint: /v1/chat',
  '    auth: none',
  '',
].join('\n');

describe('language server over stdio', function () {
  this.timeout(60_000);
  let client: LspClient;

  before(() => {
    client = new LspClient(ourServerCommand());
  });
  after(() => client.kill());

  it('initializes, validates, completes, hovers, fixes, renames and shuts down', async () => {
    const init = await client.initialize();
    for (const capability of [
      'completionProvider',
      'hoverProvider',
      'codeActionProvider',
      'renameProvider',
      'documentSymbolProvider',
      'foldingRangeProvider',
      'selectionRangeProvider',
      'definitionProvider',
      'referencesProvider',
    ]) {
      assert.ok(init.capabilities[capability], capability);
    }
    // The output channel says how long the warm-up before the answer took (the LSP bench reports it apart).
    assert.ok(
      client.logMessages.some((m) => /^warm-up: \d+ ms$/.test(m)),
      client.logMessages.join('\n'),
    );

    await client.open(uri, TEXT);
    const first = await client.nextDiagnostics(uri);
    assert.equal(first.version, 1);
    assert.deepEqual(
      first.diagnostics.map((d) => [d.code, d.range]),
      [['schema.unknownKey', { start: { line: 4, character: 4 }, end: { line: 4, character: 16 } }]],
    );
    assert.equal(first.diagnostics[0]?.message, 'Unknown key "loadBalancng" in "routes". Did you mean "loadBalancing"?');

    const completion = await client.connection.sendRequest<CompletionList>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 7, character: 10 },
    });
    assert.deepEqual(
      completion.items.map((i) => i.label),
      ['jwt', 'api-key', 'none'],
    );

    const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: first.diagnostics[0]?.range,
      context: { diagnostics: first.diagnostics },
    });
    const fix = actions.find((a) => a.title === 'Change to "loadBalancing"');
    assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'yaml', 1, TEXT), fix.edit?.changes?.[uri] as TextEdit[]);
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
    const second = await client.nextDiagnostics(uri);
    assert.equal(second.version, 2);
    assert.deepEqual(second.diagnostics, [], 're-validated clean after the fix');

    const hover = await client.connection.sendRequest<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 12 } });
    assert.match(JSON.stringify(hover.contents), /Route `chat`.*mock:\/\/openai.*auth \*\*none\*\*/);

    const edit = await client.connection.sendRequest<WorkspaceEdit>('textDocument/rename', {
      textDocument: { uri },
      position: { line: 6, character: 16 },
      newName: '/v2/chat',
    });
    assert.deepEqual(
      edit.changes?.[uri]?.map((e) => [e.range.start.line, e.newText]),
      [
        [2, '/v2/chat'],
        [6, '/v2/chat'],
      ],
    );

    const other = 'file:///tmp/project/docker-compose.yaml';
    await client.open(other, 'services: { web: { image: nginx } }\n');
    assert.deepEqual((await client.nextDiagnostics(other)).diagnostics, [], 'other YAML is left alone');

    assert.equal(await client.shutdown(), 0);
  });
});
