// Reading V8 .heapsnapshot files (`v8.writeHeapSnapshot`, `node --heapsnapshot-signal`) for heapDiff.ts: what the
// heap holds grouped by kind (constructor name for objects and closures, the node type for strings, code and V8's
// internals), the objects of one snapshot that were allocated between two earlier ones (snapshot ids only grow), and a
// shortest path from the GC roots that keeps one of them alive.
import { readFileSync } from 'node:fs';

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: unknown[]; edge_fields: string[]; edge_types: unknown[] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapSnapshot {
  /** Node types by ordinal: object, closure, string, code, hidden, ... */
  type: string[];
  name: string[];
  id: Float64Array;
  selfSize: Float64Array;
  /** Edges of node i: firstEdge[i] .. firstEdge[i + 1] - 1. */
  firstEdge: Uint32Array;
  edgeType: string[];
  edgeName: string[];
  edgeTo: Uint32Array;
  /** The largest id of a JavaScript heap object (V8 numbers them in the order it first sees them, across snapshots). */
  maxId: number;
}

export interface Group {
  count: number;
  bytes: number;
}

/** Node types of Node's C++ objects and V8's synthetic roots: their ids are addresses, not V8's growing numbers. */
export const EMBEDDER = new Set(['native', 'synthetic']);
const BY_TYPE_ONLY = new Set(['string', 'concatenated string', 'sliced string', 'number', 'heap number', 'bigint']);

export function readHeapSnapshot(file: string): HeapSnapshot {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawSnapshot;
  const { node_fields: nodeFields, node_types: nodeTypes, edge_fields: edgeFields, edge_types: edgeTypes } = raw.snapshot.meta;
  const nodeTypeNames = nodeTypes[0] as string[];
  const edgeTypeNames = edgeTypes[0] as string[];
  const nf = nodeFields.length;
  const ef = edgeFields.length;
  const [typeAt, nameAt, idAt, sizeAt, edgeCountAt] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((f) => nodeFields.indexOf(f)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((f) => edgeFields.indexOf(f)) as [number, number, number];
  const count = raw.nodes.length / nf;
  const snapshot: HeapSnapshot = {
    type: [],
    name: [],
    id: new Float64Array(count),
    selfSize: new Float64Array(count),
    firstEdge: new Uint32Array(count + 1),
    edgeType: [],
    edgeName: [],
    edgeTo: new Uint32Array(raw.edges.length / ef),
    maxId: 0,
  };
  let edge = 0;
  for (let i = 0; i < count; i++) {
    const at = i * nf;
    snapshot.type.push(nodeTypeNames[raw.nodes[at + typeAt]!]!);
    snapshot.name.push(raw.strings[raw.nodes[at + nameAt]!]!);
    snapshot.id[i] = raw.nodes[at + idAt]!;
    snapshot.selfSize[i] = raw.nodes[at + sizeAt]!;
    if (!EMBEDDER.has(snapshot.type[i]!)) snapshot.maxId = Math.max(snapshot.maxId, snapshot.id[i]!);
    snapshot.firstEdge[i] = edge;
    edge += raw.nodes[at + edgeCountAt]!;
  }
  snapshot.firstEdge[count] = edge;
  for (let e = 0; e < snapshot.edgeTo.length; e++) {
    const at = e * ef;
    const type = edgeTypeNames[raw.edges[at + edgeTypeAt]!]!;
    const nameOrIndex = raw.edges[at + edgeNameAt]!;
    snapshot.edgeType.push(type);
    snapshot.edgeName.push(type === 'element' || type === 'hidden' ? `[${nameOrIndex}]` : raw.strings[nameOrIndex]!);
    snapshot.edgeTo[e] = raw.edges[at + toAt]! / nf;
  }
  return snapshot;
}

/** Objects and closures by constructor or function name, V8's internals (code, hidden, arrays) by type and name, strings by type. */
export function groupOf(snapshot: HeapSnapshot, node: number): string {
  const type = snapshot.type[node]!;
  if (BY_TYPE_ONLY.has(type)) return `(${type})`;
  const name = snapshot.name[node]!.replace(/\s+/g, ' ').slice(0, 70);
  return type === 'object' ? name : `(${type}) ${name}`;
}

export function groups(snapshot: HeapSnapshot, only: (node: number) => boolean = () => true): Map<string, Group> {
  const out = new Map<string, Group>();
  for (let node = 0; node < snapshot.id.length; node++) {
    if (!only(node)) continue;
    const key = groupOf(snapshot, node);
    const group = out.get(key) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += snapshot.selfSize[node]!;
    out.set(key, group);
  }
  return out;
}

/** Totals by node type (object, closure, code, string, hidden, array, ...). */
export function byType(snapshot: HeapSnapshot): Map<string, Group> {
  const out = new Map<string, Group>();
  for (let node = 0; node < snapshot.id.length; node++) {
    const group = out.get(snapshot.type[node]!) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += snapshot.selfSize[node]!;
    out.set(snapshot.type[node]!, group);
  }
  return out;
}

/** later - earlier per group, largest byte growth first. */
export function growth(earlier: Map<string, Group>, later: Map<string, Group>): [string, Group][] {
  const keys = new Set([...earlier.keys(), ...later.keys()]);
  return [...keys]
    .map((key): [string, Group] => {
      const a = earlier.get(key) ?? { count: 0, bytes: 0 };
      const b = later.get(key) ?? { count: 0, bytes: 0 };
      return [key, { count: b.count - a.count, bytes: b.bytes - a.bytes }];
    })
    .sort((x, y) => y[1].bytes - x[1].bytes);
}

/**
 * Shortest path from the snapshot's root to `target` over strong edges (weak ones do not retain), as
 * `root -edge-> group -edge-> ... group`; undefined when only weak edges reach it.
 */
export function retainerPath(snapshot: HeapSnapshot, target: number, parents = shortestParents(snapshot)): string | undefined {
  const steps: string[] = [];
  for (let node = target; node !== 0;) {
    const edge = parents[node]!;
    if (edge < 0) return undefined;
    steps.push(`-${snapshot.edgeName[edge]}-> ${groupOf(snapshot, node)}`);
    node = ownerOf(snapshot, edge);
  }
  return ['(root)', ...steps.reverse()].join(' ');
}

/** For each node the edge by which breadth-first search from the root first reached it (-1: unreached). */
export function shortestParents(snapshot: HeapSnapshot): Int32Array {
  const parents = new Int32Array(snapshot.id.length).fill(-1);
  const queue = new Uint32Array(snapshot.id.length);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  parents[0] = 0;
  while (head < tail) {
    const node = queue[head++]!;
    for (let edge = snapshot.firstEdge[node]!; edge < snapshot.firstEdge[node + 1]!; edge++) {
      if (snapshot.edgeType[edge] === 'weak') continue;
      const to = snapshot.edgeTo[edge]!;
      if (parents[to] !== -1) continue;
      parents[to] = edge;
      queue[tail++] = to;
    }
  }
  return parents;
}

let owners: { snapshot: HeapSnapshot; owner: Uint32Array } | undefined;

function ownerOf(snapshot: HeapSnapshot, edge: number): number {
  if (owners?.snapshot !== snapshot) {
    const owner = new Uint32Array(snapshot.edgeTo.length);
    for (let node = 0; node < snapshot.id.length; node++) owner.fill(node, snapshot.firstEdge[node], snapshot.firstEdge[node + 1]);
    owners = { snapshot, owner };
  }
  return owners.owner[edge]!;
}
