// Where the cursor is, read from the text by indentation alone, so completion works in half-typed documents that
// do not parse: the JSON path of the enclosing map or sequence, whether a key or a value is being typed, and the
// keys already present beside it.
import type { JsonPath } from './schemaAt';

export interface CursorContext {
  /** Path of the object whose key is typed, or of the value being typed. */
  path: JsonPath;
  kind: 'key' | 'value';
  /** The word typed so far. */
  prefix: string;
  /** Sibling keys already in the map (for key completion). */
  siblings: string[];
  /** A `- ` starts this line: the key opens a new sequence item. */
  newItem: boolean;
  /** Text of the line before the cursor. */
  before: string;
  /** Inside an inline `{ }` or `[ ]`: keys are written `key: value` on the line, without block snippets. */
  flow?: boolean;
}

const LINE = /^(\s*)(-\s+)?(?:("?)([^\s:#"'][^:#]*?)\3\s*:(?:\s|$))?(.*)$/;

interface LineShape {
  indent: number;
  dash: boolean;
  content: number;
  key?: string;
  rest: string;
}

function shape(line: string): LineShape | undefined {
  if (/^\s*(#.*)?$/.test(line)) return undefined;
  const m = LINE.exec(line);
  if (!m) return undefined;
  const indent = (m[1] ?? '').length;
  const dash = m[2] !== undefined;
  return { indent, dash, content: indent + (m[2]?.length ?? 0), ...(m[4] !== undefined ? { key: m[4].trim() } : {}), rest: m[5] ?? '' };
}

/** The path of the block that owns column `column` at line `lineIndex`, walking up the lines above. */
function ownerPath(lines: string[], lineIndex: number, column: number): JsonPath {
  const path: JsonPath = [];
  let cur = column;
  for (let i = lineIndex - 1; i >= 0 && cur > 0; i--) {
    const text = lines[i] as string;
    // Deeper lines cannot own the cursor: skip them without a regex (a route may be 20,000 lines down).
    if (text.length > cur && text.charCodeAt(cur - 1) === 32 && text.slice(0, cur).trim() === '') continue;
    const s = shape(text);
    if (!s) continue;
    if (s.dash && s.indent < cur && s.content >= cur) {
      path.unshift(0); // inside this sequence item's map
      cur = s.indent;
      // The dash line's own key (`- name: x`) is a sibling, not a parent.
    } else if (s.indent < cur && s.key !== undefined && !s.dash) {
      path.unshift(s.key);
      cur = s.indent;
    } else if (s.dash && s.indent < cur && s.key !== undefined && s.content < cur) {
      path.unshift(0, s.key);
      cur = s.indent;
    } else if (s.indent < cur) {
      cur = s.indent;
    }
  }
  return path;
}

function siblingKeys(lines: string[], lineIndex: number, column: number): string[] {
  const keys: string[] = [];
  const scan = (from: number, step: number) => {
    for (let i = from; i >= 0 && i < lines.length; i += step) {
      const s = shape(lines[i] as string);
      if (!s) continue;
      if (s.content === column && s.key !== undefined) keys.push(s.key);
      if (s.content < column) break;
      if (s.dash && s.content === column && step < 0) break; // the first key of this item
      if (s.dash && s.indent < column && step > 0) break;
    }
  };
  scan(lineIndex - 1, -1);
  scan(lineIndex + 1, 1);
  return keys;
}

export function cursorContext(text: string, line: number, character: number): CursorContext {
  const lines = text.split('\n');
  const full = lines[line] ?? '';
  const before = full.slice(0, character);
  const keyTyping = /^(\s*)(-\s+)?([\w$.-]*)$/.exec(before);
  if (keyTyping) {
    const indent = (keyTyping[1] ?? '').length;
    const newItem = keyTyping[2] !== undefined;
    const column = indent + (keyTyping[2]?.length ?? 0);
    const path = newItem ? [...ownerPath(lines, line, indent), 0] : ownerPath(lines, line, column);
    return {
      path,
      kind: 'key',
      prefix: keyTyping[3] ?? '',
      siblings: newItem ? [] : siblingKeys(lines, line, column),
      newItem,
      before,
    };
  }
  const valueTyping = /^(\s*)(-\s+)?("?)([^\s:#"'][^:#]*?)\3\s*:\s+(.*)$/.exec(before);
  if (valueTyping) {
    const indent = (valueTyping[1] ?? '').length;
    const column = indent + (valueTyping[2]?.length ?? 0);
    const owner = valueTyping[2] !== undefined ? [...ownerPath(lines, line, indent), 0] : ownerPath(lines, line, column);
    let value = valueTyping[5] ?? '';
    const path: JsonPath = [...owner, (valueTyping[4] ?? '').trim()];
    const flow = /^\[([^\]]*)$/.exec(value);
    if (flow) {
      path.push(0);
      value = (flow[1] ?? '').split(',').pop()?.trim() ?? '';
    }
    return { path, kind: 'value', prefix: value.replace(/^["']/, ''), siblings: [], newItem: false, before };
  }
  const scalarItem = /^(\s*)-\s+(.*)$/.exec(before);
  if (scalarItem) {
    const indent = (scalarItem[1] ?? '').length;
    return { path: [...ownerPath(lines, line, indent), 0], kind: 'value', prefix: scalarItem[2] ?? '', siblings: [], newItem: true, before };
  }
  return { path: ownerPath(lines, line, before.length - before.trimStart().length), kind: 'value', prefix: '', siblings: [], newItem: false, before };
}
