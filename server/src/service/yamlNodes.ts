// From a place in the text to the YAML node there (and its JSON path), and from nodes back to LSP ranges.
import { isMap, isScalar, isSeq, isPair, type Node, type Pair } from 'yaml';
import type { Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { JsonPath } from './schemaAt';

export interface NodeAtOffset {
  path: JsonPath;
  /** The innermost node containing the offset (a key scalar when `onKey`). */
  node: Node;
  onKey: boolean;
  /** The pair whose key or value holds the offset, when there is one. */
  pair?: Pair<Node, Node>;
  /** Ancestors from the root down, for selection ranges. */
  ancestors: Node[];
}

const within = (node: Node | null | undefined, offset: number): node is Node => !!node && !!node.range && node.range[0] <= offset && offset <= node.range[1];

export function keyText(pair: Pair<unknown, unknown>): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

export function nodeAtOffset(contents: unknown, offset: number): NodeAtOffset | undefined {
  if (!within(contents as Node, offset)) return undefined;
  let node = contents as Node;
  const path: JsonPath = [];
  const ancestors: Node[] = [];
  let pairOf: Pair<Node, Node> | undefined;
  for (;;) {
    ancestors.push(node);
    let next: Node | undefined;
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const pair = item as Pair<Node, Node>;
        const key = keyText(pair);
        if (key === undefined) continue;
        if (within(pair.key, offset)) return { path: [...path, key], node: pair.key, onKey: true, pair, ancestors };
        if (within(pair.value, offset)) {
          path.push(key);
          next = pair.value;
          pairOf = pair;
          break;
        }
      }
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => within(item as Node, offset));
      if (index >= 0) {
        path.push(index);
        next = node.items[index] as Node;
        pairOf = undefined;
      }
    }
    if (!next) return { path, node, onKey: false, ...(pairOf ? { pair: pairOf } : {}), ancestors };
    node = next;
  }
}

export function rangeOfNode(document: TextDocument, node: Node | null | undefined): Range | undefined {
  if (!node?.range) return undefined;
  return { start: document.positionAt(node.range[0]), end: document.positionAt(node.range[1]) };
}

/** The text range of a whole pair, from its key to the end of its value. */
export function rangeOfPair(document: TextDocument, pair: Pair<unknown, unknown>): Range | undefined {
  const key = pair.key as Node | null;
  const value = pair.value as Node | null;
  if (!key?.range) return undefined;
  const end = value?.range ? value.range[1] : key.range[1];
  return { start: document.positionAt(key.range[0]), end: document.positionAt(end) };
}
