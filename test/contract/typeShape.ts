// Two descriptions of one shape, written the same way so they can be compared as text: a TypeScript type (read with
// the compiler's type checker) and a JSON Schema. Objects list their properties sorted (`name?` when optional) and an
// index signature as `[*]`; an object without one is closed (the schema says `additionalProperties: false`); unions
// are sorted members; number and integer are both `number`; `unknown` is the empty schema.
import ts from 'typescript';

type Schema = Record<string, unknown>;

export class TypeDescriber {
  constructor(private readonly checker: ts.TypeChecker) {}

  describe(type: ts.Type, indent = ''): string {
    return this.members(type, indent).sort().join(' | ');
  }

  private members(type: ts.Type, indent: string): string[] {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return ['unknown'];
    if (type.flags & ts.TypeFlags.Boolean) return ['boolean'];
    if (type.isUnion()) {
      const parts = type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined));
      const booleans = parts.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
      const rest = booleans.length === 2 ? parts.filter((t) => !booleans.includes(t)) : parts;
      return [...(booleans.length === 2 ? ['boolean'] : []), ...unique(rest.flatMap((t) => this.members(t, indent)))];
    }
    if (type.flags & ts.TypeFlags.String) return ['string'];
    if (type.flags & ts.TypeFlags.Number) return ['number'];
    if (type.flags & ts.TypeFlags.Null) return ['null'];
    if (type.isStringLiteral()) return [JSON.stringify(type.value)];
    if (type.isNumberLiteral()) return [String(type.value)];
    if (type.flags & ts.TypeFlags.BooleanLiteral) return [this.checker.typeToString(type)];
    if (this.checker.isArrayType(type)) {
      const [element] = this.checker.getTypeArguments(type as ts.TypeReference);
      return [`${group(this.describe(element as ts.Type, indent))}[]`];
    }
    if (type.flags & ts.TypeFlags.Object || type.isIntersection()) return [this.object(type, indent)];
    throw new Error(`no description for the type ${this.checker.typeToString(type)}`);
  }

  private object(type: ts.Type, indent: string): string {
    const inner = `${indent}  `;
    const lines = this.checker.getPropertiesOfType(type).map((property) => {
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
      return `${inner}${property.name}${optional ? '?' : ''}: ${this.describe(this.checker.getTypeOfSymbol(property), inner)}`;
    });
    const index = this.checker.getIndexInfosOfType(type).find((info) => info.keyType.flags & ts.TypeFlags.String);
    if (index) lines.push(`${inner}[*]: ${this.describe(index.type, inner)}`);
    return `{\n${lines.sort().join('\n')}\n${indent}}`;
  }
}

export class SchemaDescriber {
  /** Component schema names reached through `$ref` while describing. */
  readonly reached = new Set<string>();

  constructor(private readonly components: Record<string, Schema>) {}

  describe(schema: Schema, indent = ''): string {
    return this.members(schema, indent).sort().join(' | ');
  }

  private members(schema: Schema, indent: string): string[] {
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.replace('#/components/schemas/', '');
      const target = this.components[name];
      if (!target) throw new Error(`$ref to a missing schema: ${schema.$ref}`);
      this.reached.add(name);
      return this.members(target, indent);
    }
    const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
    if (alternatives) return unique(alternatives.flatMap((s) => this.members(s, indent)));
    if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v));
    if ('const' in schema) return [JSON.stringify(schema.const)];
    switch (schema.type) {
      case undefined:
        return ['unknown'];
      case 'string':
      case 'boolean':
      case 'null':
        return [schema.type];
      case 'number':
      case 'integer':
        return ['number'];
      case 'array':
        return [`${group(this.describe(schema.items as Schema, indent))}[]`];
      case 'object':
        return [this.object(schema, indent)];
      default:
        throw new Error(`no description for the schema type ${JSON.stringify(schema.type)}`);
    }
  }

  private object(schema: Schema, indent: string): string {
    const inner = `${indent}  `;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    const properties = Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {});
    const lines = properties.map(([name, property]) => `${inner}${name}${required.has(name) ? '' : '?'}: ${this.describe(property, inner)}`);
    const extra = schema.additionalProperties;
    if (extra !== false) lines.push(`${inner}[*]: ${extra === undefined || extra === true ? 'unknown' : this.describe(extra as Schema, inner)}`);
    return `{\n${lines.sort().join('\n')}\n${indent}}`;
  }
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function group(description: string): string {
  return description.includes(' | ') ? `(${description})` : description;
}
