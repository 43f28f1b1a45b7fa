// Which list item became which when a YAML list changed: items are matched by identity (a route's name, a rule's
// endpoint, ...) with a longest common subsequence, so deleting the second route patches nothing but that route,
// and an item whose identity changed is edited in place (its comments stay) rather than deleted and re-added.

export type AlignStep = { kind: 'patch'; old: number; new: number } | { kind: 'delete'; old: number } | { kind: 'insert'; new: number; after: number }; // after this old index (-1: before the first)

const MAX_CELLS = 4_000_000;

export function itemIdentity(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    for (const key of ['name', 'endpoint', 'url', 'path']) if (typeof o[key] === 'string') return `${key}:${o[key]}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

export function alignItems(oldIds: string[], newIds: string[]): AlignStep[] {
  const anchors = oldIds.length * newIds.length <= MAX_CELLS ? commonSubsequence(oldIds, newIds) : [];
  const steps: AlignStep[] = [];
  let i = 0;
  let j = 0;
  for (const [anchorOld, anchorNew] of [...anchors, [oldIds.length, newIds.length] as const]) {
    const paired = Math.min(anchorOld - i, anchorNew - j);
    for (let k = 0; k < paired; k++) steps.push({ kind: 'patch', old: i + k, new: j + k });
    for (let k = i + paired; k < anchorOld; k++) steps.push({ kind: 'delete', old: k });
    for (let k = j + paired; k < anchorNew; k++) steps.push({ kind: 'insert', new: k, after: anchorOld - 1 });
    if (anchorOld < oldIds.length) steps.push({ kind: 'patch', old: anchorOld, new: anchorNew });
    i = anchorOld + 1;
    j = anchorNew + 1;
  }
  return steps;
}

/** Index pairs of a longest common subsequence of `a` and `b`. */
function commonSubsequence(a: string[], b: string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const table = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[at(i, j)] = a[i] === b[j] ? (table[at(i + 1, j + 1)] as number) + 1 : Math.max(table[at(i + 1, j)] as number, table[at(i, j + 1)] as number);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if ((table[at(i + 1, j)] as number) >= (table[at(i, j + 1)] as number)) i++;
    else j++;
  }
  return pairs;
}
