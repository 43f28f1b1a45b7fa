// The Traffic view's commands: connect it to a gateway the editor did not start (its URL and admin key: without the
// key the view stays off), and run the local gateway in record mode so its upstream answers become replay fixtures.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AIGateway } from '../../../sdk/src';
import type { GatewayProcess } from '../gatewayProcess';
import type { TrafficView } from './trafficView';

export async function connectTraffic(view: TrafficView): Promise<boolean> {
  const url = await vscode.window.showInputBox({
    title: 'Traffic of another gateway (1/2)',
    prompt: 'The gateway (or admin listener) URL',
    value: 'http://127.0.0.1:8080',
    ignoreFocusOut: true,
    validateInput: (value) => (/^https?:\/\/\S+$/.test(value) ? undefined : 'A URL like http://127.0.0.1:8080'),
  });
  if (!url) return false;
  const apiKey = await vscode.window.showInputBox({
    title: 'Traffic of another gateway (2/2)',
    prompt: `The admin key of ${url} (its AI_GATEWAY_API_KEY); kept for this window only`,
    password: true,
    ignoreFocusOut: true,
  });
  if (!apiKey) return false;
  const client = new AIGateway({ url, apiKey });
  try {
    await client.routes({ timeoutMs: 5_000 }); // the key is checked now, not on the first row
  } catch (err) {
    void vscode.window.showErrorMessage(`Cannot read the traffic of ${url}: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
  view.connectRemote(url, client);
  await vscode.commands.executeCommand('aiGateway.traffic.focus');
  return true;
}

/** Restarts the local gateway as `ai-gateway-cli record` on the config, into a folder beside it (fixtures/ by default). */
export async function recordFixtures(config: vscode.TextDocument, gateway: GatewayProcess, log: vscode.LogOutputChannel): Promise<string | undefined> {
  const folder = await vscode.window.showInputBox({
    title: 'Record upstream answers into',
    prompt: 'A folder, relative to the config file; a route with target: replay://<folder>/ serves them back',
    value: 'fixtures',
    ignoreFocusOut: true,
  });
  if (!folder) return undefined;
  if (config.isDirty) await config.save();
  const dir = path.resolve(path.dirname(config.uri.fsPath), folder);
  try {
    const running = await gateway.start(config.uri.fsPath, { recordTo: dir });
    void vscode.window.showInformationMessage(
      `Recording upstream answers into ${vscode.workspace.asRelativePath(dir)}: send your requests through ${running.url}; Start Local Gateway (or Stop) ends the recording.`,
    );
    return running.url;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error(message);
    void vscode.window.showErrorMessage(message.split('\n')[0] ?? message);
    return undefined;
  }
}
