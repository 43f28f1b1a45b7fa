// A gateway document as the extension's features see it: the typed config from the one config model
// (common/src/config) plus where each route sits in the text, for CodeLens, reveal and the Testing view.
import * as vscode from 'vscode';
import { loadConfig, type Diagnostic, type GatewayConfig, type RouteConfig } from '../../common/src/config';
import { rangeAt } from '../../common/src/config';

export interface LocatedRoute {
  route: RouteConfig;
  index: number;
  /** The route's whole entry under `routes:`. */
  range: vscode.Range;
  /** Where each of its `tests:` entries is. */
  testRanges: vscode.Range[];
}

export interface ParsedGatewayDocument {
  uri: vscode.Uri;
  version: number;
  config?: GatewayConfig;
  diagnostics: Diagnostic[];
  routes: LocatedRoute[];
}

const cache = new Map<string, ParsedGatewayDocument>();

function toRange(range: Diagnostic['range']): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

/** Parses once per document version. */
export function parseGatewayDocument(document: vscode.TextDocument): ParsedGatewayDocument {
  const key = document.uri.toString();
  const cached = cache.get(key);
  if (cached && cached.version === document.version) return cached;
  const result = loadConfig(document.getText(), { mode: 'editor', baseDir: vscode.Uri.joinPath(document.uri, '..').fsPath });
  const routes = (result.config?.routes ?? []).map((route, index) => ({
    route,
    index,
    range: toRange(rangeAt(result, ['routes', index])),
    testRanges: route.tests.map((_, t) => toRange(rangeAt(result, ['routes', index, 'tests', t]))),
  }));
  const parsed = { uri: document.uri, version: document.version, config: result.config, diagnostics: result.diagnostics, routes };
  cache.set(key, parsed);
  return parsed;
}

export function forgetGatewayDocument(uri: vscode.Uri): void {
  cache.delete(uri.toString());
}
