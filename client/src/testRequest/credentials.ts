// Credentials for test requests live in VS Code's SecretStorage (the OS keychain), never in settings files:
// one per route, or one for every route.
import type * as vscode from 'vscode';

const anyRoute = '*';
const keyOf = (route: string): string => `aiGateway.credential:${route}`;

export class RequestCredentials {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async forRoute(route: string): Promise<string | undefined> {
    return (await this.secrets.get(keyOf(route))) ?? (await this.secrets.get(keyOf(anyRoute)));
  }

  /** `route` undefined: the credential for every route without its own. */
  async set(route: string | undefined, value: string): Promise<void> {
    await this.secrets.store(keyOf(route ?? anyRoute), value);
  }

  async clear(route: string | undefined): Promise<void> {
    await this.secrets.delete(keyOf(route ?? anyRoute));
  }
}
