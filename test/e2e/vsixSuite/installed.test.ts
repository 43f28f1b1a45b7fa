// The extension installed from the .vsix (not the development folder) activates offline, its bundled language
// server reports diagnostics, and its bundled runtime starts a gateway that answers.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually, extensionApi, extensionId, openFixture } from '../suite/workbench';

describe('the installed .vsix', () => {
  it('is the copy in the fresh extensions dir, and activates on a gateway config', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is installed`);
    const extensionsDir = process.env['AI_GATEWAY_E2E_EXTENSIONS_DIR'] ?? '';
    assert.ok(
      extensionsDir !== '' && extension.extensionPath.startsWith(path.resolve(extensionsDir) + path.sep),
      `${extension.extensionPath} is under ${extensionsDir}`,
    );
    const document = await openFixture('ai-gateway.yaml');
    await extensionApi();
    assert.equal(extension.isActive, true);
    assert.equal(document.languageId, 'ai-gateway-yaml');
  });

  it('carries its icon and every picture and page of its walkthrough', () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension);
    const manifest = extension.packageJSON as { icon: string; contributes: { walkthroughs: { steps: { media: { image?: string; markdown?: string } }[] }[] } };
    const files = [manifest.icon, ...manifest.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.image ?? s.media.markdown ?? ''))];
    assert.equal(files.length, 5);
    for (const file of files) assert.ok(fs.existsSync(path.join(extension.extensionPath, file)), `${file} is in the package`);
  });

  it('its bundled language server reports a bad config', async () => {
    const document = await openFixture('broken.gateway.yaml');
    await (await extensionApi()).languageClient.ready();
    const diagnostics = await eventually('diagnostics from the bundled server', () => {
      const found = vscode.languages.getDiagnostics(document.uri);
      return found.length > 0 ? found : undefined;
    });
    assert.ok(
      diagnostics.some((d) => /round-robin/.test(d.message)),
      diagnostics.map((d) => d.message).join('; '),
    );
  });

  it('its bundled runtime starts a local gateway that answers, and stops', async () => {
    await openFixture('ai-gateway.yaml');
    const api = await extensionApi();
    const url = await vscode.commands.executeCommand<string | undefined>('aiGateway.start');
    assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(response.status, 200);
    await vscode.commands.executeCommand('aiGateway.stop');
    assert.equal(api.gateway.state.kind, 'stopped');
  });
});
