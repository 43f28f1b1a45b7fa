// A parsed YAML document as plain data, in one pass over its nodes: what `Document.toJS` gives for a config, in time
// linear in the document. yaml's own toJS looks each alias up by scanning every anchor before it (quadratic in the
// number of aliases) and caps aliasing with a heuristic that still let a few hundred kilobytes expand to hundreds of
// megabytes. Here an alias is looked up in a map, and what aliases add to the document (each use of an anchor counts
// the anchored node's nodes and characters again) is capped at MAX_ALIAS_EXPANSION: an alias shares its anchor's
// object, but every later pass (interpolation, the schema, logs, the banner) walks it once per use.

import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { CheckMemo, Converted } from './checkMemo';

/** Nodes plus string characters aliases may add to what the file itself holds (anchors reused across routes fit). */
export const MAX_ALIAS_EXPANSION = 1024 * 1024;

export type YamlDataResult = { ok: true; data: unknown } | { ok: false; error: string };

/** Collections this deep (the root is 0) keep their data in a memo: the items an incremental parse re-uses. */
const MEMO_DEPTH = 2;

/**
 * With a memo, a collection that holds no anchor or alias is converted once and its data re-used while its node is
 * (the same object: the data of the items an edit left alone is shared with the previous version's, never changed).
 */
export function yamlToData(document: Document.Parsed, maxAliasExpansion = MAX_ALIAS_EXPANSION, memo?: CheckMemo): YamlDataResult {
  const anchors = new Map<string, Converted | 'in-progress'>();
  let added = 0;
  let depth = 0;
  /** Anchors and aliases met so far: a node whose conversion met none depends on nothing outside it. */
  let linked = 0;
  /** Strings met so far that may name a `${VAR}`: a collection with none needs no interpolation (env.ts). */
  let variables = 0;
  const spend = (weight: number): void => {
    added += weight;
    if (added > maxAliasExpansion) throw new ExpansionError(`its aliases add more than ${maxAliasExpansion} nodes and characters to it`);
  };

  const convert = (node: unknown): Converted => {
    if (node === null || node === undefined) return { value: null, weight: 1 };
    if (memo && depth <= MEMO_DEPTH && (isMap(node) || isSeq(node))) {
      const known = memo.data.get(node);
      if (known) {
        if (!memo.withoutVariables.has(known.value as object)) variables++;
        return known;
      }
      const linkedBefore = linked;
      const variablesBefore = variables;
      depth++;
      const converted = convertLinked(node);
      depth--;
      if (linked === linkedBefore) memo.data.set(node, converted);
      if (variables === variablesBefore) memo.withoutVariables.add(converted.value as object);
      return converted;
    }
    depth++;
    const converted = convertLinked(node);
    depth--;
    return converted;
  };

  const convertLinked = (node: unknown): Converted => {
    if (isAlias(node)) {
      linked++;
      const anchored = anchors.get(node.source);
      if (anchored === undefined) throw new ExpansionError(`the alias *${node.source} has no anchor before it`);
      if (anchored === 'in-progress') throw new ExpansionError(`the alias *${node.source} is inside the node it names`);
      spend(anchored.weight);
      return anchored;
    }
    const anchor = (node as Node).anchor;
    if (anchor !== undefined) {
      linked++;
      anchors.set(anchor, 'in-progress');
    }
    const converted = convertNode(node as Node);
    if (anchor !== undefined) anchors.set(anchor, converted);
    return converted;
  };

  const convertNode = (node: Node): Converted => {
    if (isScalar(node)) {
      const value = node.value;
      if (typeof value === 'string' && value.includes('${')) variables++;
      const weight = 1 + (typeof value === 'string' ? value.length : 0);
      return { value: isPrimitive(value) ? value : node.toJS(document), weight };
    }
    if (isSeq(node)) {
      const value: unknown[] = [];
      let weight = 1;
      for (const item of node.items) {
        const converted = convert(item);
        value.push(converted.value);
        weight += converted.weight;
      }
      return { value, weight };
    }
    if (isMap(node)) {
      const value: Record<string, unknown> = {};
      let weight = 1;
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = convert(pair.key);
        const item = convert(pair.value);
        weight += key.weight + item.weight;
        setMember(value, keyText(key.value), item.value);
      }
      return { value, weight };
    }
    throw new ExpansionError('it holds a node of an unknown kind');
  };

  try {
    return { ok: true, data: document.contents === null ? null : convert(document.contents).value };
  } catch (err) {
    if (err instanceof ExpansionError) return { ok: false, error: err.message };
    if (err instanceof RangeError) return { ok: false, error: 'it is nested too deeply' }; // the stack ran out
    throw err;
  }
}

class ExpansionError extends Error {}

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** As yaml's toJS names a member: null is '', a scalar its text, a collection its JSON. */
function keyText(key: unknown): string {
  if (key === null) return '';
  return typeof key === 'object' ? JSON.stringify(key) : String(key);
}

/** `__proto__` becomes an own member, as in yaml's toJS, never the object's prototype. */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}
