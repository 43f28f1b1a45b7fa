// Credentials for test requests, as a user meets them: a route behind an API key answers 401, the editor offers to
// set a credential, the key typed into the (password) prompt goes to SecretStorage, and the request is sent again
// with it: the gateway's trace shows the consumer it authenticated. Nothing of the key lands in the workspace.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { driver } from './driver';
import { eventually, extensionApi, fixtureUri, openFixture, workspaceRoot } from './workbench';

const testKey = 'e2e-route-credential'; // its sha256 is in secured.gateway.yaml

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('test request credentials', () => {
  after(() => vscode.commands.executeCommand('aiGateway.stop'));

  it('a 401 offers "Set Credential"; the key typed into the prompt is kept in SecretStorage and the request succeeds with it', async () => {
    const uri = fixtureUri('secured.gateway.yaml');
    await openFixture('secured.gateway.yaml');
    const api = await extensionApi();
    await vscode.commands.executeCommand('aiGateway.sendTestRequest', { uri, route: 'secured-chat', send: true });
    assert.equal(api.gateway.state.kind === 'running' && api.gateway.state.configPath, uri.fsPath, 'the gateway runs the secured config');
    await eventually('the 401 in the test-request panel', async () => (await driver.webviewText()).find((t) => t.includes('401 Unauthorized')));

    const offer = 'Route "secured-chat" answered 401 Unauthorized: it needs an API key or JWT.';
    await eventually('the offer to set a credential', async () => (await driver.workbenchText('.notifications-toasts')).join('\n').includes(offer));
    await driver.click('.notifications-toasts .monaco-button:has-text("Set Credential")');
    await eventually('the credential prompt', async () =>
      (await driver.workbenchText('.quick-input-widget')).join('\n').includes('API key or JWT for test requests to "secured-chat"'),
    );
    await driver.screenshot('credential-prompt');
    await driver.type(testKey);
    await driver.press('Enter');

    // The answer, the gateway's trace (the consumer it authenticated) and the history arrive as separate messages.
    const answered =
      /200 OK[\s\S]*route secured-chat, consumer e2e, 200 in[\s\S]*History[\s\S]*POST \/v1\/chat\/completions\s*200[\s\S]*POST \/v1\/chat\/completions\s*401/;
    let seen: string[] = [];
    await eventually('the re-sent request answered 200, traced as consumer e2e, newest first in the history', async () => {
      seen = await driver.webviewText();
      return seen.find((t) => answered.test(t));
    }).catch((err: Error) => assert.fail(`${err.message}; the webviews showed:\n${seen.join('\n---\n')}`));
    const leaked = filesUnder(workspaceRoot()).filter((file) => fs.readFileSync(file, 'utf8').includes(testKey));
    assert.deepEqual(leaked, [], 'the key is in no workspace file (settings included)');
  });
});
