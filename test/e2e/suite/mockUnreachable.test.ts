// The setting aiGateway.mockUnreachableTargets, through the whole chain: the extension passes it to the gateway
// process, which serves a target this machine cannot reach with the built-in mock and says so in the log.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extensionApi, openFixture } from './workbench';

const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

async function chat(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody });
  return { status: response.status, text: await response.text() };
}

describe('the setting "Mock Unreachable Targets"', () => {
  const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('aiGateway');
  after(async () => {
    await vscode.commands.executeCommand('aiGateway.stop');
    await settings().update('mockUnreachableTargets', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('off: a target that does not resolve fails; on: the local gateway serves it with the built-in mock', async () => {
    await openFixture('offline.gateway.yaml');
    await extensionApi();
    const withoutMock = await vscode.commands.executeCommand<string | undefined>('aiGateway.start');
    assert.ok(withoutMock);
    assert.equal((await chat(withoutMock)).status, 502, 'without the setting the unreachable target is an upstream error');

    await settings().update('mockUnreachableTargets', true, vscode.ConfigurationTarget.Workspace);
    const url = await vscode.commands.executeCommand<string | undefined>('aiGateway.restart');
    assert.ok(url);
    const answer = await chat(url);
    assert.equal(answer.status, 200, answer.text);
    assert.match(answer.text, /Hello from the AI gateway mock/);
  });
});
