// Write changed config data back into the user's YAML text touching only what changed: the comments, key
// order, blank lines, quoting and flow style of everything else stay byte for byte. The result is re-parsed
// and compared with the data; if the text patch cannot express the change, the yaml Document is re-rendered.
import { Document, isMap, isScalar, isSeq, parseDocument, Scalar, visit, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { MAX_ALIAS_COUNT, yamlToData } from '../../../common/src/config';
import { alignItems, itemIdentity } from './seqAlignment';

/** yaml's own duplicate-key check is quadratic in a mapping's size: the config model checks duplicates itself. */
const PARSE = { uniqueKeys: false } as const;

/** How new YAML is rendered: `[POST]` rather than `[ POST ]`, and long strings never folded. */
const YAML_OUTPUT = { flowCollectionPadding: false, lineWidth: 0 } as const;

interface Splice {
  start: number;
  end: number;
  text: string;
}

type Plain = Record<string, unknown>;

const SECTION_ORDER = ['$schema', 'version', 'gateway', 'routes', 'security', 'callback'];

/** `text` rewritten so that it parses to `data`, keeping everything of `text` that `data` did not change. */
export function yamlWithChanges(text: string, data: unknown): string {
  const patched = patchedText(text, data);
  return patched !== undefined && parsesTo(patched, data) ? patched : renderDocument(parseDocument(text, PARSE), data);
}

/** The text patch alone: `text` with only the changed values rewritten, or undefined when it cannot express the change. */
export function patchedText(text: string, data: unknown): string | undefined {
  const document = parseDocument(text, PARSE);
  return document.errors.length === 0 ? new TextPatcher(text, document).patch(data) : undefined;
}

function parsesTo(text: string, data: unknown): boolean {
  const document = parseDocument(text, PARSE);
  if (document.errors.length > 0) return false;
  const parsed = yamlToData(document);
  return parsed.ok && sameData(parsed.data ?? {}, data);
}

/** The plain data of a YAML text (`${VAR}` left as written). */
export function yamlData(text: string): unknown {
  const document = parseDocument(text, PARSE);
  if (document.errors.length > 0) throw new Error(document.errors[0]?.message ?? 'invalid YAML');
  const parsed = yamlToData(document);
  if (!parsed.ok) throw new Error(`the document cannot be expanded: ${parsed.error}`);
  return parsed.data ?? {};
}

export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameData(x, b[i]));
  }
  if (!isPlain(a) || !isPlain(b)) return false;
  const keys = (o: Plain) => Object.keys(o).filter((k) => o[k] !== undefined);
  const ka = keys(a);
  return ka.length === keys(b).length && ka.every((k) => sameData(a[k], b[k]));
}

function isPlain(value: unknown): value is Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Collections of scalars that fit on a line read best in flow style, as in `methods: [POST]`; routes and
 * security rules stay blocks like the ones a person writes. */
function isSmall(value: unknown): boolean {
  if (isPlain(value) && ('endpoint' in value || ('path' in value && ('target' in value || 'targets' in value)))) return false;
  const items = Array.isArray(value) ? value : isPlain(value) ? Object.values(value) : undefined;
  return items !== undefined && items.every((v) => v === null || typeof v !== 'object') && JSON.stringify(value).length <= 60;
}

function isBlock(value: unknown): boolean {
  return (Array.isArray(value) || isPlain(value)) && !isSmall(value) && (Array.isArray(value) ? value.length : Object.keys(value).length) > 0;
}

/** `value` as YAML text for column 0; the caller indents its continuation lines to where it is placed. */
function render(value: unknown, flowRoot: boolean, blockRoot = false): string {
  const document = new Document(value);
  visit(document, {
    Map: (_key, node) => void (node.flow = flowRoot || isSmall(node.toJSON())),
    Seq: (_key, node) => void (node.flow = flowRoot || isSmall(node.toJSON())),
    // A line break written as `\n` keeps every rendered line able to take a trailing comment, and flow lists on one line.
    Scalar: (_key, node) => void (typeof node.value === 'string' && node.value.includes('\n') && (node.type = Scalar.QUOTE_DOUBLE)),
  });
  if (!flowRoot && (isMap(document.contents) || isSeq(document.contents))) document.contents.flow = !blockRoot && !isBlock(value);
  return document.toString(YAML_OUTPUT).trimEnd();
}

/** The whole document rendered again: only the comment above the first key survives. */
function renderDocument(document: Document.Parsed, data: unknown): string {
  const fresh = new Document(data);
  visit(fresh, {
    Map: (_key, node) => void (node.flow = node !== fresh.contents && isSmall(node.toJSON())),
    Seq: (_key, node) => void (node.flow = node !== fresh.contents && isSmall(node.toJSON())),
  });
  fresh.commentBefore = document.commentBefore;
  return fresh.toString(YAML_OUTPUT);
}

