// Where the cursor is inside an inline collection (`{ requests: 10/min, by: | }`, `methods: [GET, | ]`), read from
// the parsed document: which collection holds it (and its JSON path), and whether a key or a value is being typed.
import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import type { CursorContext } from './cursorContext';
import type { JsonPath } from './schemaAt';

/** Whether `before` (the line up to the cursor) leaves a `{` or `[` open, outside quotes and comments. */
export function opensFlow(before: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const char = before[i] as string;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#' && (i === 0 || /\s/.test(before[i - 1] as string))) break;
    else if (char === '{' || char === '[') depth++;
    else if ((char === '}' || char === ']') && depth > 0) depth--;
  }
  return depth > 0;
}

interface FlowAt {
  node: Node;
  path: JsonPath;
}

function closed(text: string, node: Node): boolean {
  const last = node.range ? text[node.range[1] - 1] : undefined;
  return isMap(node) ? last === '}' : last === ']';
}

/** The innermost inline collection holding `offset` (after its opening bracket, before its closing one). */
function innermostFlow(text: string, root: unknown, offset: number): FlowAt | undefined {
  let found: FlowAt | undefined;
  const visit = (node: unknown, path: JsonPath): void => {
    if (!isMap(node) && !isSeq(node)) return;
    const [start, end] = node.range ?? [0, 0];
    if (offset <= start || offset > end) return;
    if (node.flow) {
      if (closed(text, node) && offset >= end) return;
      found = { node, path };
    }
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item) || !isScalar(item.key)) continue;
        visit(item.value, [...path, String(item.key.value)]);
      }
    } else {
      node.items.forEach((item, index) => visit(item, [...path, index]));
    }
  };
  visit(root, []);
  return found;
}

/** The text of the collection from its bracket to the cursor, cut at its last `,` or `:` outside nested brackets. */
function lastSeparator(text: string): { separator: ',' | ':' | undefined; at: number } {
  let depth = 0;
  let quote: string | undefined;
  let last: { separator: ',' | ':' | undefined; at: number } = { separator: undefined, at: 0 };
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (quote) {
      if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') depth--;
    else if (depth === 0 && char === ',') last = { separator: ',', at: i + 1 };
    else if (depth === 0 && char === ':' && /[\s]/.test(text[i + 1] ?? ' ')) last = { separator: ':', at: i + 1 };
  }
  return last;
}

/** The cursor's context inside an inline collection, or undefined when it is not inside one. */
export function flowContext(text: string, root: unknown, offset: number, before: string): CursorContext | undefined {
  const flow = innermostFlow(text, root, offset);
  if (!flow?.node.range) return undefined;
  const inside = text.slice(flow.node.range[0] + 1, offset);
  const { separator, at } = lastSeparator(inside);
  // What is typed since the last separator, on the cursor's line only: an edit range never reaches back over a line break.
  const sinceSeparator = inside.slice(at).trimStart();
  const typed = sinceSeparator.slice(sinceSeparator.lastIndexOf('\n') + 1).trimStart();
  const prefix = typed.replace(/^["']/, '');
  if (isSeq(flow.node)) {
    const typing = (item: unknown) => isScalar(item) && item.range !== undefined && item.range !== null && item.range[0] <= offset && offset <= item.range[1];
    const siblings = flow.node.items.flatMap((item) => (isScalar(item) && !typing(item) ? [String(item.value)] : []));
    return { path: [...flow.path, 0], kind: 'value', prefix, siblings, newItem: false, before, flow: true };
  }
  const map = flow.node;
  if (!isMap(map)) return undefined;
  const siblings = map.items.flatMap((pair) => (isPair(pair) && isScalar(pair.key) ? [String(pair.key.value)] : []));
  if (separator === ':') {
    const key = inside
      .slice(0, at - 1)
      .split(',')
      .pop()
      ?.trim()
      .replace(/^["']|["']$/g, '');
    return { path: [...flow.path, key ?? ''], kind: 'value', prefix, siblings: [], newItem: false, before, flow: true };
  }
  return { path: flow.path, kind: 'key', prefix, siblings: siblings.filter((s) => s !== prefix), newItem: false, before, flow: true };
}
