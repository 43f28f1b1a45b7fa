// Go to definition, find references and rename between a security `endpoint` and its route's `path`, and of
// route names.
import { isScalar, type Node } from 'yaml';
import type { Location, Position, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { pathPatternMatches, type Diagnostic } from '../../../common/src/config';
import type { GatewayAnalysis } from './analysis';
import { RequestRefused } from './refusal';
import { schemasAt } from './schemaAt';
import { nodeAtOffset, rangeOfNode } from './yamlNodes';
import { scalarLike } from './yamlText';

/** The config model's diagnostics of a text (with the environment the document is analyzed with). */
export type RenameCheck = (text: string) => Diagnostic[];

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

/** Refuses a new name the schema would refuse (with the schema's own wording), or one another route already has. */
function checkNewName(symbol: Symbol, newName: string, analysis: GatewayAnalysis): void {
  const schema = schemasAt(['routes', 0, symbol.kind]).find((s) => s.pattern !== undefined);
  if (newName === '' || (schema?.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(newName))) {
    throw new RequestRefused(`"${newName}" ${schema?.['x-errorMessage'] ?? 'cannot be used here'}.`);
  }
  if (symbol.kind === 'name') {
    const other = analysis.routes.find((r) => r.nameNode && r.name === newName);
    if (other) throw new RequestRefused(`Route name "${newName}" is already used by route ${other.index + 1}${other.path ? ` (${other.path})` : ''}.`);
  }
}

/** Counts of each diagnostic code, to tell which ones an edit adds. */
function countByCode(diagnostics: Diagnostic[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of diagnostics) counts.set(d.code, (counts.get(d.code) ?? 0) + 1);
  return counts;
}

/**
 * Renames a route name, or a path with every endpoint naming it, quoting the new text where YAML needs it. A new name
 * that would leave a problem the config did not have (a clash, a route no endpoint covers any more) is refused with
 * that problem's message: `check` is the config model's validation of the renamed text.
 */
export function rename(document: TextDocument, position: Position, newName: string, analysis: GatewayAnalysis, check: RenameCheck): WorkspaceEdit | null {
  const symbol = symbolAt(document, position, analysis);
  if (!symbol) return null;
  if (newName === symbol.value) return { changes: { [document.uri]: [] } };
  checkNewName(symbol, newName, analysis);
  const nodes = symbol.kind === 'name' ? [symbol.node] : [...pathNodes(analysis, symbol.value).routes, ...pathNodes(analysis, symbol.value).endpoints];
  const edits: TextEdit[] = nodes.map((node) => ({ range: rangeOfNode(document, node) as Range, newText: scalarLike(node, newName) }));
  const renamed = TextDocument.applyEdits(document, edits);
  const before = check(document.getText());
  const after = check(renamed);
  const [counts, afterCounts] = [countByCode(before), countByCode(after)];
  const grown = after.filter((d) => (counts.get(d.code) ?? 0) < (afterCounts.get(d.code) ?? 0));
  const added = grown.find((d) => !before.some((b) => b.code === d.code && b.message === d.message)) ?? grown[0];
  if (added) throw new RequestRefused(`Renaming "${symbol.value}" to "${newName}" would leave a problem: ${added.message}`);
  return { changes: { [document.uri]: edits } };
}
