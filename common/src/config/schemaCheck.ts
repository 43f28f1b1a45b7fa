// JSON Schema validation with ajv, turned into diagnostics a person can act on: one message per problem,
// on the exact key or value, with did-you-mean for misspelled keys and enum values.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Document, LineCounter } from 'yaml';
import schemaJson from '../../../schemas/gateway.schema.json';
import { headRangeAt, rangeAt } from './yamlSource';
import type { Diagnostic } from './types';
import { closest } from './suggest';

export const gatewaySchema = schemaJson as unknown as Record<string, unknown>;

let ajv: Ajv | undefined;
let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!compiled) {
    ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, verbose: true });
    compiled = ajv.compile(gatewaySchema);
  }
  return compiled;
}

/**
 * The top-level lists whose items have a schema of their own (`routes`, `security`), each with that schema's
 * validator: an item's errors are the errors the whole validation reports under it, and depend on nothing else.
 */
let itemValidators: Map<string, ValidateFunction> | undefined;
const ANNOTATIONS = new Set(['title', 'description', 'markdownDescription', 'defaultSnippets', 'default', 'examples']);
function listItemValidators(): Map<string, ValidateFunction> {
  validator();
  if (!itemValidators) {
    itemValidators = new Map();
    const properties = (gatewaySchema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [key, property] of Object.entries(properties)) {
      // Only a list that asks nothing of itself but its type (an empty one then passes exactly as the full one does).
      const asks = Object.keys(property).filter((k) => !ANNOTATIONS.has(k));
      const ref = (property.items as { $ref?: unknown } | undefined)?.$ref;
      if (asks.sort().join() !== 'items,type' || property.type !== 'array' || typeof ref !== 'string') continue;
      const item = ajv?.getSchema(`${String(gatewaySchema.$id)}${ref}`);
      if (item) itemValidators.set(key, item);
    }
  }
  return itemValidators;
}

/** Schema errors of list items, by list and item data (the same object: the same errors), kept by an editor. */
export type SchemaMemo = Map<string, WeakMap<object, ErrorObject[]>>;

/**
 * The raw schema errors of `data`. With a memo, the items of the top-level lists are validated one by one and an item
 * the last version validated is not validated again; the rest of the config is validated with those lists empty.
 * Each error is under the same path as in one validation of the whole (only their order differs, by list).
 */
function schemaErrors(data: unknown, memo: SchemaMemo | undefined): ErrorObject[] {
  const validate = validator();
  if (!memo || data === null || typeof data !== 'object' || Array.isArray(data)) return validate(data) ? [] : (validate.errors ?? []);
  const root = data as Record<string, unknown>;
  const lists = [...listItemValidators()].filter(([key]) => Array.isArray(root[key]));
  const rest = { ...root, ...Object.fromEntries(lists.map(([key]) => [key, []])) };
  const errors = validate(rest) ? [] : [...(validate.errors ?? [])];
  for (const [key, validateItem] of lists) {
    let known = memo.get(key);
    if (!known) memo.set(key, (known = new WeakMap()));
    (root[key] as unknown[]).forEach((item, index) => {
      const kept = item !== null && typeof item === 'object' ? known.get(item) : undefined;
      const found = kept ?? (validateItem(item) ? [] : (validateItem.errors ?? []));
      if (!kept && item !== null && typeof item === 'object') known.set(item, found);
      for (const e of found) errors.push({ ...e, instancePath: `/${key}/${index}${e.instancePath}` });
    });
  }
  return errors;
}

type JsonPath = (string | number)[];

function toPath(instancePath: string, data: unknown): JsonPath {
  if (instancePath === '') return [];
  const out: JsonPath = [];
  let cur: unknown = data;
  for (const raw of instancePath.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key: string | number = Array.isArray(cur) && /^\d+$/.test(seg) ? Number(seg) : seg;
    out.push(key);
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[String(key)] : undefined;
  }
  return out;
}

function describe(path: JsonPath): string {
  const named = [...path].reverse().find((p) => typeof p === 'string');
  return named === undefined ? 'the config' : `"${String(named)}"`;
}