class TextPatcher {
  private readonly splices: Splice[] = [];
  private readonly eol: string;

  constructor(
    private readonly text: string,
    private readonly document: Document.Parsed,
  ) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }

  patch(data: unknown): string | undefined {
    const root = this.document.contents;
    if (root === null || (isScalar(root) && root.value === null)) {
      const glue = this.text === '' || this.text.endsWith('\n') ? '' : this.eol;
      return isPlain(data) && Object.keys(data).length === 0 ? this.text : `${this.text}${glue}${this.lines(render(data, false))}${this.eol}`;
    }
    if (!isMap(root) || root.flow || !isPlain(data) || !this.patchMap(root, data, true)) return undefined;
    return this.apply();
  }

  private apply(): string | undefined {
    // From the end backwards; of several insertions at one place the last comes first, so they read in order.
    const sorted = this.splices.map((s, i) => ({ ...s, i })).sort((a, b) => b.start - a.start || b.end - a.end || b.i - a.i);
    let out = this.text;
    let limit = Infinity;
    for (const s of sorted) {
      if (s.end > limit) return undefined; // overlapping edits: let the Document render it
      out = out.slice(0, s.start) + s.text + out.slice(s.end);
      limit = s.start;
    }
    return out;
  }

  private value(node: unknown): unknown {
    return (node as Node | null)?.toJS?.(this.document, { maxAliasCount: MAX_ALIAS_COUNT }) ?? null;
  }

  /** Returns false, having changed nothing, when the map cannot be patched in place. */
  private patchMap(map: YAMLMap, data: Plain, root = false): boolean {
    const pairs = map.items as Pair<Node, Node | null>[];
    const first = pairs[0];
    if (!first || pairs.some((p) => !isScalar(p.key) || !p.key.range)) return false;
    // A map left with no keys is written `{}`, not as an empty block (which would read as null).
    if (Object.values(data).every((v) => v === undefined)) return false;
    const firstKeyAt = (first.key.range as [number, number, number])[0];
    const keyOf = (p: Pair<Node, Node | null>) => String((p.key as { value: unknown }).value);
    // Removing the key that shares its line with a sequence dash would take the dash with it.
    if (this.afterDash(firstKeyAt) && data[keyOf(first)] === undefined) return false;
    const column = this.column(firstKeyAt);
    for (const pair of pairs) {
      const value = data[keyOf(pair)];
      if (value === undefined) this.removeLines(this.keyStart(pair), this.pairEnd(pair));
      else this.patchPair(pair, value, column);
    }
    const existing = new Set(pairs.map(keyOf));
    const added = Object.entries(data).filter(([k, v]) => !existing.has(k) && v !== undefined);
    const atEnd = this.endOfLine(this.pairEnd(pairs[pairs.length - 1] as Pair<Node, Node | null>));
    for (const [key, value] of added) {
      const text = `${' '.repeat(column)}${this.pairText(key, value, column, root)}${this.eol}`;
      // A new top-level section goes where a person would put it (version, gateway, routes, security, callback).
      const before = root ? pairs.find((p) => SECTION_ORDER.indexOf(keyOf(p)) > SECTION_ORDER.indexOf(key) && SECTION_ORDER.includes(key)) : undefined;
      const above = before ? this.commentsAbove(this.keyStart(before)) : atEnd;
      // Comments opening the file are its header: a new first section goes below them.
      const at = before && above === 0 ? this.lineStart(this.keyStart(before)) : above;
      this.insert(at, before ? `${text}${this.eol}` : text);
    }
    return true;
  }

  private patchPair(pair: Pair<Node, Node | null>, data: unknown, column: number): void {
    const node = pair.value;
    if (sameData(this.value(node), data)) return;
    if (isMap(node) && !node.flow && isPlain(data) && this.patchMap(node, data)) return;
    if (isSeq(node) && !node.flow && Array.isArray(data) && this.patchSeq(node, data)) return;
    const keyEnd = (pair.key.range as [number, number, number])[1];
    const blockNode = (isMap(node) || isSeq(node)) && !node.flow;
    if (!node?.range) {
      // `key:` with no value (perhaps a comment after it): the value goes after the colon or below the line.
      const colon = this.text.indexOf(':', keyEnd);
      if (isBlock(data)) this.insert(this.endOfLine(colon + 1), `${this.lines(render(data, false), column + 2, true)}${this.eol}`);
      else this.insert(colon + 1, ` ${this.inline(data, column + 2)}`);
      return;
    }
    const end = this.trimEnd(node.range[1], node.range[0]);
    if (isBlock(data)) this.replace(keyEnd, end, `:${this.eol}${this.lines(render(data, false), column + 2, true)}`);
    else if (blockNode) this.replace(keyEnd, end, `: ${this.inline(data, column + 2)}`);
    else this.replace(node.range[0], end, this.inline(data, column + 2));
  }

  private patchSeq(seq: YAMLSeq, data: unknown[]): boolean {
    const items = seq.items as (Node | null)[];
    const first = items[0];
    if (!first?.range || data.length === 0 || items.some((i) => !i?.range)) return false;
    const lineStart = this.lineStart(first.range[0]);
    const dash = this.text.slice(lineStart, first.range[0]).lastIndexOf('-');
    if (dash < 0) return false;
    const contentColumn = first.range[0] - lineStart;
    const prefix = `${' '.repeat(dash)}-${' '.repeat(Math.max(1, contentColumn - dash - 1))}`;
    const itemText = (value: unknown) => (isBlock(value) ? this.lines(render(value, false), contentColumn) : this.inline(value, contentColumn));
    const oldValues = items.map((item) => this.value(item));
    const inserts = new Map<number, string[]>();
    for (const step of alignItems(oldValues.map(itemIdentity), data.map(itemIdentity))) {
      if (step.kind === 'insert') {
        inserts.set(step.after, [...(inserts.get(step.after) ?? []), `${prefix}${itemText(data[step.new])}${this.eol}`]);
        continue;
      }
      const item = items[step.old] as Node;
      const range = item.range as [number, number, number];
      if (step.kind === 'delete') {
        this.removeLines(range[0], range[1]);
        continue;
      }
      const value = data[step.new];
      if (sameData(oldValues[step.old], value)) continue;
      if (isMap(item) && !item.flow && isPlain(value) && this.patchMap(item, value)) continue;
      this.replace(range[0], this.trimEnd(range[1], range[0]), itemText(value));
    }
    for (const [after, texts] of inserts) {
      const anchor = items[after];
      // Before the first item (and the comments above it), or after the line that ends the anchor item.
      const at = anchor?.range ? this.endOfLine(anchor.range[1]) : this.commentsAbove(first.range[0]);
      this.insert(at, texts.join(''));
    }
    return true;
  }

  private pairText(key: string, value: unknown, column: number, root = false): string {
    const k = render(key, true);
    const block = isBlock(value) || (root && (isPlain(value) || Array.isArray(value)) && !sameData(value, {}) && !sameData(value, []));
    return block ? `${k}:${this.eol}${this.lines(render(value, false, true), column + 2, true)}` : `${k}: ${this.inline(value, column + 2)}`;
  }

  /** A value in flow style after `key: ` or `- `: should it span lines, the rest go to `column`, inside its parent. */
  private inline(value: unknown, column: number): string {
    return this.lines(render(value, true), column);
  }

  /** Indents every line after the first (or every line) by `column` and joins with the file's line ending. */
  private lines(text: string, column = 0, indentFirst = false): string {
    const pad = ' '.repeat(column);
    return text
      .split('\n')
      .map((line, i) => ((i === 0 && !indentFirst) || line === '' ? line : pad + line))
      .join(this.eol);
  }

  private keyStart(pair: Pair<Node, Node | null>): number {
    return (pair.key.range as [number, number, number])[0];
  }

  private pairEnd(pair: Pair<Node, Node | null>): number {
    return pair.value?.range ? this.trimEnd(pair.value.range[1], pair.value.range[0]) : (pair.key.range as [number, number, number])[1];
  }

  /** Deletes the lines from `start` to `end`, with the comment lines right above them (they described them). */
  private removeLines(start: number, end: number): void {
    this.replace(this.commentsAbove(start), this.endOfLine(end), '');
  }

  /** The start of the comment lines directly above the line holding `at` (or of that line when there are none). */
  private commentsAbove(at: number): number {
    let from = this.lineStart(at);
    while (from > 0) {
      const previous = this.lineStart(from - 1);
      if (!this.text.slice(previous, from).trimStart().startsWith('#')) break;
      from = previous;
    }
    return from;
  }

  private afterDash(at: number): boolean {
    return /-\s*$/.test(this.text.slice(this.lineStart(at), at));
  }

  private column(at: number): number {
    return at - this.lineStart(at);
  }

  private lineStart(at: number): number {
    return this.text.lastIndexOf('\n', at - 1) + 1;
  }

  /** The position after the line break that ends the line holding the text just before `at`. */
  private endOfLine(at: number): number {
    if (at > 0 && this.text[at - 1] === '\n') return at;
    const newline = this.text.indexOf('\n', at);
    return newline < 0 ? this.text.length : newline + 1;
  }

  private trimEnd(end: number, start: number): number {
    while (end > start && /\s/.test(this.text[end - 1] as string)) end--;
    return end;
  }

  private insert(at: number, text: string): void {
    const glue = at === this.text.length && this.text !== '' && !this.text.endsWith('\n') ? this.eol : '';
    this.splices.push({ start: at, end: at, text: glue + text });
  }

  private replace(start: number, end: number, text: string): void {
    this.splices.push({ start, end, text });
  }
}
