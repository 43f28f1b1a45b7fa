// Provider targets in the editor: the language server completes a provider's known models and warns about one it
// does not know; the local gateway translates for the provider, and the test-request panel's trace names the provider
// and the model and shows the request as translated, its key redacted.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { driver } from './driver';
import { eventually, extensionApi, fixtureUri, openFixture } from './workbench';

const FIXTURE = 'providers.gateway.yaml';

function lineOf(document: vscode.TextDocument, text: string): number {
  const line = document
    .getText()
    .split('\n')
    .findIndex((l) => l.includes(text));
  assert.ok(line >= 0, `"${text}" is in ${FIXTURE}`);
  return line;
}

describe('provider targets', () => {
  after(async () => {
    await vscode.commands.executeCommand('aiGateway.stop');
  });

  it("completes the provider's known models, and warns about a model it does not know", async () => {
    const document = await openFixture(FIXTURE);
    await (await extensionApi()).languageClient.ready();
    const line = lineOf(document, 'model: claude-haiku-4-5');
    const position = new vscode.Position(line, document.lineAt(line).text.indexOf('claude'));
    const labels = await eventually('model completions', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position);
      const names = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      return names.includes('claude-haiku-4-5') ? names : undefined;
    });
    assert.ok(labels.includes('claude-opus-4-5'));
    assert.ok(!labels.some((name) => name.startsWith('gpt-')), "only the target's provider's models");

    const typo = new vscode.WorkspaceEdit();
    const start = document.lineAt(line).text.indexOf('claude-haiku-4-5');
    typo.replace(document.uri, new vscode.Range(line, start, line, start + 'claude-haiku-4-5'.length), 'claude-haiku-4.5');
    assert.ok(await vscode.workspace.applyEdit(typo));
    try {
      const warning = await eventually('the unknown-model warning', () =>
        vscode.languages.getDiagnostics(document.uri).find((d) => String(d.code) === 'provider.unknownModel'),
      );
      assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
      assert.match(warning.message, /Did you mean "claude-haiku-4-5"\?/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  it('sends a test request through the provider target; the trace shows the provider, the model and the translated request', async () => {
    await openFixture(FIXTURE);
    const url = await vscode.commands.executeCommand<string | undefined>('aiGateway.start');
    assert.ok(url);
    await vscode.commands.executeCommand('aiGateway.sendTestRequest', { uri: fixtureUri(FIXTURE), route: 'claude', send: true });
    const text = await eventually('the trace of the provider request in the test-request panel', async () =>
      (await driver.webviewText()).find((t) => t.includes('Hello from the AI gateway mock') && t.includes('provider anthropic, model claude-haiku-4-5')),
    );
    assert.match(text, /200 OK/);
    assert.match(text, /provider: anthropic claude-haiku-4-5: POST http:\/\/127\.0\.0\.1:\d+\/v1\/messages/);
    assert.match(text, /x-api-key: \*\*\*/);
    assert.match(text, /anthropic-version: 2023-06-01/);
    assert.match(text, /"max_tokens":4096/, 'the translated body, with the default Anthropic requires');
    await driver.screenshot('provider-trace');
  });
});
