// What one check of a document hands to the next check of the same document: results computed from the parts an edit
// left alone. The incremental parse re-uses the node objects of unchanged items, and the data converted from those
// nodes is re-used with them, so "the same object" means "the same text" and a result kept with it still holds. Only
// an editor passes one (with its YamlParseCache): every other caller parses afresh, where nothing would be re-used.
import type { Node } from 'yaml';
import { RuleMemo } from './ruleMemo';
import type { SchemaMemo } from './schemaCheck';

/** A node's plain data and the nodes and characters it adds up to (see yamlData.ts). */
export interface Converted {
  value: unknown;
  weight: number;
}

/** A repeated key of a mapping: the key node, and the first key node of the same name. */
export interface DuplicateKey {
  key: Node;
  first: Node;
  name: string;
}

export class CheckMemo {
  /** Duplicate keys inside a collection node (none of them may be changed in place after the check). */
  readonly duplicateKeys = new WeakMap<Node, DuplicateKey[]>();
  /** The data of a collection node that holds no anchor or alias (its data then depends on nothing else). */
  readonly data = new WeakMap<Node, Converted>();
  /** Data objects with no `${` in any of their strings (yamlToData marks them): interpolation returns them as they are. */
  readonly withoutVariables = new WeakSet<object>();
  /** Schema errors of the items of the top-level lists (schemaCheck.ts). */
  readonly schema: SchemaMemo = new Map();
  /** The semantic rules' views and findings (ruleMemo.ts). */
  readonly rules = new RuleMemo();
}
