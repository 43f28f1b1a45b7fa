// Re-parsing a large config after an edit without re-parsing all of it. The text is cut into chunks at its
// top-level keys and at the items of its top-level block sequences (`routes:`, `security:`, ...); each chunk is
// parsed alone and kept by its text, so an edit re-parses only the chunks it touched, and the rest are shifted to
// their new offsets. Anything unusual (anchors, tags, directives, flow at the top, errors) takes the full parse,
// so the result is always the one `parseDocument` gives for the whole text.
import { isAlias, isCollection, isPair, isScalar, isSeq, isMap, LineCounter, Pair, YAMLMap, YAMLSeq, type Document, type Node } from 'yaml';
import { runSteps, type Steps } from './steps';
import { parseYamlDocument, parseYamlSteps, type ParsedYaml } from './yamlSource';

/** Chunks parsed between two yields of `parseSteps` (about 20 ms of parsing). */
const CHUNKS_PER_STEP = 100;

interface Chunk {
  text: string;
  /** The offset the chunk's node ranges currently point at. */
  base: number;
  /** A top-level pair (key chunk) or a sequence item (item chunk). */
  node: Pair<Node, Node | null> | Node;
  /** For an item chunk: the offset of its `-` inside the chunk. */
  dash?: number;
}

type Piece = { kind: 'pair' | 'header'; start: number; text: string; key: string } | { kind: 'item'; start: number; text: string };

const TOP_KEY = /^([A-Za-z_$][\w$.-]*):(?:[ \t]+#.*)?[ \t]*$|^([A-Za-z_$][\w$.-]*):[ \t]/;
const BLANK_OR_COMMENT = /^[ \t]*(#.*)?$/;

/** Lines with their start offsets; '\r\n' files take the full parse (rare, and offsets stay simple). */
function cut(text: string): Piece[] | undefined {
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
      const dash = new RegExp(`^ {${itemIndent}}- `);
      const deeper = new RegExp(`^ {${itemIndent + 1},}`);
      pieces.push({ kind: 'header', start: starts[i] as number, text: text.slice(starts[i], starts[i + 1 + firstBody]), key });
      let itemStart = i + 1 + firstBody;
      for (let j = itemStart + 1; j <= end; j++) {
        const l = j < end ? (lines[j] as string) : '';
        if (j < end && !dash.test(l)) {
          if (!BLANK_OR_COMMENT.test(l) && !deeper.test(l)) return undefined;
          continue;
        }
        // A comment indented past the dash at the end of an item that another item follows: a whole parse stretches
        // the item's nodes over it to the next dash, which a parse of the item alone cannot know.
        if (j < end && endsInIndentedComment(lines, itemStart + 1, j, itemIndent)) return undefined;
        const from = starts[itemStart] as number;
        const to = j < end ? (starts[j] as number) : segmentEnd;
        pieces.push({ kind: 'item', start: from, text: text.slice(from, to) });
        itemStart = j;
      }
    } else {
      pieces.push({ kind: 'pair', start: starts[i] as number, text: text.slice(starts[i], segmentEnd), key });
    }
    i = end;
  }
  return pieces.length > 0 ? pieces : undefined;
}

/** Whether the last non-blank line of `lines[from, to)` is a comment indented deeper than `indent`. */
function endsInIndentedComment(lines: string[], from: number, to: number, indent: number): boolean {
  for (let k = to - 1; k >= from; k--) {
    const line = lines[k] as string;
    if (line.trim() === '') continue;
    const comment = /^( *)#/.exec(line);
    return comment !== null && (comment[1] as string).length > indent;
  }
  return false;
}

/** Moves every range under `node` by `delta` (a hand-written walk: yaml's visit() is ten times slower here). */
function shift(node: unknown, delta: number): void {
  if (node === null || typeof node !== 'object') return;
  const n = node as { range?: [number, number, number] | null; items?: unknown[]; key?: unknown; value?: unknown };
  if (n.range) n.range = [n.range[0] + delta, n.range[1] + delta, n.range[2] + delta];
  if (isPair(node)) {
    shift(n.key, delta);
    shift(n.value, delta);
    return;
  }
  if (n.items) for (const item of n.items) shift(item, delta);
}

function hasAnchorsOrTags(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (isAlias(node)) return true;
  const n = node as { anchor?: string; tag?: string; items?: unknown[]; key?: unknown; value?: unknown };
  if (isPair(node)) return isCollection(n.key) || hasAnchorsOrTags(n.key) || hasAnchorsOrTags(n.value);
  if (n.anchor !== undefined || n.tag !== undefined) return true;
  return (n.items ?? []).some((item) => hasAnchorsOrTags(item));
}

function parseChunk(piece: Piece): Chunk | undefined {
  const doc = parseYamlDocument(piece.text);
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  const contents = doc.contents;
  if (piece.kind === 'item') {
    if (!isSeq(contents) || contents.items.length !== 1 || !contents.range) return undefined;
    const item = contents.items[0] as Node;
    if (hasAnchorsOrTags(item)) return undefined;
    return { text: piece.text, base: 0, node: item, dash: contents.range[0] };
  }
  if (!isMap(contents) || contents.items.length !== 1) return undefined;
  const pair = contents.items[0] as Pair<Node, Node | null>;
  if (hasAnchorsOrTags(pair) || (piece.kind === 'header' && !(isScalar(pair.value) && pair.value.value === null))) return undefined;
  return { text: piece.text, base: 0, node: pair };
}

export class YamlParseCache {
  private chunks = new Map<string, Chunk[]>();
  /** The last whole parse, not yet cut into chunks: that waits for the next edit, off the path of the first open. */
  private unseeded: { text: string; contents: unknown } | undefined;

