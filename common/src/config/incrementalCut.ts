// Where the incremental parse cuts a config: at its top-level keys and at the items of its top-level block sequences
// (`routes:`, `security:`, ...). `cut` reads the whole text; `recut` gives the same pieces for an edited text from
// the previous version's pieces, reading only the items around the edit, or says it cannot (the caller then cuts the
// whole text). Anything unusual (tabs, '\r', directives, markers, a line neither key nor item) is no cut at all.

export type Piece =
  | { kind: 'pair' | 'header'; start: number; text: string; key: string }
  /** `indent`: the column of the dashes of its list (the same for every item of one list). */
  | { kind: 'item'; start: number; text: string; indent: number };

/** The pieces of an edited text, and for each the index of the previous version's piece it is (same text), or -1. */
export interface Recut {
  pieces: Piece[];
  previous: number[];
  /** How many characters at the start, and at the end, the two versions share. */
  prefix: number;
  suffix: number;
}

const TOP_KEY = /^([A-Za-z_$][\w$.-]*):(?:[ \t]+#.*)?[ \t]*$|^([A-Za-z_$][\w$.-]*):[ \t]/;
const BLANK_OR_COMMENT = /^[ \t]*(#.*)?$/;

export function cut(text: string): Piece[] | undefined {
  if (text.includes('\r') || text.includes('\t') || /^(---|\.\.\.|%)/m.test(text)) return undefined;
  const lines = text.split('\n');
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  const pieces: Piece[] = [];
  let i = 0;
  while (i < lines.length && BLANK_OR_COMMENT.test(lines[i] as string)) i++;
  const keys = new Set<string>();
  while (i < lines.length) {
    const line = lines[i] as string;
    const match = TOP_KEY.exec(line);
    if (!match) return undefined;
    const key = (match[1] ?? match[2]) as string;
    if (keys.has(key)) return undefined;
    keys.add(key);
    let end = i + 1;
    while (end < lines.length && (BLANK_OR_COMMENT.test(lines[end] as string) || (lines[end] as string).startsWith(' '))) end++;
    const segmentEnd = end < lines.length ? (starts[end] as number) : text.length;
    const firstBody = lines.slice(i + 1, end).findIndex((l) => !BLANK_OR_COMMENT.test(l));
    const itemIndent = firstBody >= 0 ? /^( +)- /.exec(lines[i + 1 + firstBody] as string)?.[1]?.length : undefined;
    if (match[1] !== undefined && itemIndent !== undefined) {
      pieces.push({ kind: 'header', start: starts[i] as number, text: text.slice(starts[i], starts[i + 1 + firstBody]), key });
      const items = splitItems(lines, i + 1 + firstBody, end, itemIndent, false);
      if (!items) return undefined;
      for (const [from, to] of items) {
        const at = starts[from] as number;
        const until = to < end ? (starts[to] as number) : segmentEnd;
        pieces.push({ kind: 'item', start: at, text: text.slice(at, until), indent: itemIndent });
      }
    } else {
      pieces.push({ kind: 'pair', start: starts[i] as number, text: text.slice(starts[i], segmentEnd), key });
    }
    i = end;
  }
  return pieces.length > 0 ? pieces : undefined;
}

/**
 * The items of a list whose first item begins at line `first`, up to line `end`: their [first line, end line) pairs,
 * or undefined for a line that is neither an item, inside one, blank nor a comment. `followed`: another item of the
 * list comes after line `end` (so the last one ends at a boundary between two items too, where the check applies).
 */
function splitItems(lines: string[], first: number, end: number, indent: number, followed: boolean): [number, number][] | undefined {
  const dash = `${' '.repeat(indent)}- `;
  const deeper = ' '.repeat(indent + 1);
  if (!(lines[first] as string).startsWith(dash)) return undefined;
  const items: [number, number][] = [];
  let itemStart = first;
  for (let j = first + 1; j < end; j++) {
    const line = lines[j] as string;
    if (!line.startsWith(dash)) {
      if (!line.startsWith(deeper) && !BLANK_OR_COMMENT.test(line)) return undefined;
      continue;
    }
    if (endsInIndentedComment(lines, itemStart + 1, j, indent)) return undefined;
    items.push([itemStart, j]);
    itemStart = j;
  }
  if (followed && endsInIndentedComment(lines, itemStart + 1, end, indent)) return undefined;
  items.push([itemStart, end]);
  return items;
}

/**
 * Whether the last non-blank line of `lines[from, to)` is a comment indented deeper than `indent`. A whole parse
 * stretches an item's nodes over such a comment to the next dash, which a parse of the item alone cannot know.
 */
function endsInIndentedComment(lines: string[], from: number, to: number, indent: number): boolean {
  for (let k = to - 1; k >= from; k--) {
    const line = lines[k] as string;
    if (line.trim() === '') continue;
    const comment = /^( *)#/.exec(line);
    return comment !== null && (comment[1] as string).length > indent;
  }
  return false;
}

/** How many characters `a` and `b` share at their start (whole blocks compared first: that is a memory compare). */
function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  const BLOCK = 1024;
  let i = 0;
  while (i + BLOCK <= max && a.slice(i, i + BLOCK) === b.slice(i, i + BLOCK)) i += BLOCK;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** How many characters `a` and `b` share at their end, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  const BLOCK = 1024;
  let i = 0;
  while (i + BLOCK <= max && a.slice(a.length - i - BLOCK, a.length - i) === b.slice(b.length - i - BLOCK, b.length - i)) i += BLOCK;
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/** The index of the last piece starting at or before `offset` (-1 when none does). */
function pieceAt(pieces: Piece[], offset: number): number {
  let low = 0;
  let high = pieces.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((pieces[mid] as Piece).start <= offset) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

/**
 * `cut(text)`, for a text that differs from `previous.text` inside the items of one list: the items around the
 * change are split again, the rest are the previous pieces (moved by the change in length). Undefined when the change
 * reaches a top-level key or a list's first line, or its lines are not items: then only a whole cut can tell.
 */
export function recut(previous: { text: string; pieces: Piece[] }, text: string): Recut | undefined {
  const old = previous.text;
  const prefix = commonPrefix(old, text);
  const suffix = commonSuffix(old, text, Math.min(old.length, text.length) - prefix);
  const delta = text.length - old.length;
  const inserted = text.slice(prefix, text.length - suffix);
  if (inserted.includes('\r') || inserted.includes('\t')) return undefined;
  const pieces = previous.pieces;
  // From the item holding the character before the change (so that its first line is read again) to the one holding
  // the first character after it (whose end is then a line start the change did not touch).
  const first = pieceAt(pieces, Math.max(prefix - 1, 0));
  const last = pieceAt(pieces, old.length - suffix);
  if (first < 0 || last < first) return undefined;
  for (let k = first; k <= last; k++) if (pieces[k]?.kind !== 'item') return undefined;
  const firstPiece = pieces[first] as Extract<Piece, { kind: 'item' }>;
  const lastPiece = pieces[last] as Piece;
  const from = firstPiece.start;
  const to = lastPiece.start + lastPiece.text.length + delta;
  if (from >= to) return undefined;
  const region = text.slice(from, to);
  const lines = region.split('\n');
  // The text after the region begins at a line start: the region's last "line" is the empty rest after its newline.
  const end = to < text.length ? lines.length - 1 : lines.length;
  const followed = pieces[last + 1]?.kind === 'item';
  const items = splitItems(lines, 0, end, firstPiece.indent, followed);
  if (!items) return undefined;
  const starts = [0];
  for (const l of lines) starts.push((starts[starts.length - 1] as number) + l.length + 1);
  const fresh: Piece[] = items.map(([at, until]) => {
    const start = starts[at] as number;
    return { kind: 'item', start: from + start, text: region.slice(start, Math.min(starts[until] as number, region.length)), indent: firstPiece.indent };
  });
  // Every piece is sliced from this text again, so that no piece keeps an older version's text alive.
  const out: Piece[] = [];
  const map: number[] = [];
  const carry = (k: number, by: number): void => {
    const piece = pieces[k] as Piece;
    const start = piece.start + by;
    const sliced = text.slice(start, start + piece.text.length);
    out.push(piece.kind === 'item' ? { kind: 'item', start, text: sliced, indent: piece.indent } : { kind: piece.kind, start, text: sliced, key: piece.key });
    map.push(k);
  };
  for (let k = 0; k < first; k++) carry(k, 0);
  for (const piece of fresh) {
    out.push(piece);
    map.push(-1);
  }
  for (let k = last + 1; k < pieces.length; k++) carry(k, delta);
  return { pieces: out, previous: map, prefix, suffix };
}
