// Completion: keys valid at the cursor (required first), enum values, the schema's defaultSnippets, route paths for
// `security[].endpoint`, rate-limit forms, environment variable names inside `${` and for `apiKeyEnv`, and a provider
// target's known models.
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type CompletionList, type Position } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { GatewayAnalysis } from './analysis';
import { cursorContext, type CursorContext } from './cursorContext';
import { flowContext, opensFlow } from './flowContext';
import { providerAt, providerValueItems, targetField } from './providerHints';
import { enumValueDescription, isArraySchema, isObjectSchema, propertiesAt, schemasAt, type SchemaNode } from './schemaAt';

type Env = Record<string, string | undefined>;

const RATE_FORMS = ['100/min', '10/s', '5000/hour', '1000/day', '100'];

/** A snippet body from the schema as YAML lines at `indent` (its `${1:x}` placeholders are kept). */
export function snippetYaml(body: unknown, indent: string): string {
  if (Array.isArray(body)) {
    return body
      .map((item) => {
        const inner = snippetYaml(item, `${indent}  `);
        return `${indent}- ${inner.slice(indent.length + 2)}`;
      })
      .join('\n');
  }
  if (body !== null && typeof body === 'object') {
    return Object.entries(body)
      .map(([key, value]) => {
        if (value !== null && typeof value === 'object') {
          if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) return `${indent}${key}: [${value.join(', ')}]`;
          return `${indent}${key}:\n${snippetYaml(value, `${indent}  `)}`;
        }
        return `${indent}${key}: ${String(value)}`;
      })
      .join('\n');
  }
  return `${indent}${String(body)}`;
}

function replaceRange(position: Position, prefix: string) {
  return { start: { line: position.line, character: position.character - prefix.length }, end: position };
}

/** Keys of an inline mapping: `key: ` on the line, no block snippets. */
function flowKeyItems(ctx: CursorContext, position: Position): CompletionItem[] {
  const range = replaceRange(position, ctx.prefix);
  return propertiesAt(ctx.path)
    .filter((property) => !ctx.siblings.includes(property.name))
    .map((property) => ({
      label: property.name,
      kind: CompletionItemKind.Property,
      sortText: `${property.required ? '0' : '1'}${property.name}`,
      ...(property.required ? { detail: 'required' } : {}),
      ...(property.schema.markdownDescription ? { documentation: { kind: 'markdown', value: property.schema.markdownDescription } } : {}),
      textEdit: { range, newText: `${property.name}: ` },
    }));
}

function keyItems(ctx: CursorContext, position: Position): CompletionItem[] {
  if (ctx.flow) return flowKeyItems(ctx, position);
  const indent = ' '.repeat(ctx.before.length - ctx.prefix.length);
  const range = replaceRange(position, ctx.prefix);
  const items: CompletionItem[] = [];
  for (const property of propertiesAt(ctx.path)) {
    if (ctx.siblings.includes(property.name)) continue;
    const schema = property.schema;
    const block = isObjectSchema(schema) ? `\n${indent}  $0` : isArraySchema(schema) ? `\n${indent}  - $0` : ' $0';
    items.push({
      label: property.name,
      kind: CompletionItemKind.Property,
      sortText: `${property.required ? '0' : '1'}${property.name}`,
      ...(property.required ? { detail: 'required' } : {}),
      ...(schema.markdownDescription ? { documentation: { kind: 'markdown', value: schema.markdownDescription } } : {}),
      insertTextFormat: InsertTextFormat.Snippet,
      textEdit: { range, newText: `${property.name}:${block}` },
    });
    for (const snippet of schema.defaultSnippets ?? []) {
      const body = snippetYaml(snippet.body, `${indent}  `);
      items.push({
        label: `${property.name}: ${snippet.label}`,
        kind: CompletionItemKind.Snippet,
        sortText: `2${property.name}`,
        ...(snippet.markdownDescription ? { documentation: { kind: 'markdown', value: snippet.markdownDescription } } : {}),
        insertTextFormat: InsertTextFormat.Snippet,
        textEdit: { range, newText: `${property.name}:\n${body}` },
      });
    }
  }
  // A new sequence item (`- |`) offers the item's own snippets: a whole route, a whole security rule.
  if (ctx.newItem || ctx.siblings.length === 0) {
    for (const schema of schemasAt(ctx.path)) {
      for (const snippet of schema.defaultSnippets ?? []) {
        if (Array.isArray(snippet.body)) continue;
        const body = snippetYaml(snippet.body, indent).slice(indent.length);
        items.push({
          label: snippet.label,
          kind: CompletionItemKind.Snippet,
          sortText: `3${snippet.label}`,
          ...(snippet.markdownDescription ? { documentation: { kind: 'markdown', value: snippet.markdownDescription } } : {}),
          insertTextFormat: InsertTextFormat.Snippet,
          textEdit: { range, newText: body },
        });
      }
    }
  }
  return items;
}

