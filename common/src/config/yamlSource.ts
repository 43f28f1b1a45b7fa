// YAML text -> Document with offsets, and the bridge from JSON paths back to source ranges.
import {
  Composer,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Parser,
  parseDocument,
  YAMLParseError,
  type Document,
  type DocumentOptions,
  type Node,
  type ParseOptions,
  type Pair,
  type SchemaOptions,
} from 'yaml';
import type { CST } from 'yaml';
import type { CheckMemo, DuplicateKey } from './checkMemo';
import { runSteps, type Steps } from './steps';
import type { Diagnostic, Range } from './types';
import { readBlockYaml } from './blockYaml';
import { syntaxDiagnostics } from './yamlErrors';

/**
 * yaml's alias cap for the conversion of one node (`node.toJS`), which the editor's document model and the YAML patch
 * still use; a whole document is converted by yamlToData, which caps what aliases add instead.
 */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedYaml {
  document: Document.Parsed;
  lineCounter: LineCounter;
  syntax: Diagnostic[];
}

/**
 * The parse options every config parse uses (the whole file and each chunk of an incremental parse alike).
 * logLevel 'error': yaml's console warnings (a mapping used as a key) would spam stderr; problems are diagnostics.
 * uniqueKeys false: yaml compares each key with every earlier key of its mapping (40,000 keys took 10 s);
 * `duplicateKeys` finds the same duplicates in one pass.
 */
export const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: false, strict: true, logLevel: 'error' } as const;

/**
 * `parseDocument`, with `process.env` swapped for a plain copy while it runs: yaml's parser reads
 * `process.env.LOG_TOKENS` once per token, and each read of the real (native) env costs about half a
 * microsecond, a fifth of the whole parse of a large config. The copy holds the same values, and the
 * parse is synchronous, so nothing else can see the swap.
 */
export function parseYamlDocument(text: string, options: ParseOptions & DocumentOptions & SchemaOptions = {}): Document.Parsed {
  const env = process.env;
  process.env = { ...env, LOG_TOKENS: env.LOG_TOKENS, LOG_STREAM: env.LOG_STREAM };
  try {
    return parseDocument(text, { ...PARSE_OPTIONS, ...options });
  } finally {
    process.env = env;
  }
}

export function parseYaml(text: string): ParsedYaml {
  return runSteps(parseYamlSteps(text));
}

/** How many lexical tokens `parseYamlSteps` reads between two yields (about 10 ms of parsing). */
export const LEXEMES_PER_STEP = 10_000;

/** Runs `work` with the plain copy of process.env that `parseYamlDocument` explains. */
function withPlainEnv<T>(work: () => T): T {
  const env = process.env;
  process.env = { ...env, LOG_TOKENS: env.LOG_TOKENS, LOG_STREAM: env.LOG_STREAM };
  try {
    return work();
  } finally {
    process.env = env;
  }
}

/**
 * `parseDocument`'s result, with the lexer and parser advanced `LEXEMES_PER_STEP` tokens per step: yaml's own
 * `parseDocument`, taken apart at the tokens (composing the document is one step).
 */
export function* parseYamlSteps(text: string): Steps<ParsedYaml> {
  const block = blockYamlEnabled() ? readBlock(text) : undefined;
  if (block) return block;
  const lineCounter = new LineCounter();
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  const lexemes = new Lexer().lex(text);
  const tokens: CST.Token[] = [];
  const advance = (): boolean => {
    for (let n = 0; n < LEXEMES_PER_STEP; n++) {
      const lexeme = lexemes.next();
      if (lexeme.done) {
        for (const token of parser.end()) tokens.push(token);
        return true;
      }
      for (const token of parser.next(lexeme.value)) tokens.push(token);
    }
    return false;
  };
  while (!withPlainEnv(advance)) yield;
  const document = withPlainEnv(() => {
    let first: Document.Parsed | undefined;
    for (const doc of new Composer(PARSE_OPTIONS).compose(tokens, true, text.length)) {
      if (!first) first = doc;
      else {
        first.errors.push(
          new YAMLParseError(
            doc.range.slice(0, 2) as [number, number],
            'MULTIPLE_DOCS',
            'Source contains multiple documents; please use YAML.parseAllDocuments()',
          ),
        );
        break;
      }
    }
    return first as Document.Parsed;
  });
  const syntax = document.errors.length + document.warnings.length > 0 ? syntaxDiagnostics({ text, document, lineCounter }) : [];
  return { document, lineCounter, syntax };
}

/**
 * Whether plain block YAML is read by blockYaml.ts (yaml's parse still reads anything else). On unless
 * `AI_GATEWAY_YAML_READER=yaml`: the test suite runs both ways, and a user can rule the reader out.
 */
export function blockYamlEnabled(): boolean {
  return process.env.AI_GATEWAY_YAML_READER !== 'yaml';
}

/** `parseDocument`'s result for plain block YAML, read by blockYaml.ts; undefined for anything else. */
export function readBlock(text: string): ParsedYaml | undefined {
  const document = readBlockYaml(text, parseYamlDocument(''));
  if (!document) return undefined;
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineCounter.addNewLine(at + 1);
  return { document, lineCounter, syntax: [] };
}

/**
 * Every repeated scalar key of every mapping, in one pass with one Map per mapping (yaml's own check, off in
 * PARSE_OPTIONS, compares each key with every earlier one), worded as yamlErrors.ts words the others. In document
 * order, as yaml's `visit` meets the mappings; with a memo, the collections an edit left alone are not walked again.
 */
