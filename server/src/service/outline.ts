// The document's shape for the editor: symbols (routes and security rules, for the outline and breadcrumbs),
// folding ranges and selection ranges.
import { isMap, isPair, isSeq, type Node, type Pair } from 'yaml';
import { SymbolKind, type DocumentSymbol, type FoldingRange, type Position, type Range, type SelectionRange } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { GatewayAnalysis } from './analysis';
import { keyText, nodeAtOffset, rangeOfNode, rangeOfPair } from './yamlNodes';

function symbol(name: string, kind: SymbolKind, range: Range, selectionRange: Range, detail?: string, children?: DocumentSymbol[]): DocumentSymbol {
  return { name: name === '' ? '(unnamed)' : name, kind, range, selectionRange, ...(detail ? { detail } : {}), ...(children ? { children } : {}) };
}

export function documentSymbols(document: TextDocument, analysis: GatewayAnalysis): DocumentSymbol[] {
  const contents = analysis.result.document.contents;
  if (!isMap(contents)) return [];
  return contents.items.flatMap((item) => {
    if (!isPair(item)) return [];
    const key = keyText(item);
    const range = rangeOfPair(document, item);
    const keyRange = rangeOfNode(document, item.key);
    if (key === undefined || !range || !keyRange) return [];
    if (key === 'routes') {
      const children = analysis.routes.map((r) => {
        const at = rangeOfNode(document, r.nameNode ?? r.pathNode) ?? r.itemRange;
        return symbol(r.name, SymbolKind.Function, r.itemRange, at, r.path);
      });
      return [symbol(key, SymbolKind.Array, range, keyRange, `${children.length} routes`, children)];
    }
    if (key === 'security') {
      const children = analysis.security.map((s) => {
        const at = rangeOfNode(document, s.endpointNode) ?? s.itemRange;
        return symbol(s.endpoint ?? `rule ${s.index + 1}`, SymbolKind.Key, s.itemRange, at, 'security rule');
      });
      return [symbol(key, SymbolKind.Array, range, keyRange, `${children.length} rules`, children)];
    }
    return [symbol(key, isMap(item.value) ? SymbolKind.Module : SymbolKind.Property, range, keyRange)];
  });
}

export function foldingRanges(document: TextDocument, analysis: GatewayAnalysis): FoldingRange[] {
  const out: FoldingRange[] = [];
  const walk = (node: unknown): void => {
    if (!isMap(node) && !isSeq(node)) return;
    for (const item of node.items) {
      const child = isPair(item) ? (item as Pair<Node, Node>).value : (item as Node);
      const start = isPair(item) ? (item.key as Node | null)?.range?.[0] : (item as Node | null)?.range?.[0];
      if (child && child.range && start !== undefined && (isMap(child) || isSeq(child))) {
        const startLine = document.positionAt(start).line;
        const end = document.positionAt(child.range[1]);
        const endLine = end.character === 0 ? end.line - 1 : end.line;
        if (endLine > startLine) out.push({ startLine, endLine });
      }
      walk(child);
    }
  };
  walk(analysis.result.document.contents);
  return out;
}

export function selectionRanges(document: TextDocument, positions: Position[], analysis: GatewayAnalysis): SelectionRange[] {
  return positions.map((position) => {
    const found = nodeAtOffset(analysis.result.document.contents, document.offsetAt(position));
    const chain: Range[] = [];
    for (const node of found?.ancestors ?? []) {
      if (node === found?.node) continue;
      const r = rangeOfNode(document, node);
      if (r) chain.push(r);
    }
    const pairRange = found?.pair ? rangeOfPair(document, found.pair) : undefined;
    if (pairRange) chain.push(pairRange);
    const own = rangeOfNode(document, found?.node);
    if (own) chain.push(own);
    let selection: SelectionRange | undefined;
    for (const range of chain) selection = { range, ...(selection ? { parent: selection } : {}) };
    return selection ?? { range: { start: position, end: position } };
  });
}
