// Editing a config (unsaved): the routes view, the CodeLens and the Testing view show what the language server's
// analysis of the current version says, also while the document has errors, and follow each edit.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Lsp } from '../../../common/src/protocol';
import { driver } from './driver';
import { eventually, extensionApi, openFixture } from './workbench';

const file = 'editing.gateway.yaml';

/** The "Send test request" CodeLens of the document: route name and line. */
async function sendLenses(document: vscode.TextDocument): Promise<[string, number][]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri);
  return lenses
    .filter((l) => l.command?.command === 'aiGateway.sendTestRequest')
    .map((l) => [(l.command?.arguments?.[0] as { route: string }).route, l.range.start.line]);
}

/** Route name -> its test names, as the Testing view's items hold them. */
async function testItems(document: vscode.TextDocument): Promise<Record<string, { tests: string[]; line?: number; testLines: (number | undefined)[] }>> {
  const api = await extensionApi();
  const routes: Record<string, { tests: string[]; line?: number; testLines: (number | undefined)[] }> = {};
  api.routeTests.controller.items.get(document.uri.toString())?.children.forEach((route) => {
    const tests: vscode.TestItem[] = [];
    route.children.forEach((t) => tests.push(t));
    routes[route.label] = { tests: tests.map((t) => t.label), line: route.range?.start.line, testLines: tests.map((t) => t.range?.start.line) };
  });
  return routes;
}

async function routeRows(): Promise<string> {
  return (await driver.workbenchText('#workbench\\.parts\\.sidebar .monaco-list-row')).join('\n');
}

/** The 0-based line of the first line containing `text`. */
function lineOf(document: vscode.TextDocument, text: string): number {
  const line = document
    .getText()
    .split('\n')
    .findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `"${text}" is in the document`);
  return line;
}

async function replace(document: vscode.TextDocument, ...changes: [string, string][]): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  const text = document.getText();
  for (const [find, by] of changes) {
    const at = text.indexOf(find);
    assert.ok(at >= 0, `"${find}" is in the document`);
    edit.replace(document.uri, new vscode.Range(document.positionAt(at), document.positionAt(at + find.length)), by);
  }
  assert.ok(await vscode.workspace.applyEdit(edit));
}

const errorsOf = (document: vscode.TextDocument) => vscode.languages.getDiagnostics(document.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);

