// Which documents are gateway configs: `*.gateway.yaml|yml` and `ai-gateway.yaml|yml` get the language from the
// manifest's filename patterns; a plain YAML file whose first line is `# ai-gateway` is switched to it here
// (VS Code decides `.yaml` by extension before it ever looks at a first line).
import * as vscode from 'vscode';
import { Lsp } from '../../common/src/protocol';

/** Also the manifest's `contributes.languages` id; the language server treats documents of it as configs. */
export const gatewayLanguageId = Lsp.languageId;
export const gatewaySelector: vscode.DocumentSelector = [{ language: gatewayLanguageId }];

const firstLineMarker = /^#\s*ai-gateway\b/;

export function isGatewayDocument(document: vscode.TextDocument): boolean {
  return document.languageId === gatewayLanguageId;
}

function claimsToBeGateway(document: vscode.TextDocument): boolean {
  return document.languageId === 'yaml' && document.lineCount > 0 && firstLineMarker.test(document.lineAt(0).text);
}

async function adopt(document: vscode.TextDocument): Promise<void> {
  if (claimsToBeGateway(document)) await vscode.languages.setTextDocumentLanguage(document, gatewayLanguageId);
}

/** Switches marked YAML documents, open now or later, to the gateway language. */
export function adoptMarkedYamlDocuments(): vscode.Disposable {
  for (const document of vscode.workspace.textDocuments) void adopt(document);
  return vscode.workspace.onDidOpenTextDocument((document) => void adopt(document));
}

/** The gateway config the user most likely means: the active editor's, else the only open one. */
export function activeGatewayDocument(): vscode.TextDocument | undefined {
  const active = vscode.window.activeTextEditor?.document;
  if (active && isGatewayDocument(active)) return active;
  const open = vscode.workspace.textDocuments.filter(isGatewayDocument);
  return open.length === 1 ? open[0] : undefined;
}
