// The extension's face in the Extensions view (its icon) and its getting-started walkthrough, driven by its buttons as
// a new user would: new config, start, send a test request, see the metrics.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { driver } from './driver';
import { eventually, extensionApi, extensionId, openFixture } from './workbench';

const walkthrough = `${extensionId}#gettingStarted`;

/** Expands the walkthrough step titled `title` and clicks its button labelled `button`. */
async function clickStepButton(title: string, button: string): Promise<void> {
  await driver.click(`.getting-started-step:has-text("${title}")`);
  await eventually(`the "${title}" step expanded`, async () => (await driver.workbenchText('.getting-started-step.expanded')).join().includes(button));
  await driver.click(`.getting-started-step.expanded a:has-text("${button}")`);
}

const quickPickRows = () => driver.workbenchText('.quick-input-widget:not([style*="display: none"]) .quick-input-list .monaco-list-row');

/** Picks the row labelled exactly `label` in the quick pick a command opened, by clicking it. */
async function pick(label: string): Promise<void> {
  await eventually(`the quick pick offering ${label}`, async () => (await quickPickRows()).includes(label));
  await driver.click(`.quick-input-list .monaco-list-row:has(:text-is("${label}"))`);
  await eventually('the quick pick closed', async () => (await quickPickRows()).length === 0);
}

describe('getting started', () => {
  it('has a 128x128 PNG icon', () => {
    const extension = vscode.extensions.getExtension(extensionId);
    const icon = (extension?.packageJSON as { icon?: string } | undefined)?.icon;
    assert.ok(extension && icon, 'package.json names an icon');
    const png = fs.readFileSync(path.join(extension.extensionPath, icon));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });

  it('walks from a new config to a running gateway, a test request and its metrics, each step by its button', async function () {
    this.timeout(120_000);
    const api = await extensionApi();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('notifications.clearAll');
    await openFixture('ai-gateway.yaml');
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthrough, false);
    const steps = await eventually('the walkthrough steps', async () => {
      const titles = await driver.workbenchText('.getting-started-step .step-title');
      return titles.length === 4 ? titles : undefined;
    });
    assert.deepEqual(steps, ['Create a gateway config', 'Start the local gateway', 'Send a test request', 'See the metrics']);
    await driver.screenshot('walkthrough');

    // 1. The workspace has an ai-gateway.yaml already, so the starter opens unsaved: it has no errors.
    await clickStepButton('Create a gateway config', 'New Gateway Config');
    const starter = await eventually('the new config in an editor', () => {
      const document = vscode.window.activeTextEditor?.document;
      return document?.isUntitled && document.languageId === 'ai-gateway-yaml' ? document : undefined;
    });
    await api.languageClient.ready();
    await eventually('the starter config validated clean', () => {
      const text = starter.getText();
      return (
        text.includes('mock://openai') &&
        vscode.languages.getDiagnostics(starter.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length === 0
      );
    });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');

    // 2. From the walkthrough no editor is active: Start takes the one config open, or asks which when several are.
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthrough, false);
    await clickStepButton('Start the local gateway', 'Start Local Gateway');
    assert.deepEqual(await driver.workbenchText('.getting-started-media img'), [''], 'the step shows its picture');
    const asked = await eventually('the gateway running, or a question which config', async () => {
      if (api.gateway.state.kind === 'running') return 'started';
      return (await quickPickRows()).includes('ai-gateway.yaml') ? 'asked' : undefined;
    });
    if (asked === 'asked') await pick('ai-gateway.yaml');
    await eventually('the gateway running', () => api.gateway.state.kind === 'running');
    assert.equal(api.gateway.state.kind === 'running' && path.basename(api.gateway.state.configPath), 'ai-gateway.yaml');

    // 3. Send Test Request takes the running gateway's config and asks which route.
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthrough, false);
    await clickStepButton('Send a test request', 'Send Test Request');
    await pick('chat');
    await eventually('the test-request panel for the chat route', async () =>
      (await driver.webviewText()).some((t) => t.includes('Route: chat') && t.includes('Copy as curl')),
    );

    // 4. Show Metrics opens the live panel.
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthrough, false);
    await clickStepButton('See the metrics', 'Show Metrics');
    await eventually('the metrics panel', async () => (await driver.webviewText()).some((t) => t.includes('Live')));
    await vscode.commands.executeCommand('aiGateway.stop');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
