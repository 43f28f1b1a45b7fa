// Re-parsing a large config after an edit without re-parsing all of it. The text is cut into chunks at its
// top-level keys and at the items of its top-level block sequences (`routes:`, `security:`, ...: incrementalCut.ts);
// each chunk is parsed alone and kept with its piece of text, so an edit re-parses only the chunks it touched, and the
// rest are moved to their new offsets. Anything unusual (anchors, tags, directives, flow at the top, errors) takes the
// full parse, so the result is always the one `parseDocument` gives for the whole text.
import { isAlias, isCollection, isPair, isScalar, isSeq, isMap, LineCounter, Pair, YAMLMap, YAMLSeq, type Document, type Node } from 'yaml';
import { cut, recut, type Piece, type Recut } from './incrementalCut';
import { runSteps, type Steps } from './steps';
import { parseYamlDocument, parseYamlSteps, type ParsedYaml } from './yamlSource';

/** Chunks parsed between two yields of `parseSteps` (about 20 ms of parsing). */
const CHUNKS_PER_STEP = 100;

interface Chunk {
  kind: Piece['kind'];
  text: string;
  /** The offset the chunk's node ranges currently point at. */
  base: number;
  /** A top-level pair (key chunk) or a sequence item (item chunk). */
  node: Pair<Node, Node | null> | Node;
  /** For an item chunk: the offset of its `-` inside the chunk. */
  dash?: number;
  /**
   * For an item chunk: where its list ends inside the chunk (range[1] and [2]) when it is the list's last item. yaml
   * stretches a list over the comments after its last item from the dashes' column on, which the item's node need not
   * hold. Found on demand for a chunk seeded from the middle of a list.
   */
  listEnd?: [number, number];
  /** The range of every node under `node`, moved together when the chunk moves. */
  ranges: Offsets[];
}

type Offsets = [number, number, number];

/** A version the chunks describe: its text, its pieces with one chunk each, and where its lines start. */
interface Version {
  text: string;
  pieces: Piece[];
  chunks: Chunk[];
  lineStarts: number[];
}

/**
 * The range arrays of every node under `node` (yaml's composer makes one per node, so moving them moves each node
 * once), or undefined when it holds an anchor, an alias, a tag or a mapping as a key: such a chunk cannot stand alone.
 */
function rangesOf(node: unknown, into: Offsets[] = []): Offsets[] | undefined {
  if (node === null || typeof node !== 'object') return into;
  if (isAlias(node)) return undefined;
  const n = node as { anchor?: string; tag?: string; range?: Offsets | null; items?: unknown[]; key?: unknown; value?: unknown };
  if (isPair(node)) return isCollection(n.key) || !rangesOf(n.key, into) ? undefined : rangesOf(n.value, into);
  if (n.anchor !== undefined || n.tag !== undefined) return undefined;
  if (n.range) into.push(n.range);
  if (n.items) for (const item of n.items) if (!rangesOf(item, into)) return undefined;
  return into;
}

/** Moves a chunk's nodes to `base`, in place (a loop over its ranges: no walk over nodes of every kind). */
function move(chunk: Chunk, base: number): void {
  const delta = base - chunk.base;
  for (const range of chunk.ranges) {
    range[0] += delta;
    range[1] += delta;
    range[2] += delta;
  }
  chunk.base = base;
}

/**
 * The chunk of a piece, parsed from a copy of its text: a piece is a slice of the whole text, and the strings parsed
 * from a slice keep all of it alive (as long as the chunk is re-used: one whole text per edited item, otherwise).
 */
function parseChunk(piece: Piece): Chunk | undefined {
  const doc = parseYamlDocument(Buffer.from(piece.text, 'utf8').toString('utf8'));
  if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  const contents = doc.contents;
  if (piece.kind === 'item') {
    if (!isSeq(contents) || contents.items.length !== 1 || !contents.range) return undefined;
    const item = contents.items[0] as Node;
    const ranges = rangesOf(item);
    return (
      ranges && { kind: piece.kind, text: piece.text, base: 0, node: item, dash: contents.range[0], listEnd: [contents.range[1], contents.range[2]], ranges }
    );
  }
  if (!isMap(contents) || contents.items.length !== 1) return undefined;
  const pair = contents.items[0] as Pair<Node, Node | null>;
  if (piece.kind === 'header' && !(isScalar(pair.value) && pair.value.value === null)) return undefined;
  const ranges = rangesOf(pair);
  return ranges && { kind: piece.kind, text: piece.text, base: 0, node: pair, ranges };
}

