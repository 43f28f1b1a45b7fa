// The whole of a yaml Document as plain data, to compare two parses of one text: every node's class, value, ranges,
// source, type, format, comments and blank-line flags, the document's own comments, range, options and directives.
// And `yamlOnly`, to run the config model on yaml's own parse alone.
import { isCollection, isDocument, isPair, isScalar, type Document, type LineCounter } from 'yaml';

function nodeData(node: unknown, schema: unknown): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (isPair(node)) return { pair: [nodeData(node.key, schema), nodeData(node.value, schema)] };
  const out: Record<string, unknown> = { class: node.constructor.name };
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === 'items' ? (value as unknown[]).map((item) => nodeData(item, schema)) : value;
  }
  // Non-enumerable, but read when yaml turns a node back into text: the document's schema, in both parses.
  if (isCollection(node)) out.sameSchema = (node as unknown as { schema: unknown }).schema === schema;
  if (isScalar(node)) out.valueType = typeof node.value;
  return out;
}

/** Everything a parse produced, as data `assert.deepStrictEqual` can compare. */
export function documentData(parsed: { document: Document.Parsed; lineCounter: LineCounter }): unknown {
  const { document } = parsed;
  if (!isDocument(document)) throw new Error('not a document');
  return {
    contents: nodeData(document.contents, document.schema),
    range: document.range,
    commentBefore: document.commentBefore,
    comment: document.comment,
    errors: document.errors.map((e) => e.code),
    warnings: document.warnings.map((e) => e.code),
    options: JSON.stringify(document.options),
    directives: JSON.stringify(document.directives),
    lineStarts: parsed.lineCounter.lineStarts,
  };
}

/** `work` with the config model on yaml's own parse alone (the switch a user has too: AI_GATEWAY_YAML_READER=yaml). */
export function yamlOnly<T>(work: () => T): T {
  return withReader('yaml', work);
}

/** `work` with the block reader on, as by default (the suite may run with AI_GATEWAY_YAML_READER=yaml). */
export function blockReaderOn<T>(work: () => T): T {
  return withReader(undefined, work);
}

function withReader<T>(reader: string | undefined, work: () => T): T {
  const before = process.env.AI_GATEWAY_YAML_READER;
  if (reader === undefined) delete process.env.AI_GATEWAY_YAML_READER;
  else process.env.AI_GATEWAY_YAML_READER = reader;
  try {
    return work();
  } finally {
    if (before === undefined) delete process.env.AI_GATEWAY_YAML_READER;
    else process.env.AI_GATEWAY_YAML_READER = before;
  }
}
