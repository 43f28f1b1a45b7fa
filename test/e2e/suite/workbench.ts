// Helpers for the e2e tests: the fixture workspace, the extension's API, and waiting on conditions with a deadline.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GatewayExtensionApi } from '../../../client/src/extension';

export const extensionId = 'ai-gateway.ai-gateway-vscode';

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('e2e: VS Code was started without the fixture workspace folder');
  return folder.uri.fsPath;
}

export function fixtureUri(relativePath: string): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceRoot(), relativePath));
}

export async function openFixture(relativePath: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(fixtureUri(relativePath));
  await vscode.window.showTextDocument(document);
  return document;
}

export async function extensionApi(): Promise<GatewayExtensionApi> {
  const extension = vscode.extensions.getExtension<GatewayExtensionApi>(extensionId);
  if (!extension) throw new Error(`e2e: ${extensionId} is not loaded`);
  return extension.activate();
}

/**
 * Re-checks `probe` each time the editor reports a change (or at most every 100 ms) until it returns a value,
 * failing with `what` after the deadline. For UI state that has no event of its own (webview DOM, tree rows).
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`e2e: timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves with the first event that satisfies `accept`. */
export function nextEvent<T>(event: vscode.Event<T>, accept: (value: T) => boolean = () => true, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error('e2e: the expected event did not come'));
    }, timeoutMs);
    const subscription = event((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(value);
    });
  });
}