describe('editing a config', () => {
  let document: vscode.TextDocument;

  before(async () => {
    const api = await extensionApi();
    await api.gateway.stop(); // the routes view follows the active editor while no gateway runs
    document = await openFixture(file);
    await vscode.commands.executeCommand('aiGateway.showRoutes');
    await eventually('the routes view on the edited config', () => api.routesView.shownDocument === document);
  });

  after(async () => {
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('shows the routes, their CodeLens and their tests, from the language server', async () => {
    const api = await extensionApi();
    const rows = await eventually('the routes in the tree', async () => {
      const text = await routeRows();
      return text.includes('completions') && text.includes('GET /v1/models') ? text : undefined;
    });
    assert.match(rows, /POST \/v1\/chat\/completions/);
    assert.equal(api.routesView.treeView.description, 'editing.gateway.yaml · listen 127.0.0.1:8181');
    assert.deepEqual(await sendLenses(document), [
      ['completions', lineOf(document, 'name: completions')],
      ['models', lineOf(document, 'name: models')],
    ]);
    const tests = await eventually('the route tests in the Testing view', async () => (await testItems(document))['completions']);
    assert.deepEqual(tests, { tests: ['answers'], line: lineOf(document, 'name: completions'), testLines: [lineOf(document, 'name: answers')] });
  });

  it('keeps them while the config has an unrelated error, and follows a rename made meanwhile', async () => {
    await replace(document, ['logLevel: info', 'logLevel: loud'], ['name: models', 'name: list-models']);
    await eventually('the error on logLevel', () => errorsOf(document).some((d) => d.range.start.line === lineOf(document, 'logLevel: loud')));
    const rows = await eventually('the renamed route in the tree', async () => {
      const text = await routeRows();
      return text.includes('list-models') ? text : undefined;
    });
    assert.match(rows, /completions/);
    // Drawn in the editor too, above each route.
    await eventually('the CodeLens in the editor', async () => {
      const lenses = (await driver.workbenchText('.monaco-editor .codelens-decoration')).join('\n');
      return (lenses.match(/Send test request/g) ?? []).length === 2 ? lenses : undefined;
    });
    await driver.screenshot('routes-mid-edit');
    assert.deepEqual(
      await eventually('the CodeLens of the edited version', async () => {
        const lenses = await sendLenses(document);
        return lenses.some(([route]) => route === 'list-models') ? lenses : undefined;
      }),
      [
        ['completions', lineOf(document, 'name: completions')],
        ['list-models', lineOf(document, 'name: list-models')],
      ],
    );
    assert.deepEqual((await testItems(document))['completions']?.tests, ['answers']);
  });

  it('adds a route typed into the config with errors to the three views, where it is written', async () => {
    const api = await extensionApi();
    await replace(document, [
      'security:',
      '  - name: embeddings\n    path: /v1/embeddings\n    target: mock://openai\n    tests:\n      - name: embeds\n        expect: { status: 200 }\nsecurity:',
    ]);
    await eventually('the new route in the tree', async () => (await routeRows()).includes('embeddings'));
    assert.deepEqual(
      (
        await eventually('the new CodeLens', async () => {
          const lenses = await sendLenses(document);
          return lenses.length === 3 ? lenses : undefined;
        })
      )[2],
      ['embeddings', lineOf(document, 'name: embeddings')],
    );
    const tests = await eventually('the new route test', async () => (await testItems(document))['embeddings']);
    assert.deepEqual(tests, { tests: ['embeds'], line: lineOf(document, 'name: embeddings'), testLines: [lineOf(document, 'name: embeds')] });
    assert.ok(errorsOf(document).length > 0, 'the unrelated error is still there');
    const model = await api.documentModels.get(document);
    assert.equal(model?.version, document.version, 'the views show the current version');
  });

  it('marks a route with an error of its own and keeps it in place', async () => {
    const api = await extensionApi();
    await replace(document, ['    path: /v1/embeddings', '    path: /v1/embeddings\n    retries: many']);
    const icon = await eventually('the error icon on the route', async () => {
      const nodes = await api.routesView.getChildren();
      const node = nodes.find((n) => n.kind === 'route' && n.route.name === 'embeddings');
      const item = node ? api.routesView.getTreeItem(node) : undefined;
      return item?.iconPath instanceof vscode.ThemeIcon && item.iconPath.id === 'error' ? item : undefined;
    });
    assert.match((icon.tooltip as vscode.MarkdownString).value, /error\(s\) in this route/);
    assert.deepEqual(
      (await api.routesView.getChildren()).map((n) => (n.kind === 'route' ? n.route.name : '')),
      ['completions', 'list-models', 'embeddings'],
    );
  });

  it('Validate Config reports what the language server finds, as the gateway would at start', async () => {
    await vscode.window.showTextDocument(document);
    const invalid = await vscode.commands.executeCommand<Lsp.Validation | undefined>('aiGateway.validateConfig');
    assert.equal(invalid?.version, document.version);
    assert.deepEqual(
      invalid?.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => [d.code, d.range.start.line])
        .sort(),
      [
        ['schema.enum', lineOf(document, 'logLevel: loud')],
        ['schema.type', lineOf(document, 'retries: many')],
      ],
    );
    assert.ok(invalid?.lines.some((l) => l.includes(`${file}:${lineOf(document, 'logLevel: loud') + 1}:`) && l.includes('error')));

    await replace(document, ['logLevel: loud', 'logLevel: info'], ['    retries: many\n', '']);
    const valid = await vscode.commands.executeCommand<Lsp.Validation | undefined>('aiGateway.validateConfig');
    assert.deepEqual(
      valid?.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
  });
});
