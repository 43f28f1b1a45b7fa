// Writing YAML into a document the way it is already written: a scalar plain when it reads back the same and quoted
// otherwise, a new list item in block or flow style, and a new item appended to a top-level list of any shape.
import { Document, isMap, isScalar, isSeq, parseDocument, visit, type Node } from 'yaml';
import type { TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { findPair } from '../../../common/src/config';

const RENDER = { lineWidth: 0, flowCollectionPadding: true } as const;

/** `value` as a YAML scalar: plain when it reads back as the same string, else double-quoted. */
export function scalarText(value: string): string {
  const plain = parseDocument(`k: ${value}`, { prettyErrors: false });
  const read = isMap(plain.contents) ? findPair(plain.contents, 'k')?.value : undefined;
  const same = plain.errors.length === 0 && isScalar(read) && read.value === value && !value.includes('\n');
  return same ? value : JSON.stringify(value);
}

/** `value` written in the quoting style of the scalar it replaces (plain turns quoted when it must). */
export function scalarLike(node: Node, value: string): string {
  if (isScalar(node) && node.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (isScalar(node) && node.type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  return scalarText(value);
}

/** A mapping as YAML: flow (`{ a: 1 }`) on one line, or block lines with mappings inside lists kept inline. */
export function mappingText(item: Record<string, unknown>, flow: boolean): string {
  const doc = new Document(item);
  visit(doc, {
    Map(_key, map, path) {
      if (flow || path.some((ancestor) => isSeq(ancestor))) map.flow = true;
    },
    Seq(_key, seq) {
      if (flow) seq.flow = true;
    },
  });
  return doc.toString(RENDER).trimEnd();
}

const eolOf = (text: string): string => (text.includes('\r\n') ? '\r\n' : '\n');

/** The offset just after the line that holds `offset - 1` (where a node ending at `offset` ends). */
function afterLineOf(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline + 1;
}

function insertAt(document: TextDocument, offset: number, newText: string): TextEdit {
  const at = document.positionAt(offset);
  return { range: { start: at, end: at }, newText };
}

/** Block lines of an item under a dash at `column`. */
function blockItem(item: Record<string, unknown>, column: number, eol: string): string {
  const pad = ' '.repeat(column);
  return mappingText(item, false)
    .split('\n')
    .map((line, i) => `${pad}${i === 0 ? '- ' : '  '}${line}`)
    .join(eol);
}

/** Lines ending at `offset`, with a line break first when `offset` is not at the start of a line. */
function linesAt(document: TextDocument, offset: number, lines: string): TextEdit {
  const text = document.getText();
  const eol = eolOf(text);
  const lead = offset === 0 || text[offset - 1] === '\n' ? '' : eol;
  return insertAt(document, offset, `${lead}${lines}${eol}`);
}

/**
 * An edit that adds `item` at the end of the top-level list `key`, whatever its shape: missing, empty (`key:` or
 * `key: []`), inline (`key: [{ ... }]`), or a block list, with comments anywhere. Undefined when `key` holds
 * something that is not a list (there is no right place then).
 */
export function appendItem(document: TextDocument, root: unknown, key: string, item: Record<string, unknown>): TextEdit | undefined {
  const text = document.getText();
  const eol = eolOf(text);
  const pair = findPair(root, key);
  if (!pair) {
    if (isMap(root) && root.flow && root.range) {
      // `{ routes: [...] }` written inline: one more pair before its closing brace.
      const last = root.items[root.items.length - 1];
      const end = (last?.value as Node | null)?.range?.[1] ?? (last?.key as Node | null)?.range?.[1];
      const flowItem = `${key}: [ ${mappingText(item, true)} ]`;
      return end === undefined ? insertAt(document, root.range[0] + 1, ` ${flowItem} `) : insertAt(document, end, `, ${flowItem}`);
    }
    if (root !== null && root !== undefined && !isMap(root)) return undefined;
    return linesAt(document, text.length, `${key}:${eol}${blockItem(item, 2, eol)}`);
  }
  const value = pair.value;
  if (isSeq(value) && value.flow && value.range) {
    const last = value.items[value.items.length - 1] as Node | undefined;
    if (last?.range) return insertAt(document, last.range[1], `, ${mappingText(item, true)}`);
    return insertAt(document, value.range[0] + 1, `${mappingText(item, true)}`);
  }
  if (isSeq(value) && value.range && value.items.length > 0) {
    const column = document.positionAt(value.range[0]).character;
    return linesAt(document, afterLineOf(text, value.range[1]), blockItem(item, column, eol));
  }
  const isNull = value === null || (isScalar(value) && value.value === null);
  if (!isNull) return undefined;
  const keyNode = pair.key;
  if (!keyNode.range) return undefined;
  // `key: ~` or `key: null`: the value becomes the list; `key:` alone (maybe with a comment) gets block lines below.
  if (isScalar(value) && value.range && value.range[1] > value.range[0]) {
    const start = document.positionAt(value.range[0]);
    return { range: { start, end: document.positionAt(value.range[1]) }, newText: `[ ${mappingText(item, true)} ]` };
  }
  const column = document.positionAt(keyNode.range[0]).character;
  return linesAt(document, afterLineOf(text, keyNode.range[1]), blockItem(item, column + 2, eol));
}
