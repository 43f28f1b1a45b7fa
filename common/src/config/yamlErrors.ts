// The YAML parser's errors rewritten the way the rest of the messages are: what is wrong, on the line and the text
// that is wrong, and what to write instead (its own text says where it noticed, which is often a line later or earlier).
import { isPair, isScalar, visit, type Document, type LineCounter, type Node, type Pair, type YAMLError } from 'yaml';
import type { Diagnostic, Range } from './types';

interface Source {
  text: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
}

interface Located {
  start: number;
  end: number;
  code: string;
  message: string;
}

function range(source: Source, start: number, end: number): Range {
  const s = source.lineCounter.linePos(start);
  const e = source.lineCounter.linePos(Math.max(end, start + 1));
  return { start: { line: s.line - 1, character: s.col - 1 }, end: { line: e.line - 1, character: e.col - 1 } };
}

interface Line {
  start: number;
  text: string;
}

function lineAt(text: string, offset: number): Line {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  return { start, text: text.slice(start, end < 0 ? text.length : end) };
}

const isContent = (line: string): boolean => line.trim() !== '' && !line.trimStart().startsWith('#');

/** The column where a line's key starts (after any `- `), and the key. */
function keyOf(line: string): { column: number; key: string } {
  const match = /^(\s*(?:-\s+)*)([^\s:#][^:#]*?)?\s*(?::(?:\s|$)|$)/.exec(line);
  const column = match?.[1]?.length ?? 0;
  return { column, key: (match?.[2] ?? line.trim()).trim() };
}

/** The nearest line above `lineStart` with content. */
function lineAbove(text: string, lineStart: number): Line | undefined {
  let end = lineStart - 1;
  while (end > 0) {
    const line = lineAt(text, end - 1);
    if (isContent(line.text)) return line;
    end = line.start - 1;
  }
  return undefined;
}

const spaces = (n: number): string => (n === 1 ? '1 space' : `${n} spaces`);

function badIndentation(text: string, offset: number): Located {
  const line = lineAt(text, offset);
  const { column, key } = keyOf(line.text);
  const above = lineAbove(text, line.start);
  const expected = above ? keyOf(above.text).column : 0;
  return {
    start: line.start + column,
    end: line.start + column + Math.max(key.length, 1),
    code: 'yaml.indentation',
    message: `Bad indentation: "${key}" is indented ${spaces(column)}, but the key above it is indented ${spaces(expected)}. The keys of one mapping start in the same column.`,
  };
}

/** The quoted value the parser ran to the end of the text looking for its closing quote. */
function unclosedQuote(source: Source, error: YAMLError): Located | undefined {
  let found: Node | undefined;
  visit(source.document, {
    Scalar(_key, node) {
      if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range && node.range[1] >= error.pos[0]) {
        found = node;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (!found?.range) return undefined;
  const start = found.range[0];
  const quote = source.text[start] ?? '"';
  return {
    start,
    end: lineAt(source.text, start).start + lineAt(source.text, start).text.length,
    code: 'yaml.unclosedQuote',
    message: `This ${quote} quote is never closed, so the value runs on to the end of the file. Add the closing ${quote}.`,
  };
}

function duplicateKey(source: Source, error: YAMLError): Located | undefined {
  let found: { pair: Pair<Node, Node>; first: Pair<Node, Node> } | undefined;
  visit(source.document, {
    Map(_key, map) {
      const index = map.items.findIndex((p) => isPair(p) && (p.key as Node | null)?.range?.[0] === error.pos[0]);
      if (index < 0) return undefined;
      const pair = map.items[index] as Pair<Node, Node>;
      const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const first = map.items.find((p, i) => i < index && isPair(p) && isScalar(p.key) && String(p.key.value) === name) as Pair<Node, Node> | undefined;
      if (first) found = { pair, first };
      return visit.BREAK;
    },
  });
  if (!found?.pair.key.range || !found.first.key.range || !isScalar(found.pair.key)) return undefined;
  const firstLine = source.lineCounter.linePos(found.first.key.range[0]).line;
  const name = String(found.pair.key.value);
  return {
    start: found.pair.key.range[0],
    end: found.pair.key.range[1],
    code: 'yaml.duplicateKey',
    message: `Duplicate key "${name}": this mapping already sets "${name}" on line ${firstLine}. Keep one of them.`,
  };
}

/** An inline `[` or `{` the parser reached the next line without closing. */
function unclosedFlow(text: string, error: YAMLError, open: '[' | '{'): Located {
  const close = open === '[' ? ']' : '}';
  let depth = 0;
  let at = error.pos[0] - 1;
  for (; at >= 0; at--) {
    const char = text[at];
    if (char === close) depth++;
    else if (char === open && depth-- === 0) break;
  }
  const start = Math.max(at, 0);
  return {
    start,
    end: start + 1,
    code: 'yaml.unclosedFlow',
    message: `This "${open}" is never closed: end the ${open === '[' ? 'list' : 'mapping'} with "${close}".`,
  };
}

/** The next line with content after `line`, if any. */
function lineBelow(text: string, line: Line): Line | undefined {
  for (let start = line.start + line.text.length + 1; start < text.length;) {
    const next = lineAt(text, start);
    if (isContent(next.text)) return next;
    start = next.start + next.text.length + 1;
  }
  return undefined;
}

/**
 * The parser's "implicit key" errors: a value written as `key: value` on its key's line, a key without its colon,
 * or (most often) the line below a `key: value` indented further, which the parser reads as part of that value.
 */
function implicitKey(source: Source, error: YAMLError): Located | undefined {
  const line = lineAt(source.text, error.pos[0]);
  const own = keyOf(line.text);
  const body = line.text.slice(own.column);
  const nested = /:\s+([^\s:#][^#]*?:(\s|$).*)$/.exec(body);
  if (nested && error.pos[1] <= line.start + line.text.length + 1) {
    return {
      start: error.pos[0],
      end: line.start + line.text.length,
      code: 'yaml.nestedOnOneLine',
      message: `A value cannot be another "key: value" on the same line ("${(nested[1] as string).trim()}"): put it on its own line below, indented, or quote it.`,
    };
  }
  if (!/:(\s|$)/.test(body)) {
    return {
      start: line.start + own.column,
      end: line.start + line.text.length,
      code: 'yaml.missingColon',
      message: `"${body.trim()}" is not a "key: value" pair: put ": " after the key.`,
    };
  }
  const below = lineBelow(source.text, line);
  if (below && /:\s+\S/.test(body) && keyOf(below.text).column > own.column) return badIndentation(source.text, below.start);
  return undefined;
}

function locate(source: Source, error: YAMLError): Located | undefined {
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return duplicateKey(source, error);
    case 'TAB_AS_INDENT':
      return { start: error.pos[0], end: error.pos[1], code: 'yaml.indentation', message: 'Tabs cannot indent YAML: indent with spaces.' };
    case 'BAD_INDENT':
      if (/^Flow (sequence|map)/.test(error.message)) return unclosedFlow(source.text, error, error.message.startsWith('Flow sequence') ? '[' : '{');
      return /same column|indent/i.test(error.message) ? badIndentation(source.text, error.pos[0]) : undefined;
    case 'MISSING_CHAR':
      if (/quote/.test(error.message)) return unclosedQuote(source, error);
      if (/without - indicator/.test(error.message)) return badIndentation(source.text, error.pos[0]);
      return undefined;
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return implicitKey(source, error);
    default:
      return undefined;
  }
}

function parserWording(message: string): string {
  const line = message.split('\n')[0] ?? message;
  const text = line.replace(/ at line \d+, column \d+:?$/, '');
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The document's errors and warnings as diagnostics; two parser errors about one mistake become one. */
export function syntaxDiagnostics(source: Source): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (severity: 'error' | 'warning', located: Located) => {
    const key = `${located.start}|${located.code}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ range: range(source, located.start, located.end), severity, code: located.code, message: located.message, path: [] });
  };
  for (const error of source.document.errors) {
    add(
      'error',
      locate(source, error) ?? {
        start: error.pos[0],
        end: error.pos[1],
        code: error.code === 'DUPLICATE_KEY' ? 'yaml.duplicateKey' : 'yaml.syntax',
        message: parserWording(error.message),
      },
    );
  }
  for (const warning of source.document.warnings) {
    add('warning', { start: warning.pos[0], end: warning.pos[1], code: 'yaml.warning', message: parserWording(warning.message) });
  }
  return out;
}