/**
 * Where the lines of `text` start, from those of the previous version: the same before the change, found again inside
 * it, moved by its change in length after it.
 */
function lineStartsAfter(previous: Version, text: string, change: Recut): number[] {
  const old = previous.lineStarts;
  const delta = text.length - previous.text.length;
  // A line start is unchanged when the newline before it is: at or before the common prefix, or in the common suffix.
  let before = 0;
  while (before < old.length && (old[before] as number) <= change.prefix) before++;
  const starts = old.slice(0, before);
  for (let at = text.indexOf('\n', change.prefix); at >= 0 && at < text.length - change.suffix; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  const afterOld = previous.text.length - change.suffix;
  let after = before;
  while (after < old.length && (old[after] as number) - 1 < afterOld) after++;
  for (let k = after; k < old.length; k++) starts.push((old[k] as number) + delta);
  return starts;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

export class YamlParseCache {
  /** The last version parsed in chunks (or cut after a whole parse): the next edit re-uses its chunks. */
  private last: Version | undefined;
  /** The last whole parse, not yet cut into chunks: that waits for the next edit, off the path of the first open. */
  private unseeded: { text: string; contents: unknown; lineStarts: number[] } | undefined;

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
    const reusable = this.last !== undefined || this.unseeded !== undefined;
    const firstInChunks = inSteps && !reusable && text.length >= this.firstInChunksLength;
    if (text.length >= this.minLength && (reusable || firstInChunks)) {
      if (this.unseeded) this.last = seed(this.unseeded);
      this.unseeded = undefined;
      const last = this.last;
      // Usually the edit is inside the items of one list, and only they are cut again; otherwise the whole text is.
      const change = last ? recut(last, text) : undefined;
      const pieces = change?.pieces ?? cut(text);
      if (pieces && (last || firstInChunks)) {
        const composed = yield* this.compose(text, pieces, change, last);
        if (composed) {
          this.last = { text, pieces, chunks: composed.chunks, lineStarts: composed.parsed.lineCounter.lineStarts };
          return composed.parsed;
        }
      }
    }
    // The first version (or one the chunks cannot describe) is parsed whole, which is faster than 4,000 small
    // parses; its nodes then seed the chunks for the next edit.
    const full = yield* parseYamlSteps(text);
    this.last = undefined;
    this.unseeded = undefined;
    if (text.length >= this.minLength && full.syntax.length === 0) {
      this.unseeded = { text, contents: full.document.contents, lineStarts: full.lineCounter.lineStarts };
    }
    return full;
  }

  /**
   * The document of `pieces`: the chunk of the previous version's piece each one continues (`change.previous`), else
   * one of the previous version's other chunks with the same text, else the piece parsed alone. Undefined when a
   * piece does not parse alone as it would inside the whole text.
   */
  private *compose(
    text: string,
    pieces: Piece[],
    change: Recut | undefined,
    last: Version | undefined,
  ): Steps<{ parsed: ParsedYaml; chunks: Chunk[] } | undefined> {
    const previous = change?.previous;
    const spare = spareChunks(last, previous);
    const chunks: Chunk[] = [];
    const root = new YAMLMap<Node, Node | null>();
    let seq: YAMLSeq<Node> | undefined;
    let lastItem: Chunk | undefined;
    let parsed = 0;
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] as Piece;
      const continued = previous?.[i] ?? -1;
      let chunk = continued >= 0 ? last?.chunks[continued] : takeSpare(spare, piece);
      if (!chunk) {
        if (++parsed % CHUNKS_PER_STEP === 0) yield;
        chunk = parseChunk(piece);
      }
      if (!chunk) return undefined;
      chunk.text = piece.text; // the same text, from this version (an older version's whole text is then let go)
      chunks.push(chunk);
      if (chunk.base !== piece.start) move(chunk, piece.start);
      if (piece.kind === 'item') {
        if (!seq) return undefined;
        if (seq.items.length === 0) seq.range = [(chunk.dash as number) + piece.start, 0, 0];
        seq.items.push(chunk.node as Node);
        lastItem = chunk;
        continue;
      }
      closeSequence(seq, lastItem);
      lastItem = undefined;
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
    closeSequence(seq, lastItem);
    const first = root.items[0]?.key?.range?.[0] ?? 0;
    // As in a whole parse, the root mapping ends where its last value does (blank lines after it are the document's).
    const lastPair = root.items[root.items.length - 1];
    const end = (lastPair?.value ?? lastPair?.key)?.range?.[2] ?? text.length;
    root.range = [first, end, end];
    const document = parseYamlDocument('');
    document.contents = root as unknown as Document.Parsed['contents'];
    document.range = [first, end, text.length];
    const lineCounter = new LineCounter();
    lineCounter.lineStarts = last && change ? lineStartsAfter(last, text, change) : lineStartsOf(text);
    return { parsed: { document, lineCounter, syntax: [] }, chunks };
  }
}

