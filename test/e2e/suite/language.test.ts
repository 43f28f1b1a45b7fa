// The bundled language server, through the extension's language client: diagnostics on a bad config and
// completion from the schema, as the editor shows them.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LANGUAGE_SERVER_NODE_FLAGS } from '../../../common/src/nodeFlags';
import { eventually, extensionApi, openFixture } from './workbench';

describe('language server', () => {
  it('reports a bad config as a diagnostic on the offending value', async () => {
    const document = await openFixture('broken.gateway.yaml');
    assert.equal(document.languageId, 'ai-gateway-yaml');
    await (await extensionApi()).languageClient.ready();
    const diagnostics = await eventually('diagnostics on broken.gateway.yaml', () => {
      const found = vscode.languages.getDiagnostics(document.uri);
      return found.length > 0 ? found : undefined;
    });
    const line = document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('loadBalancing: fastest'));
    const onValue = diagnostics.find((d) => d.range.start.line === line);
    assert.ok(onValue, `a diagnostic on line ${line + 1}: ${diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('; ')}`);
    assert.equal(onValue.severity, vscode.DiagnosticSeverity.Error);
    assert.match(onValue.message, /round-robin/);
  });

  it('runs the server with its node flags (the large-config open depends on them)', async () => {
    await (await extensionApi()).languageClient.ready();
    const servers = (await readdir('/proc'))
      .filter((entry) => /^\d+$/.test(entry))
      .map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        } catch {
          return []; // the process ended meanwhile
        }
      })
      .filter((argv) => argv.some((arg) => arg.endsWith(`${path.sep}server.js`)) && argv.includes('--stdio'));
    assert.ok(servers.length > 0, 'the language server process is found');
    for (const argv of servers) for (const flag of LANGUAGE_SERVER_NODE_FLAGS) assert.ok(argv.includes(flag), `${flag} in ${argv.join(' ')}`);
  });

  it('completes the values of loadBalancing from the schema', async () => {
    const document = await openFixture('broken.gateway.yaml');
    const line = document
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('loadBalancing: fastest'));
    const position = new vscode.Position(line, document.lineAt(line).text.indexOf('fastest'));
    const list = await eventually('completion items', async () => {
      const result = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position);
      return result.items.length > 0 ? result : undefined;
    });
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const value of ['round-robin', 'weighted', 'least-connections', 'least-latency'])
      assert.ok(labels.includes(value), `${value} in ${labels.join(', ')}`);
  });
});
