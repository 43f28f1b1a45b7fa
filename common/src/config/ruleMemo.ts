// How the semantic rules re-use what they found in the previous version of a document. A rule computes a result
// through `Reuse`, naming what it depends on; an editor's memo hands back the last result when that is the same, and
// every other caller computes everything (COMPUTE_ALL). The objects a result depends on are the data of one version,
// which nothing changes in place, so the same object means the same content.

export interface Reuse {
  /** `compute()`, or the result kept for `owner` in `slot` when `deps` hold the same values as then (===). */
  forObject<V>(slot: string, owner: object, deps: readonly unknown[], compute: () => V): V;
  /** `compute()`, or the result kept in `slot` when `items` are as many as then and each is `same` as its predecessor. */
  forList<T, V>(slot: string, items: readonly T[], same: (now: T, then: T) => boolean, compute: () => V): V;
}

/** Two lists of the same strings in the same order (or both absent): for the `same` of `forList`. */
export const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));

export const COMPUTE_ALL: Reuse = {
  forObject: (_slot, _owner, _deps, compute) => compute(),
  forList: (_slot, _items, _same, compute) => compute(),
};

interface Kept {
  deps: readonly unknown[];
  value: unknown;
}

function sameValues(now: readonly unknown[], then: readonly unknown[]): boolean {
  if (now.length !== then.length) return false;
  for (let i = 0; i < now.length; i++) if (now[i] !== then[i]) return false;
  return true;
}

/** One result per owner and slot (and one per list slot): the last version's, which is all the next one can re-use. */
export class RuleMemo implements Reuse {
  /** Per owner, its results by slot (one entry per owner rather than one per owner and slot). */
  private readonly objects = new WeakMap<object, Record<string, Kept | undefined>>();
  private readonly lists = new Map<string, { items: readonly unknown[]; value: unknown }>();

  forObject<V>(slot: string, owner: object, deps: readonly unknown[], compute: () => V): V {
    let slots = this.objects.get(owner);
    const known = slots?.[slot];
    if (known && sameValues(deps, known.deps)) return known.value as V;
    const value = compute();
    if (!slots) this.objects.set(owner, (slots = {}));
    slots[slot] = { deps, value };
    return value;
  }

  forList<T, V>(slot: string, items: readonly T[], same: (now: T, then: T) => boolean, compute: () => V): V {
    const known = this.lists.get(slot);
    if (known && known.items.length === items.length && items.every((item, i) => item === known.items[i] || same(item, known.items[i] as T))) {
      return known.value as V;
    }
    const value = compute();
    this.lists.set(slot, { items, value });
    return value;
  }
}
