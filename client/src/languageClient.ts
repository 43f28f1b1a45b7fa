// Starts the bundled language server (dist/server.js, over stdio) for gateway documents, the first time one is open.
import * as vscode from 'vscode';
import { LanguageClient, NotificationType, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { LANGUAGE_SERVER_NODE_FLAGS } from '../../common/src/nodeFlags';
import { Lsp, type LspNotification, type LspRequest } from '../../common/src/protocol';
import { gatewayLanguageId, isGatewayDocument } from './gatewayDocuments';

const notificationType = <P>(message: LspNotification<P>) => new NotificationType<P>(message.method);

export class GatewayLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly subscription: vscode.Disposable;
  private readonly analyzed = new vscode.EventEmitter<Lsp.AnalysisChanged>();
  /** The server analyzed a new version of a document (`Lsp.AnalysisChangedNotification`). */
  readonly onDidAnalyze = this.analyzed.event;

  constructor(
    private readonly serverPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = vscode.workspace.onDidOpenTextDocument((document) => void this.startFor(document));
    for (const document of vscode.workspace.textDocuments) void this.startFor(document);
  }

  /** Resolves once the server answered `initialize` (tests wait on it). */
  async ready(): Promise<LanguageClient> {
    return this.start();
  }

  /** One of the custom requests of `Lsp`, once the server runs; pending document changes are sent before it. */
  async request<P, R>(message: LspRequest<P, R>, params: P): Promise<R> {
    const client = await this.start();
    return client.sendRequest<R>(message.method, params);
  }

  private async startFor(document: vscode.TextDocument): Promise<void> {
    if (isGatewayDocument(document)) await this.start().catch(() => undefined); // start() already logged the reason
  }

  private async start(): Promise<LanguageClient> {
    if (this.client) {
      if (!this.client.isRunning()) await this.client.start();
      return this.client;
    }
    const run = { module: this.serverPath, transport: TransportKind.stdio, options: { execArgv: [...LANGUAGE_SERVER_NODE_FLAGS] } };
    const serverOptions: ServerOptions = { run, debug: run };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: gatewayLanguageId }],
      outputChannel: this.log,
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}') },
    };
    this.client = new LanguageClient('aiGateway', 'AI Gateway Language Server', serverOptions, clientOptions);
    this.client.onNotification(notificationType(Lsp.AnalysisChangedNotification.type), (params) => this.analyzed.fire(params));
    try {
      await this.client.start();
    } catch (err) {
      this.log.error(`The AI Gateway language server did not start: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    return this.client;
  }

  async stop(): Promise<void> {
    if (this.client?.isRunning()) await this.client.stop();
  }

  dispose(): void {
    this.subscription.dispose();
    this.analyzed.dispose();
    void this.stop();
  }
}