function scalarValues(schemas: SchemaNode[]): string[] {
  const values = new Set<string>();
  for (const s of schemas) {
    for (const v of s.enum ?? []) values.add(String(v));
    if (s.type === 'boolean') {
      values.add('true');
      values.add('false');
    }
    for (const e of s.examples ?? []) if (typeof e !== 'object') values.add(String(e));
    if (s.default !== undefined && typeof s.default !== 'object') values.add(String(s.default));
  }
  return [...values];
}

function valueItems(ctx: CursorContext, position: Position, analysis: GatewayAnalysis | undefined, env: Env, current: () => GatewayAnalysis): CompletionItem[] {
  const range = replaceRange(position, ctx.prefix);
  const last = ctx.path[ctx.path.length - 1];
  const target = targetField(ctx.path);
  if (target) {
    // Which provider the target names is read from this version: it may have been typed on the line above just now.
    const items = providerValueItems(target.field, providerAt(current().result.document, target.target), range, env, ctx.prefix);
    if (items) return items;
  }
  const item = (label: string, kind: CompletionItemKind, detail?: string): CompletionItem => ({
    label,
    kind,
    textEdit: { range, newText: label },
    ...(detail ? { detail } : {}),
  });
  if (ctx.path[0] === 'security' && last === 'endpoint') {
    return (analysis?.routes ?? []).flatMap((r) => (r.path ? [item(r.path, CompletionItemKind.Reference, `route ${r.name}`)] : []));
  }
  const schemas = schemasAt(ctx.path);
  const out = scalarValues(schemas)
    .filter((v) => !ctx.siblings.includes(v))
    .map((v) => {
      const documentation = enumValueDescription(ctx.path, v);
      return { ...item(v, CompletionItemKind.Value), ...(documentation ? { documentation: { kind: 'markdown' as const, value: documentation } } : {}) };
    });
  if (last === 'rateLimit' || last === 'requests' || last === 'tokens') {
    for (const form of RATE_FORMS) if (!out.some((o) => o.label === form)) out.push(item(form, CompletionItemKind.Value, 'rate'));
  }
  return out;
}

function envItems(text: string, names: string[], position: Position, prefix: string, closed: boolean): CompletionItem[] {
  const known = new Set([...names, ...[...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string)]);
  known.delete(prefix);
  const upper = prefix.toUpperCase();
  return [...known]
    .filter((name) => name.toUpperCase().startsWith(upper))
    .sort()
    .map((name) => ({
      label: name,
      kind: CompletionItemKind.Variable,
      textEdit: { range: replaceRange(position, prefix), newText: closed ? name : `${name}}` },
    }));
}

/**
 * Completion at `position`. `analysis` may be of an earlier version (names and paths barely change while typing);
 * `current` analyzes this version, which only an inline `{ }` or `[ ]` needs: its structure is read from the parse.
 */
export function doComplete(
  document: TextDocument,
  position: Position,
  analysis: GatewayAnalysis | undefined,
  env: Env,
  current: () => GatewayAnalysis,
): CompletionList {
  const text = document.getText();
  const line = text.slice(document.offsetAt({ line: position.line, character: 0 }), document.offsetAt({ line: position.line + 1, character: 0 }));
  const before = line.slice(0, position.character);
  const reference = /\$\{([A-Za-z0-9_]*)$/.exec(before);
  if (reference)
    return { isIncomplete: false, items: envItems(text, Object.keys(env), position, reference[1] ?? '', line.slice(position.character).startsWith('}')) };
  const flow = opensFlow(before) ? flowContext(text, current().result.document.contents, document.offsetAt(position), before) : undefined;
  const ctx = flow ?? cursorContext(text, position.line, position.character);
  // `- |` under a list of values (methods, retryOn) is a value, not the first key of a new mapping.
  const scalarItem = ctx.kind === 'key' && ctx.newItem && !schemasAt(ctx.path).some(isObjectSchema);
  const items = ctx.kind === 'key' && !scalarItem ? keyItems(ctx, position) : valueItems({ ...ctx, kind: 'value' }, position, analysis, env, current);
  return { isIncomplete: false, items };
}
