// Walking the gateway JSON Schema along a JSON path: which properties, enum values, snippets and descriptions apply
// at a place in the document. `$ref`s are followed and the branches of an `anyOf` are all kept.
import { gatewaySchema } from '../../../common/src/config';

export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  title?: string;
  markdownDescription?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  enum?: unknown[];
  /** One markdown line per `enum` value, in the same order (VS Code's JSON-schema extension). */
  markdownEnumDescriptions?: string[];
  pattern?: string;
  'x-errorMessage'?: string;
  default?: unknown;
  examples?: unknown[];
  defaultSnippets?: { label: string; markdownDescription?: string; body: unknown }[];
}

export type JsonPath = (string | number)[];

const root = gatewaySchema as SchemaNode;

function deref(node: SchemaNode): SchemaNode {
  if (!node.$ref) return node;
  const name = node.$ref.replace('#/definitions/', '');
  const target = (root as { definitions?: Record<string, SchemaNode> }).definitions?.[name] ?? {};
  // Keys written beside a $ref (a description) win over the definition's.
  const { $ref: _ref, ...beside } = node;
  return { ...deref(target), ...beside };
}

/** The schema alternatives that describe a value: the node itself and, for an anyOf, each branch. */
export function alternatives(node: SchemaNode): SchemaNode[] {
  const resolved = deref(node);
  if (!resolved.anyOf) return [resolved];
  return [resolved, ...resolved.anyOf.flatMap((branch) => alternatives(branch))];
}

function child(node: SchemaNode, segment: string | number): SchemaNode[] {
  if (typeof segment === 'number') return node.items ? alternatives(node.items) : [];
  const property = node.properties?.[segment];
  if (property) return alternatives(property);
  if (typeof node.additionalProperties === 'object') return alternatives(node.additionalProperties);
  return [];
}

/** Every schema alternative that applies at `path` (empty when the path leaves the schema). */
export function schemasAt(path: JsonPath): SchemaNode[] {
  let current = alternatives(root);
  for (const segment of path) current = current.flatMap((node) => child(node, segment));
  return current;
}

/** The first alternative at `path` that says something about itself, for hover. */
export function describedSchemaAt(path: JsonPath): SchemaNode | undefined {
  return schemasAt(path).find((s) => s.markdownDescription || s.description);
}

export interface PropertyInfo {
  name: string;
  schema: SchemaNode;
  required: boolean;
}

/** Keys an object at `path` may have, from every object alternative. */
export function propertiesAt(path: JsonPath): PropertyInfo[] {
  const seen = new Map<string, PropertyInfo>();
  for (const node of schemasAt(path)) {
    for (const [name, schema] of Object.entries(node.properties ?? {})) {
      if (!seen.has(name)) seen.set(name, { name, schema: deref(schema), required: node.required?.includes(name) ?? false });
    }
  }
  return [...seen.values()];
}

export function isObjectSchema(node: SchemaNode): boolean {
  return node.type === 'object' || node.properties !== undefined;
}

export function isArraySchema(node: SchemaNode): boolean {
  return node.type === 'array' || node.items !== undefined;
}

export { deref as resolveSchema };

/** The schema's description of one enum value at `path` (or of its list items), when it has one. */
export function enumValueDescription(path: JsonPath, value: string): string | undefined {
  for (const schema of [...schemasAt(path), ...schemasAt([...path, 0])]) {
    const index = (schema.enum ?? []).findIndex((v) => String(v) === value);
    const description = index === -1 ? undefined : schema.markdownEnumDescriptions?.[index];
    if (description) return description;
  }
  return undefined;
}
