// The extension activates on a gateway config and contributes its commands.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi, extensionId, openFixture } from './workbench';

describe('activation', () => {
  it('activates on an ai-gateway.yaml marked "# ai-gateway" and gives it the gateway language', async () => {
    const document = await openFixture('ai-gateway.yaml');
    await extensionApi();
    assert.equal(vscode.extensions.getExtension(extensionId)?.isActive, true);
    assert.equal(document.languageId, 'ai-gateway-yaml');
  });

  it('registers every AI Gateway command', async () => {
    const commands = new Set(await vscode.commands.getCommands(true));
    const expected = ['start', 'stop', 'restart', 'showRoutes', 'showMetrics', 'sendTestRequest', 'runRouteTests', 'validateConfig', 'showLogs', 'newConfig'];
    assert.deepEqual(
      expected.filter((id) => !commands.has(`aiGateway.${id}`)),
      [],
    );
  });
});
