// When a test request is refused with 401, offer to store a credential for the route (SecretStorage, the OS keychain)
// instead of leaving the user to find the "Set Test Request Credential" command; the panel then sends it again.
import * as vscode from 'vscode';
import type { RequestCredentials } from './credentials';

export const setCredentialAction = 'Set Credential';

/** Resolves true once a credential for `route` was stored. */
export async function promptForCredential(credentials: RequestCredentials, route: string, hadCredential: boolean): Promise<boolean> {
  const why = hadCredential ? 'refused the stored credential' : 'needs an API key or JWT';
  const choice = await vscode.window.showWarningMessage(`Route "${route}" answered 401 Unauthorized: it ${why}.`, setCredentialAction);
  if (choice !== setCredentialAction) return false;
  const value = await askCredential(`API key or JWT for test requests to "${route}"`);
  if (!value) return false;
  await credentials.set(route, value);
  return true;
}

export function askCredential(title: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt: 'Stored in the OS keychain (VS Code SecretStorage), never in settings; sent as Authorization: Bearer.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (/\s/.test(value.trim()) ? 'A credential has no spaces' : undefined),
  });
}