  /**
   * `minLength`: texts shorter than this are parsed whole (it is fast, and keeps small files on the plain path).
   * `firstInChunksLength`: in steps, a first version at least this long is parsed chunk by chunk: slower in all than
   * a whole parse (bench:lsp's 2,000-route open by 60-70%), whose composing step alone would take hundreds of ms here.
   */
  constructor(
    private readonly minLength = 64 * 1024,
    private readonly firstInChunksLength = 1024 * 1024,
  ) {}

  parse(text: string): ParsedYaml {
    return runSteps(this.parseSteps(text, false));
  }

  /**
   * `parse` in steps (`inSteps`; false is `parse`). A text of `firstInChunksLength` or more seen for the first time is
   * then parsed chunk by chunk, so that each step stays small (a whole parse composes the document in one step).
   */
  *parseSteps(text: string, inSteps = true): Steps<ParsedYaml> {
    // With nothing parsed before, no chunk can be re-used: cutting the text would be wasted work on an open.
    const reusable = this.chunks.size > 0 || this.unseeded !== undefined;
    const firstInChunks = inSteps && !reusable && text.length >= this.firstInChunksLength;
    const pieces = (reusable || firstInChunks) && text.length >= this.minLength ? cut(text) : undefined;
    if (pieces && this.unseeded) {
      const previous = cut(this.unseeded.text);
      if (previous) this.seed(previous, this.unseeded.contents);
    }
    this.unseeded = undefined;
    if (pieces && (this.chunks.size > 0 || firstInChunks)) {
      const composed = yield* this.compose(text, pieces);
      if (composed) return composed;
    }
    // The first version (or one the chunks cannot describe) is parsed whole, which is faster than 4,000 small
    // parses; its nodes then seed the chunks for the next edit.
    const full = yield* parseYamlSteps(text);
    this.chunks.clear();
    if (text.length >= this.minLength && full.syntax.length === 0) this.unseeded = { text, contents: full.document.contents };
    return full;
  }

  private seed(pieces: Piece[], contents: unknown): void {
    if (!isMap(contents) || hasAnchorsOrTags(contents)) return;
    const used: Chunk[] = [];
    let top = 0;
    let seq: YAMLSeq | undefined;
    let item = 0;
    for (const piece of pieces) {
      if (piece.kind === 'item') {
        const node = seq?.items[item++] as Node | undefined;
        if (!node) return;
        used.push({ text: piece.text, base: piece.start, node, dash: piece.text.indexOf('-') });
        continue;
      }
      if (seq && item !== seq.items.length) return;
      const pair = contents.items[top++] as Pair<Node, Node | null> | undefined;
      if (!pair || !isScalar(pair.key) || String(pair.key.value) !== piece.key) return;
      seq = piece.kind === 'header' && isSeq(pair.value) ? pair.value : undefined;
      if (piece.kind === 'header' && !seq) return;
      item = 0;
      // A header keeps only its key: its items are chunks of their own and move on their own.
      used.push({ text: piece.text, base: piece.start, node: piece.kind === 'header' ? new Pair(pair.key, null) : pair });
    }
    if (top !== contents.items.length || (seq && item !== seq.items.length)) return;
    this.keep(used);
  }

  private take(piece: Piece): Chunk | undefined {
    const known = this.chunks.get(piece.text);
    const reused = known?.pop();
    if (reused) return reused;
    return parseChunk(piece);
  }

  private *compose(text: string, pieces: Piece[]): Steps<ParsedYaml | undefined> {
    const used: Chunk[] = [];
    const root = new YAMLMap<Node, Node | null>();
    let seq: YAMLSeq<Node> | undefined;
    let parsed = 0;
    for (const piece of pieces) {
      const known = this.chunks.has(piece.text);
      if (!known && ++parsed % CHUNKS_PER_STEP === 0) yield;
      const chunk = this.take(piece);
      if (!chunk) {
        this.keep(used);
        return undefined;
      }
      used.push(chunk);
      if (chunk.base !== piece.start) {
        shift(chunk.node, piece.start - chunk.base);
        chunk.base = piece.start;
      }
      if (piece.kind === 'item') {
        const item = chunk.node as Node;
        if (!seq) return undefined;
        if (seq.items.length === 0 && seq.range) seq.range = [(chunk.dash as number) + piece.start, 0, 0];
        seq.items.push(item);
        const [start] = seq.range ?? [0];
        seq.range = [start, (item.range as [number, number, number])[1], (item.range as [number, number, number])[2]];
        continue;
      }
      const pair = chunk.node as Pair<Node, Node | null>;
      if (piece.kind === 'header') {
        seq = new YAMLSeq<Node>();
        seq.range = [0, 0, 0];
        root.items.push(new Pair(pair.key, seq));
      } else {
        seq = undefined;
        root.items.push(pair);
      }
    }
    this.keep(used);
    const first = root.items[0]?.key?.range?.[0] ?? 0;
    // As in a whole parse, the root mapping ends where its last value does (blank lines after it are the document's).
    const lastPair = root.items[root.items.length - 1];
    const end = (lastPair?.value ?? lastPair?.key)?.range?.[2] ?? text.length;
    root.range = [first, end, end];
    const document = parseYamlDocument('');
    document.contents = root as unknown as Document.Parsed['contents'];
    document.range = [first, end, text.length];
    const lineCounter = new LineCounter();
    lineCounter.addNewLine(0);
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineCounter.addNewLine(at + 1);
    return { document, lineCounter, syntax: [] };
  }

  /** The chunks of this version are the cache for the next one; older ones are dropped. */
  private keep(used: Chunk[]): void {
    this.chunks = new Map();
    for (const chunk of used) {
      const list = this.chunks.get(chunk.text) ?? [];
      list.push(chunk);
      this.chunks.set(chunk.text, list);
    }
  }
}
