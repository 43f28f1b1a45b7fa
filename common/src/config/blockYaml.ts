// A fast reader for the plain block YAML most gateway configs are: nested block mappings and sequences, one-line plain
// and quoted scalars, one-line flow lists of scalars, comments on their own line just before a key or an item (at its
// column) and after a value. It builds the nodes yaml's own parse would (same classes, values, ranges, comments), in
// one pass over the lines instead of yaml's lexer, parser and composer (a 540 KB config: ~40 instead of ~380 ms).
// Anything else (anchors, tags, block scalars, multi-line scalars, flow maps, errors, other comment places...) is
// "not mine": the caller then runs yaml's parse. A property test holds the two equal (test/config/blockYaml.test.ts).
import { isScalar, Pair, Scalar, YAMLMap, YAMLSeq, type Document, type Node } from 'yaml';

/** Why the reader gave up: thrown inside, caught at the top, never seen by a caller. */
class NotMine extends Error {}

const notMine = (): never => {
  throw new NotMine();
};

const BLANK = 0;
const COMMENT = 1;
const CONTENT = 2;

/** A plain key this reader takes: no quoting, spaces or indicators (its value is then found by yaml's own tests). */
const KEY = /[A-Za-z0-9_][\w./-]*/y;
/** Characters a plain value may not start with here (yaml gives most of them a meaning); '-' only before a space. */
const INDICATOR = /[-?:,[\]{}#&*!|>'"%@`]/;
/** Inside a one-line flow list, a plain item ends at these. */
const FLOW_PLAIN_END = /[,[\]{}#"']/;

interface ScalarTag {
  default?: boolean | 'key';
  test?: RegExp;
  format?: string;
  resolve: (value: string, onError: (message: string) => void, options: unknown) => unknown;
}

/** The lines of one text: where each starts and ends (at its '\n' or the text's end), its indent and kind. */
class Lines {
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly indent: Int32Array;
  readonly kind: Uint8Array;
  readonly count: number;

  constructor(text: string) {
    let count = 1;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
    // A text ending in '\n' has no last line after it.
    if (text.endsWith('\n')) count--;
    this.count = count;
    this.start = new Int32Array(count);
    this.end = new Int32Array(count);
    this.indent = new Int32Array(count);
    this.kind = new Uint8Array(count);
    let from = 0;
    for (let i = 0; i < count; i++) {
      const newline = text.indexOf('\n', from);
      const end = newline < 0 ? text.length : newline;
      let col = from;
      while (col < end && text.charCodeAt(col) === 32) col++;
      this.start[i] = from;
      this.end[i] = end;
      this.indent[i] = col - from;
      if (col === end) {
        if (end > from) notMine(); // spaces alone on a line
        this.kind[i] = BLANK;
      } else {
        this.kind[i] = text.charCodeAt(col) === 35 ? COMMENT : CONTENT; // '#'
        if (text.charCodeAt(end - 1) === 32) notMine(); // trailing spaces: kept out of the cases compared with yaml
      }
      from = end + 1;
    }
  }
}

class BlockReader {
  private readonly lines: Lines;
  /** The current line: the next content line, with the blank lines and comments read before it in `space`, `comment`. */
  private line = 0;
  private space = false;
  private comment: string | undefined;
  /** The tag each plain text resolved to, for keys and for values (null: a string). */
  private readonly keyTags = new Map<string, ScalarTag | null>();
  private readonly valueTags = new Map<string, ScalarTag | null>();

  constructor(
    private readonly text: string,
    private readonly tags: readonly ScalarTag[],
    private readonly options: unknown,
    private readonly schema: unknown,
  ) {
    this.lines = new Lines(text);
  }

  /** The root mapping, and the comment before it that is the document's. */
  read(): { contents: YAMLMap<Node, Node>; commentBefore: string | undefined } {
    const { lines } = this;
    // At the top: comments (all at column 0), then either the first key or blank lines and the first key.
    let i = 0;
    const comments: string[] = [];
    while (i < lines.count && lines.kind[i] === COMMENT) {
      if (lines.indent[i] !== 0) notMine();
      comments.push(this.commentText(i));
      i++;
    }
    let blank = false;
    while (i < lines.count && lines.kind[i] === BLANK) {
      blank = true;
      i++;
    }
    if (i >= lines.count || lines.kind[i] !== CONTENT || lines.indent[i] !== 0) notMine();
    this.line = i;
    const docComment = comments.length > 0 && blank ? comments.join('\n') : undefined;
    this.space = false;
    this.comment = comments.length > 0 && !blank ? comments.join('\n') : undefined;
    const map = this.readMap(0, lines.start[i] as number, true);
    if (this.line < lines.count) notMine(); // a line at no column of the document's collections
    if (this.comment !== undefined) notMine(); // comments after the last node belong to yaml's rules
    return { contents: map, commentBefore: docComment };
  }

  /**
   * Moves past the current line to the next content line (or the end), reading the blank lines and comments between
   * into `space` and `comment`. Comments then must be at the next content line's column, in one run just before it.
   */
  private advance(): void {
    const { lines } = this;
    let i = this.line + 1;
    let spaceBefore = false;
    let first = -1;
    while (i < lines.count && lines.kind[i] === BLANK) {
      spaceBefore = true;
      i++;
    }
    if (i < lines.count && lines.kind[i] === COMMENT) first = i;
    while (i < lines.count && lines.kind[i] === COMMENT) i++;
    if (first >= 0) {
      if (i >= lines.count || lines.kind[i] !== CONTENT) notMine();
      const column = lines.indent[i] as number;
      const comments: string[] = [];
      for (let k = first; k < i; k++) {
        if (lines.indent[k] !== column) notMine();
        comments.push(this.commentText(k));
      }
      this.comment = comments.join('\n');
    } else {
      this.comment = undefined;
    }
    this.space = spaceBefore;
    this.line = i;
  }

  private commentText(i: number): string {
    const from = (this.lines.start[i] as number) + (this.lines.indent[i] as number) + 1;
    return this.text.slice(from, this.lines.end[i]) || ' ';
  }

  /** Gives the blank lines and comments before the current line to the node it starts. */
  private takeTrivia(node: { spaceBefore?: boolean; commentBefore?: string | null }): void {
    if (this.space) node.spaceBefore = true;
    if (this.comment !== undefined) node.commentBefore = this.comment;
    this.space = false;
    this.comment = undefined;
  }

  /**
   * A block mapping whose keys are at `column`, its first key at offset `first` of the current line (after a dash, or
   * the line's first character). `root`: the document's, whose first key takes the trivia before it.
   */
  private readMap(column: number, first: number, root: boolean): YAMLMap<Node, Node> {
    const { lines, text } = this;
    const map = new YAMLMap<Node, Node>(this.schema as never);
    let keyAt = first;
    let end = first;
    for (;;) {
      KEY.lastIndex = keyAt;
      if (!KEY.exec(text)) notMine();
      const keyEnd = KEY.lastIndex;
      const lineEnd = lines.end[this.line] as number;
      if (text.charCodeAt(keyEnd) !== 58 || keyEnd - keyAt > 1000) notMine(); // ':'
      const key = this.scalar(text.slice(keyAt, keyEnd), 'PLAIN', true);
      key.range = [keyAt, keyEnd, keyEnd];
      if (root || map.items.length > 0) this.takeTrivia(key);
      let value: Node;
      if (keyEnd + 1 === lineEnd) {
        value = this.readBlockValue(column);
      } else {
        if (text.charCodeAt(keyEnd + 1) !== 32) notMine();
        let at = keyEnd + 2;
        while (at < lineEnd && text.charCodeAt(at) === 32) at++;
        value = this.readInlineValue(at, lineEnd);
        this.advance();
      }
      map.items.push(new Pair(key, value));
      end = (value.range as [number, number, number])[2];
      // The next pair is at this column; a shallower line ends the mapping; a deeper one is not mine.
      if (this.line >= lines.count) break;
      const indent = lines.indent[this.line] as number;
      if (indent < column) break;
      if (indent > column) notMine();
      keyAt = (lines.start[this.line] as number) + indent;
      if (text.charCodeAt(keyAt) === 45) notMine(); // '-': a list at a mapping's column
    }
    map.range = [first, end, end];
    return map;
  }

  /** A block sequence whose dashes are at `column`, starting at the current line. */
  private readSeq(column: number): YAMLSeq<Node> {
    const { lines, text } = this;
    const seq = new YAMLSeq<Node>(this.schema as never);
    const first = (lines.start[this.line] as number) + column;
    let end = first;
    for (;;) {
      const dash = (lines.start[this.line] as number) + column;
      const lineEnd = lines.end[this.line] as number;
      if (text.charCodeAt(dash) !== 45 || text.charCodeAt(dash + 1) !== 32) notMine(); // '- '
      const at = dash + 2;
      if (at >= lineEnd || text.charCodeAt(at) === 32) notMine();
      let item: Node;
      KEY.lastIndex = at;
      const isKey =
        KEY.exec(text) !== null && text.charCodeAt(KEY.lastIndex) === 58 && (KEY.lastIndex + 1 === lineEnd || text.charCodeAt(KEY.lastIndex + 1) === 32);
      const space = this.space;
      const comment = this.comment;
      this.space = false;
      this.comment = undefined;
      if (isKey) {
        item = this.readMap(column + 2, at, false);
      } else {
        item = this.readInlineValue(at, lineEnd);
        this.advance();
      }
      if (space) item.spaceBefore = true;
      if (comment !== undefined) item.commentBefore = comment;
      seq.items.push(item);
      end = (item.range as [number, number, number])[2];
      if (this.line >= lines.count) break;
      const indent = lines.indent[this.line] as number;
      if (indent < column) break;
      if (indent > column) notMine();
    }
    seq.range = [first, end, end];
    return seq;
  }

  /** The value of a key ending its line: a mapping or a list on the lines below, deeper than the key. */
  private readBlockValue(column: number): Node {
    this.advance();
    const { lines, text } = this;
    if (this.line >= lines.count) notMine(); // an empty value
    const indent = lines.indent[this.line] as number;
    if (indent <= column) notMine(); // an empty value, or a list at the key's column
    const start = (lines.start[this.line] as number) + indent;
    const space = this.space;
    const comment = this.comment;
    this.space = false;
    this.comment = undefined;
    const node = text.charCodeAt(start) === 45 ? this.readSeq(indent) : this.readMap(indent, start, false);
    if (space) node.spaceBefore = true;
    if (comment !== undefined) node.commentBefore = comment;
    return node;
  }

  /**
   * A value on the rest of a line, from `at` to `lineEnd`: a scalar or a flow list, with a comment after it. Its node
   * ends after the line's newline, as yaml's does. Does not move to the next line.
   */
  private readInlineValue(at: number, lineEnd: number): Node {
    const { text } = this;
    const c = text[at] as string;
    let valueEnd: number;
    let node: Node;
    if (c === '[') {
      const list = this.flowList(at, lineEnd);
      node = list.node;
      valueEnd = list.end;
    } else if (c === '"' || c === "'") {
      const close = text.indexOf(c, at + 1);
      if (close < 0 || close >= lineEnd) notMine();
      let value = text.slice(at + 1, close);
      if (c === '"' && value.includes('\\')) notMine();
      if (c === "'" && text.charCodeAt(close + 1) === 39) notMine(); // '' inside single quotes
      valueEnd = close + 1;
      value = value.trim() === value ? value : notMine(); // yaml folds spaces at a quoted scalar's edges on some lines
      node = this.scalar(value, c === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE', false);
    } else {
      if (INDICATOR.test(c) && !(c === '-' && text.charCodeAt(at + 1) !== 32 && at + 1 < lineEnd)) notMine();
      // The value ends at a comment (' #') or the line's end.
      let stop = at;
      while (stop < lineEnd && !(text.charCodeAt(stop) === 35 && text.charCodeAt(stop - 1) === 32)) stop++;
      valueEnd = stop;
      while (text.charCodeAt(valueEnd - 1) === 32) valueEnd--;
      const value = text.slice(at, valueEnd);
      if (value.includes(': ') || value.endsWith(':')) notMine();
      node = this.scalar(value, 'PLAIN', false);
    }
    // After the value: spaces, then the line's end or a comment.
    let after = valueEnd;
    while (after < lineEnd && text.charCodeAt(after) === 32) after++;
    if (after < lineEnd) {
      if (text.charCodeAt(after) !== 35 || after === valueEnd || c === '[') notMine(); // '#' after a space; not after a list
      (node as Scalar).comment = text.slice(after + 1, lineEnd) || ' ';
    }
    const end = lineEnd < text.length ? lineEnd + 1 : lineEnd;
    node.range = [at, valueEnd, end];
    return node;
  }

  /** A flow list on one line, `[a, b]` (items plain or quoted without escapes, ", " between them). */
  private flowList(open: number, lineEnd: number): { node: YAMLSeq<Node>; end: number } {
    const { text } = this;
    const list = new YAMLSeq<Node>(this.schema as never);
    list.flow = true;
    let at = open + 1;
    if (text.charCodeAt(at) === 93) return { node: list, end: at + 1 }; // '[]'
    for (;;) {
      if (at >= lineEnd) notMine();
      const c = text[at] as string;
      let itemEnd: number;
      let item: Scalar;
      if (c === '"') {
        const close = text.indexOf('"', at + 1);
        if (close < 0 || close >= lineEnd) notMine();
        const value = text.slice(at + 1, close);
        if (value.includes('\\') || value.trim() !== value) notMine();
        item = this.scalar(value, 'QUOTE_DOUBLE', false);
        itemEnd = close + 1;
      } else {
        if (INDICATOR.test(c) || c === ' ') notMine();
        itemEnd = at;
        while (itemEnd < lineEnd && !FLOW_PLAIN_END.test(text[itemEnd] as string)) itemEnd++;
        const value = text.slice(at, itemEnd);
        if (value.includes(': ') || value.endsWith(':') || value.trimEnd() !== value) notMine();
        item = this.scalar(value, 'PLAIN', false);
      }
      item.range = [at, itemEnd, itemEnd];
      list.items.push(item);
      const next = text.charCodeAt(itemEnd);
      if (next === 93) return { node: list, end: itemEnd + 1 }; // ']'
      if (next !== 44 || text.charCodeAt(itemEnd + 1) !== 32) notMine(); // ', '
      at = itemEnd + 2;
    }
  }

  /** A scalar node as yaml's composer makes it: plain text resolved by the schema's tests, in the same order. */
  private scalar(value: string, type: Scalar.Type, atKey: boolean): Scalar {
    let tag: ScalarTag | null | undefined = null;
    if (type === 'PLAIN') {
      const known = atKey ? this.keyTags : this.valueTags;
      tag = known.get(value);
      if (tag === undefined) {
        tag = this.tags.find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test?.test(value)) ?? null;
        known.set(value, tag);
      }
    }
    let scalar: Scalar;
    if (tag) {
      const resolved = tag.resolve(value, notMine, this.options);
      scalar = isScalar(resolved) ? resolved : new Scalar(resolved);
      if (tag.format) scalar.format = tag.format;
    } else {
      scalar = new Scalar(value);
    }
    scalar.source = value;
    scalar.type = type;
    return scalar;
  }
}

/**
 * yaml's parse of `text` into `empty` (a document yaml parsed from '' with the same options, whose contents this
 * sets), or undefined when the text is not plain block YAML this reader takes.
 */
export function readBlockYaml(text: string, empty: Document.Parsed): Document.Parsed | undefined {
  if (text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff) return undefined;
  const schema = empty.schema as unknown as { tags: ScalarTag[] };
  try {
    const reader = new BlockReader(text, schema.tags, empty.options, empty.schema);
    const { contents, commentBefore } = reader.read();
    const range = contents.range as [number, number, number];
    empty.contents = contents as unknown as Document.Parsed['contents'];
    empty.range = [range[0], range[1], text.length];
    if (commentBefore !== undefined) empty.commentBefore = commentBefore;
    return empty;
  } catch (err) {
    if (err instanceof NotMine) return undefined;
    throw err;
  }
}
