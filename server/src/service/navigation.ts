// Go to definition, find references and rename between a security `endpoint` and its route's `path`, and of
// route names.
import { isScalar, type Node } from 'yaml';
import type { Location, Position, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { pathPatternMatches } from '../../../common/src/config';
import type { GatewayAnalysis } from './analysis';
import { nodeAtOffset } from './yamlNodes';

type Symbol = { kind: 'path'; value: string; node: Node } | { kind: 'name'; value: string; node: Node };

/** The range of a scalar's text without its quotes. */
export function innerRange(document: TextDocument, node: Node): Range {
  const [start, end] = node.range as [number, number, number];
  const quoted = isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE');
  return { start: document.positionAt(quoted ? start + 1 : start), end: document.positionAt(quoted ? end - 1 : end) };
}

function symbolAt(document: TextDocument, position: Position, analysis: GatewayAnalysis): Symbol | undefined {
  const found = nodeAtOffset(analysis.result.document.contents, document.offsetAt(position));
  if (!found || found.onKey || !isScalar(found.node)) return undefined;
  const [section, , key] = found.path;
  const value = String(found.node.value);
  if ((section === 'routes' && key === 'path' && found.path.length === 3) || (section === 'security' && key === 'endpoint' && found.path.length === 3)) {
    return { kind: 'path', value, node: found.node };
  }
  if (section === 'routes' && key === 'name' && found.path.length === 3) return { kind: 'name', value, node: found.node };
  return undefined;
}

function pathNodes(analysis: GatewayAnalysis, value: string): { routes: Node[]; endpoints: Node[] } {
  return {
    routes: analysis.routes.filter((r) => r.path === value && r.pathNode).map((r) => r.pathNode as Node),
    endpoints: analysis.security.filter((s) => s.endpoint === value && s.endpointNode).map((s) => s.endpointNode as Node),
  };
}

const location = (document: TextDocument, node: Node): Location => ({ uri: document.uri, range: innerRange(document, node) });

export function findDefinition(document: TextDocument, position: Position, analysis: GatewayAnalysis): Location[] {
  const symbol = symbolAt(document, position, analysis);
  if (!symbol) return [];
  if (symbol.kind === 'name') return [location(document, symbol.node)];
  const exact = pathNodes(analysis, symbol.value).routes;
  if (exact.length > 0 || !symbol.value.endsWith('*')) return exact.map((n) => location(document, n));
  // A prefix endpoint (`/v1/*`) is defined by every route it covers.
  return analysis.routes
    .filter((r) => r.path && r.pathNode && pathPatternMatches(symbol.value, r.path.replace(/\*$/, '')))
    .map((r) => location(document, r.pathNode as Node));
}

export function findReferences(document: TextDocument, position: Position, analysis: GatewayAnalysis): Location[] {
  const symbol = symbolAt(document, position, analysis);
  if (!symbol) return [];
  if (symbol.kind === 'name') return analysis.routes.filter((r) => r.nameNode && r.name === symbol.value).map((r) => location(document, r.nameNode as Node));
  const { routes, endpoints } = pathNodes(analysis, symbol.value);
  return [...routes, ...endpoints].sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0)).map((n) => location(document, n));
}

export function prepareRename(document: TextDocument, position: Position, analysis: GatewayAnalysis): { range: Range; placeholder: string } | null {
  const symbol = symbolAt(document, position, analysis);
  return symbol ? { range: innerRange(document, symbol.node), placeholder: symbol.value } : null;
}

export function rename(document: TextDocument, position: Position, newName: string, analysis: GatewayAnalysis): WorkspaceEdit | null {
  const locations = findReferences(document, position, analysis);
  if (locations.length === 0) return null;
  const edits: TextEdit[] = locations.map((l) => ({ range: l.range, newText: newName }));
  return { changes: { [document.uri]: edits } };
}