/** A sequence ends where its last item's chunk, parsed alone, says its list ends. */
function closeSequence(seq: YAMLSeq<Node> | undefined, lastItem: Chunk | undefined): void {
  if (!seq?.range || !lastItem) return;
  lastItem.listEnd ??= listEndOf(lastItem.text);
  seq.range = [seq.range[0], lastItem.base + lastItem.listEnd[0], lastItem.base + lastItem.listEnd[1]];
}

/** Where the list of one item's text ends (its value's end and the end with the comments after it). */
function listEndOf(text: string): [number, number] {
  const range = parseYamlDocument(text).contents?.range;
  return range ? [range[1], range[2]] : [text.length, text.length];
}

/** The previous version's chunks that no piece continues, by text: an edit may bring back or repeat a piece's text. */
function spareChunks(last: Version | undefined, previous: number[] | undefined): Map<string, Chunk[]> {
  const spare = new Map<string, Chunk[]>();
  if (!last) return spare;
  const continued = new Uint8Array(last.chunks.length);
  for (const k of previous ?? []) if (k >= 0) continued[k] = 1;
  last.chunks.forEach((chunk, k) => {
    if (continued[k]) return;
    const list = spare.get(chunk.text);
    if (list) list.push(chunk);
    else spare.set(chunk.text, [chunk]);
  });
  return spare;
}

/** A spare chunk of the same text and kind (a list's header and a key with no value can have the same text). */
function takeSpare(spare: Map<string, Chunk[]>, piece: Piece): Chunk | undefined {
  const list = spare.get(piece.text);
  const at = list ? list.findIndex((chunk) => chunk.kind === piece.kind) : -1;
  return at >= 0 ? list?.splice(at, 1)[0] : undefined;
}

/** The chunks of a whole parse, matched to the pieces of its text (undefined when they do not line up). */
function seed(unseeded: { text: string; contents: unknown; lineStarts: number[] }): Version | undefined {
  const { text, contents } = unseeded;
  const pieces = cut(text);
  if (!pieces || !isMap(contents)) return undefined;
  const chunks: Chunk[] = [];
  let top = 0;
  let seq: YAMLSeq | undefined;
  let item = 0;
  for (const piece of pieces) {
    if (piece.kind === 'item') {
      const node = seq?.items[item++] as Node | undefined;
      const ranges = node && rangesOf(node);
      if (!seq || !node || !ranges) return undefined;
      // The list's end is known here for its last item only; any other finds its own if it ever comes last.
      const listEnd: [number, number] | undefined =
        item === seq.items.length && seq.range ? [seq.range[1] - piece.start, seq.range[2] - piece.start] : undefined;
      chunks.push({ kind: 'item', text: piece.text, base: piece.start, node, dash: piece.text.indexOf('-'), listEnd, ranges });
      continue;
    }
    if (seq && item !== seq.items.length) return undefined;
    const pair = contents.items[top++] as Pair<Node, Node | null> | undefined;
    if (!pair || !isScalar(pair.key) || String(pair.key.value) !== piece.key) return undefined;
    seq = piece.kind === 'header' && isSeq(pair.value) ? pair.value : undefined;
    if (piece.kind === 'header' && !seq) return undefined;
    item = 0;
    // A header keeps only its key: its items are chunks of their own and move on their own.
    const node = piece.kind === 'header' ? new Pair(pair.key, null) : pair;
    const ranges = rangesOf(node);
    if (!ranges || (seq && (seq.anchor !== undefined || seq.tag !== undefined))) return undefined;
    chunks.push({ kind: piece.kind, text: piece.text, base: piece.start, node, ranges });
  }
  if (top !== contents.items.length || (seq && item !== seq.items.length)) return undefined;
  return { text, pieces, chunks, lineStarts: unseeded.lineStarts };
}