export function duplicateKeys(parsed: { document: Document.Parsed; lineCounter: LineCounter }, memo?: CheckMemo): Diagnostic[] {
  const found: DuplicateKey[] = [];
  collectDuplicateKeys(parsed.document.contents, found, 0, memo);
  return found.map(({ key, first, name }) => {
    const firstLine = first.range ? parsed.lineCounter.linePos(first.range[0]).line : undefined;
    return {
      range: nodeRange(parsed.lineCounter, key) ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
      severity: 'error',
      code: 'yaml.duplicateKey',
      message: `Duplicate key "${name}": this mapping already sets "${name}"${firstLine !== undefined ? ` on line ${firstLine}` : ''}. Keep one of them.`,
      path: [],
    };
  });
}

/** Collections this deep (the root is 0) keep their findings in a memo: the items an incremental parse re-uses. */
const MEMO_DEPTH = 2;

/** yaml's `visit` order (a collection, then its items; a pair's key, then its value), without its per-node overhead. */
function collectDuplicateKeys(node: unknown, found: DuplicateKey[], depth: number, memo: CheckMemo | undefined): void {
  if (isPair(node)) {
    collectDuplicateKeys(node.key, found, depth + 1, memo);
    collectDuplicateKeys(node.value, found, depth + 1, memo);
    return;
  }
  if (!isCollection(node)) return;
  const known = memo && depth <= MEMO_DEPTH ? memo.duplicateKeys.get(node) : undefined;
  if (known) {
    for (const duplicate of known) found.push(duplicate);
    return;
  }
  const from = found.length;
  if (isMap(node)) {
    const firsts = new Map<string, Node>();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const value: unknown = pair.key.value;
      const identity = `${typeof value}:${String(value)}`;
      const first = firsts.get(identity);
      if (first) found.push({ key: pair.key, first, name: String(value) });
      else firsts.set(identity, pair.key);
    }
  }
  // A pair inside a collection is one level, as in the document's nesting of mappings.
  for (const item of node.items) collectDuplicateKeys(item, found, isPair(item) ? depth : depth + 1, memo);
  if (memo && depth <= MEMO_DEPTH) memo.duplicateKeys.set(node, found.slice(from));
}

export function offsetsToRange(lineCounter: LineCounter, start: number, end: number): Range {
  const s = lineCounter.linePos(start);
  const e = lineCounter.linePos(end);
  return { start: { line: s.line - 1, character: s.col - 1 }, end: { line: e.line - 1, character: e.col - 1 } };
}

export function nodeRange(lineCounter: LineCounter, node: Node | null | undefined): Range | undefined {
  if (!node || !node.range) return undefined;
  const [start, valueEnd] = node.range;
  return offsetsToRange(lineCounter, start, Math.max(valueEnd, start + 1));
}

/** The pair whose key is `key` in a map node. */
export function findPair(node: unknown, key: string | number): Pair<Node, Node> | undefined {
  if (!isMap(node)) return undefined;
  for (const item of node.items) {
    if (isPair(item) && isScalar(item.key) && String(item.key.value) === String(key)) return item as Pair<Node, Node>;
  }
  return undefined;
}

/** The node at a JSON path; `key: true` returns the key node of the last segment instead of its value. */
export function nodeAt(document: Document.Parsed, path: (string | number)[], key = false): Node | undefined {
  let node: unknown = document.contents;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] as string | number;
    const last = i === path.length - 1;
    if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      const pair = findPair(node, seg);
      if (!pair) return undefined;
      node = last && key ? pair.key : pair.value;
    }
    if (node === undefined || node === null) return undefined;
  }
  return node as Node;
}

/** The best source range for a JSON path: the node itself, else the nearest ancestor that exists. */
export function rangeAt(parsed: { document: Document.Parsed; lineCounter: LineCounter }, path: (string | number)[], key = false): Range {
  for (let n = path.length; n >= 0; n--) {
    const node = nodeAt(parsed.document, path.slice(0, n), key && n === path.length);
    const range = n < path.length ? keyRangeOf(parsed, path.slice(0, n), node) : nodeRange(parsed.lineCounter, node);
    if (range) return range;
  }
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
}

/** For an ancestor standing in for a missing child: point at its key (or first line), not the whole block. */
function keyRangeOf(parsed: { document: Document.Parsed; lineCounter: LineCounter }, path: (string | number)[], node: Node | undefined): Range | undefined {
  if (!node) return undefined;
  const last = path[path.length - 1];
  if (typeof last === 'string') {
    const keyNode = nodeAt(parsed.document, path, true);
    const r = nodeRange(parsed.lineCounter, keyNode);
    if (r) return r;
  }
  if (isMap(node)) {
    const first = node.items[0];
    if (first && isPair(first)) return nodeRange(parsed.lineCounter, first.key as Node);
  }
  return nodeRange(parsed.lineCounter, node);
}

/** Where to report something missing from the value at `path`: its key, or for a list item its first key, not the whole block. */
export function headRangeAt(parsed: { document: Document.Parsed; lineCounter: LineCounter }, path: (string | number)[]): Range {
  if (typeof path[path.length - 1] === 'string') return rangeAt(parsed, path, true);
  const node = nodeAt(parsed.document, path);
  const first = isMap(node) ? node.items[0] : undefined;
  const head = first && isPair(first) ? nodeRange(parsed.lineCounter, first.key as Node) : undefined;
  return head ?? rangeAt(parsed, path);
}
