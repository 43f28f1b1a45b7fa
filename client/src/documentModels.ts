// What the extension knows of each open gateway document: the language server's model of it (routes with their
// ranges, tests, the listen address), asked for once per document version. The extension parses no YAML itself;
// when the server has analyzed a change it says so, and the views showing that document ask again.
import * as vscode from 'vscode';
import { Lsp } from '../../common/src/protocol';
import type { GatewayLanguageClient } from './languageClient';

interface Entry {
  version: number;
  model: Promise<Lsp.DocumentModel | undefined>;
  answered?: Lsp.DocumentModel;
}

export function toRange(range: Lsp.Route['range']): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

export class GatewayDocumentModels implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** The server analyzed a new version of this document: what a view shows of it may have changed. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly languageClient: GatewayLanguageClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      this.changed,
      languageClient.onDidAnalyze(({ uri, version }) => {
        const known = this.entries.get(uri);
        if (!known?.answered || known.answered.version < version) this.entries.delete(uri);
        this.changed.fire(vscode.Uri.parse(uri));
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.entries.delete(document.uri.toString())),
    ];
  }

  /** The model of the document's current version (or a newer one); undefined when the language server cannot answer. */
  get(document: vscode.TextDocument): Promise<Lsp.DocumentModel | undefined> {
    const uri = document.uri.toString();
    const known = this.entries.get(uri);
    if (known && known.version >= document.version) return known.model;
    const entry: Entry = { version: document.version, model: Promise.resolve(undefined) };
    entry.model = this.languageClient.request(Lsp.DocumentModelRequest.type, { uri }).then(
      (model) => {
        if (model) entry.answered = model;
        else if (this.entries.get(uri) === entry) this.entries.delete(uri); // not open on the server yet: ask again later
        return model ?? undefined;
      },
      (err: unknown) => {
        if (this.entries.get(uri) === entry) this.entries.delete(uri);
        this.log.warn(
          `The language server did not describe ${vscode.workspace.asRelativePath(document.uri)}: ${err instanceof Error ? err.message : String(err)}`,
        );
        return undefined;
      },
    );
    this.entries.set(uri, entry);
    return entry.model;
  }

  /** The document judged as the gateway's start judges it; undefined when the language server cannot answer. */
  async validate(document: vscode.TextDocument): Promise<Lsp.Validation | undefined> {
    return (await this.languageClient.request(Lsp.ValidateRequest.type, { uri: document.uri.toString() })) ?? undefined;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
