// A real LSP client over stdio for the server tests and `bench:lsp`: spawns a language server process and speaks
// JSON-RPC to it with vscode-jsonrpc, answering the few requests servers send back (configuration, registration).
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic } from 'vscode-languageserver';
import { LANGUAGE_SERVER_NODE_FLAGS } from '../../common/src/nodeFlags';
import { repoRoot } from '../support/cli';

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
}

/** How to start our server (with the flags the extension gives it): the compiled JS under `npm test`, the source through tsx otherwise. */
export function ourServerCommand(): { command: string; args: string[] } {
  if (__filename.endsWith('.ts')) {
    return { command: process.execPath, args: [...LANGUAGE_SERVER_NODE_FLAGS, '--require', 'tsx/cjs', path.join(repoRoot, 'server/src/server.ts'), '--stdio'] };
  }
  return { command: process.execPath, args: [...LANGUAGE_SERVER_NODE_FLAGS, path.join(repoRoot, 'out/server/src/server.js'), '--stdio'] };
}

export function yamlLanguageServerCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [path.join(repoRoot, 'node_modules/yaml-language-server/bin/yaml-language-server'), '--stdio'] };
}

export class LspClient {
  readonly connection: MessageConnection;
  private readonly process: ChildProcess;
  private readonly published: PublishedDiagnostics[] = [];
  private readonly waiters: { uri: string; resolve: (p: PublishedDiagnostics) => void }[] = [];
  stderr = '';
  /** The window/logMessage texts the server sent (ours logs how long its warm-up took). */
  readonly logMessages: string[] = [];

  constructor(command: { command: string; args: string[] }, settings: Record<string, unknown> = {}) {
    this.process = spawn(command.command, command.args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    const { stdout, stdin } = this.process;
    if (!stdout || !stdin) throw new Error('language server process has no stdio');
    this.connection = createMessageConnection(new StreamMessageReader(stdout), new StreamMessageWriter(stdin));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      const waiter = this.waiters.findIndex((w) => w.uri === p.uri);
      if (waiter >= 0) this.waiters.splice(waiter, 1)[0]?.resolve(p);
      else this.published.push(p);
    });
    this.connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
      p.items.map((item) => (item.section ? (settings[item.section] ?? null) : settings)),
    );
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification('window/logMessage', (p: { message: string }) => {
      this.logMessages.push(p.message);
    });
    this.connection.onNotification(() => undefined);
    this.connection.listen();
  }

  /** The next diagnostics published for `uri` (one already received and not yet taken counts). */
  nextDiagnostics(uri: string): Promise<PublishedDiagnostics> {
    const ready = this.published.findIndex((p) => p.uri === uri);
    if (ready >= 0) return Promise.resolve(this.published.splice(ready, 1)[0] as PublishedDiagnostics);
    return new Promise((resolve) => this.waiters.push({ uri, resolve }));
  }

  /** Forget diagnostics received so far, so the next wait sees only what a later change produces. */
  discardDiagnostics(): void {
    this.published.length = 0;
  }

  /** The server's process id (undefined once it could not be spawned). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  async initialize(initializationOptions: Record<string, unknown> = {}): Promise<{ capabilities: Record<string, unknown> }> {
    const result = await this.connection.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: process.pid,
      rootUri: null,
      initializationOptions,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'refactor.rewrite'] } } },
          rename: { prepareSupport: true },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        },
      },
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  open(uri: string, text: string, languageId = 'yaml', version = 1): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  async shutdown(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.process.once('exit', (code) => resolve(code)));
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    return code;
  }

  kill(): void {
    this.connection.dispose();
    this.process.kill();
  }
}