function valueText(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

function valueAt(data: unknown, path: JsonPath): unknown {
  let cur: unknown = data;
  for (const seg of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[String(seg)] : undefined;
  return cur;
}

const TYPE_NAMES: Record<string, string> = {
  array: 'a list',
  object: 'a mapping (key: value)',
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
};

interface Located {
  path: JsonPath;
  onKey: boolean;
  message: string;
  code: string;
  data?: Record<string, unknown>;
}

function explain(err: ErrorObject, data: unknown): Located {
  const path = toPath(err.instancePath, data);
  const custom = customMessage(err);
  const value = valueAt(data, path);
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String((err.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys(((err.parentSchema as Record<string, unknown>)?.properties as object) ?? {});
      const guess = closest(key, allowed);
      const where = path.length === 0 ? 'at the top level' : `in ${describe(path)}`;
      return {
        path: [...path, key],
        onKey: true,
        code: 'schema.unknownKey',
        message: `Unknown key "${key}" ${where}.${guess ? ` Did you mean "${guess}"?` : ` Allowed: ${allowed.join(', ')}.`}`,
        data: { key, allowed, ...(guess ? { suggestion: guess } : {}) },
      };
    }
    case 'required': {
      const missing = String((err.params as { missingProperty: string }).missingProperty);
      return {
        path,
        onKey: false,
        code: 'schema.required',
        message: `Missing required key "${missing}" in ${describe(path) === 'the config' ? 'the config' : describe(path)}.`,
        data: { missing },
      };
    }
    case 'enum': {
      const allowed = ((err.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      return {
        path,
        onKey: false,
        code: 'schema.enum',
        message: `${valueText(value)} is not a valid ${describe(path)}: expected one of ${allowed.join(', ')}.${guess ? ` Did you mean "${guess}"?` : ''}`,
        data: { allowed, ...(guess ? { suggestion: guess } : {}) },
      };
    }
    case 'type': {
      const expected = String((err.params as { type: string }).type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t)
        .join(' or ');
      return { path, onKey: false, code: 'schema.type', message: `${describe(path)} must be ${expected}.` };
    }
    case 'minItems':
      return { path, onKey: false, code: 'schema.minItems', message: `${describe(path)} must not be empty.` };
    case 'minimum':
    case 'maximum': {
      const limit = (err.params as { limit: number }).limit;
      return {
        path,
        onKey: false,
        code: `schema.${err.keyword}`,
        message: `${describe(path)} must be ${err.keyword === 'minimum' ? 'at least' : 'at most'} ${limit}, not ${valueText(value)}.`,
      };
    }
    default:
      if (typeof custom === 'string') return { path, onKey: false, code: 'schema.format', message: `${valueText(value)} ${custom}.` };
      return { path, onKey: false, code: `schema.${err.keyword}`, message: `${describe(path)} ${err.message ?? 'is invalid'}.` };
  }
}

const ALTERNATIVES = new Set(['anyOf', 'oneOf']);

/** `/a/b/c` -> `/a/b` -> `/a` -> `` (the instance paths that contain this one, innermost first). */
function parentPath(instancePath: string): string | undefined {
  return instancePath === '' ? undefined : instancePath.slice(0, instancePath.lastIndexOf('/'));
}

/**
 * Errors under an anyOf are noise ("must match a schema in anyOf"). A mapping or list that fits one branch's type
 * gets that branch's own errors (an unknown key, a bad value inside it), and nothing on the whole value; any other
 * value gets the anyOf's x-errorMessage once, or when it has none, the errors of the branch whose type fits.
 */
function collapse(errors: ErrorObject[], data: unknown): ErrorObject[] {
  const anyOfAt = new Map<string, ErrorObject>();
  for (const e of errors) if (ALTERNATIVES.has(e.keyword)) anyOfAt.set(e.instancePath, e);
  // Paths with an error that says more than "wrong type": the value there, or something inside it, fits a branch.
  const detailed = new Set<string>();
  for (const e of errors) {
    if (!ALTERNATIVES.has(e.keyword) && e.keyword !== 'type') detailed.add(e.instancePath);
    for (let p = parentPath(e.instancePath); p !== undefined; p = parentPath(p)) detailed.add(p);
  }
  const innermostAnyOf = (instancePath: string): string | undefined => {
    for (let p: string | undefined = instancePath; p !== undefined; p = parentPath(p)) if (anyOfAt.has(p)) return p;
    return undefined;
  };
  const fitsABranch = (owner: string): boolean => {
    const value = valueAt(data, toPath(owner, data));
    return value !== null && typeof value === 'object' && detailed.has(owner);
  };
  const out: ErrorObject[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const owner = innermostAnyOf(e.instancePath);
    if (owner !== undefined) {
      if (ALTERNATIVES.has(e.keyword) && e.instancePath === owner) continue;
      const anyOf = anyOfAt.get(owner) as ErrorObject;
      if (fitsABranch(owner)) {
        if (e.instancePath === owner && e.keyword === 'type') continue;
      } else {
        const custom = customMessage(anyOf);
        if (typeof custom === 'string') {
          if (!seen.has(`anyOf:${owner}`)) {
            seen.add(`anyOf:${owner}`);
            out.push({ ...anyOf, keyword: 'x-custom', parentSchema: anyOf.parentSchema });
          }
          continue;
        }
        if (e.keyword === 'type' && errors.some((o) => o !== e && o.instancePath === e.instancePath && o.keyword !== 'type' && !ALTERNATIVES.has(o.keyword)))
          continue;
      }
    }
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

/**
 * At most `max` diagnostics, and how many more there were (source ranges are found only for those listed: a file of
 * 40,000 wrong keys stays linear).
 */
export function schemaDiagnostics(
  data: unknown,
  parsed: { document: Document.Parsed; lineCounter: LineCounter },
  max = Infinity,
  memo?: SchemaMemo,
): { diagnostics: Diagnostic[]; omitted: number } {
  let errors = collapse(schemaErrors(data, memo), data);
  // Which problems are listed past the cap depends on the order of one whole validation: that takes the whole one.
  if (memo && errors.length > max) errors = collapse(schemaErrors(data, undefined), data);
  if (errors.length === 0) return { diagnostics: [], omitted: 0 };
  const diagnostics = errors.slice(0, max).map((err): Diagnostic => {
    const loc = explain(err, data);
    return {
      range: loc.code === 'schema.required' ? headRangeAt(parsed, loc.path) : rangeAt(parsed, loc.path, loc.onKey),
      severity: 'error',
      code: loc.code,
      message: loc.message,
      path: loc.path,
      ...(loc.data ? { data: loc.data } : {}),
    };
  });
  return { diagnostics, omitted: errors.length - diagnostics.length };
}

/** The schema's own wording for an error (`x-errorMessage` beside the keyword that failed). */
function customMessage(err: ErrorObject): unknown {
  const parent: unknown = err.parentSchema;
  return typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>)['x-errorMessage'] : undefined;
}
