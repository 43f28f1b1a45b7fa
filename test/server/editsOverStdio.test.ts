import { strict as assert } from 'node:assert';
import { ResponseError } from 'vscode-jsonrpc';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, CompletionList, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { LspClient, ourServerCommand } from './lspClient';

const uri = 'file:///w/edits.gateway.yaml';
const TEXT = 'routes:\n  - name: chat\n    path: /v1/chat\n    target: mock://openai\nsecurity: []\n';

describe('language server over stdio: edits and refusals', function () {
  this.timeout(60_000);
  let client: LspClient;
  before(async () => {
    client = new LspClient(ourServerCommand());
    await client.initialize();
  });
  after(() => client.kill());

  it('fixes an unprotected route into an empty inline list, and the fixed document validates clean', async () => {
    await client.open(uri, TEXT);
    const [unprotected] = (await client.nextDiagnostics(uri)).diagnostics;
    assert.equal(unprotected?.code, 'route.unprotected');
    const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: unprotected.range,
      context: { diagnostics: [unprotected] },
    });
    const makePublic = actions.find((a) => a.title === 'Make /v1/chat public explicitly (auth: none)');
    assert.ok(makePublic, actions.map((a) => a.title).join(', '));
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'yaml', 1, TEXT), makePublic.edit?.changes?.[uri] as TextEdit[]);
    assert.equal(fixed, TEXT.replace('security: []', 'security: [{ endpoint: /v1/chat, auth: none }]'));
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
    assert.deepEqual((await client.nextDiagnostics(uri)).diagnostics, []);
  });

  it('refuses a rename to a name the schema refuses with an error the editor shows', async () => {
    const prepared = await client.connection.sendRequest<{ placeholder: string }>('textDocument/prepareRename', {
      textDocument: { uri },
      position: { line: 1, character: 12 },
    });
    assert.equal(prepared.placeholder, 'chat');
    await assert.rejects(
      client.connection.sendRequest<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position: { line: 1, character: 12 }, newName: 'bad name' }),
      (err: unknown) => {
        assert.ok(err instanceof ResponseError);
        assert.equal(err.message, `"bad name" is not a route name: use letters, digits, '.', '_' and '-'.`);
        return true;
      },
    );
    const edit = await client.connection.sendRequest<WorkspaceEdit>('textDocument/rename', {
      textDocument: { uri },
      position: { line: 1, character: 12 },
      newName: '2024',
    });
    assert.deepEqual(
      edit.changes?.[uri]?.map((e) => e.newText),
      ['"2024"'],
      'a name YAML would read as a number is quoted',
    );
  });

  it('completes inside an inline rate limit without touching its braces', async () => {
    const text = 'security:\n  - endpoint: /v1/chat\n    rateLimit: { requests: 10/min, by:  }\n';
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text }] });
    const list = await client.connection.sendRequest<CompletionList>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 2, character: 39 },
    });
    assert.deepEqual(
      list.items.map((i) => [i.label, (i.textEdit as TextEdit).range.start.character, (i.textEdit as TextEdit).range.end.character]),
      [
        ['consumer', 39, 39],
        ['ip', 39, 39],
        ['route', 39, 39],
      ],
    );
  });
});
