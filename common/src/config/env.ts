// `${VAR}` and `${VAR:-default}` in strings read the environment; unset variables are reported, not guessed.

export interface UnsetVariable {
  path: (string | number)[];
  name: string;
}

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** `withoutVariables`: lists and mappings known to hold no `${` (yamlToData marks them for an editor), returned as they are. */
export function interpolate(
  data: unknown,
  env: Record<string, string | undefined>,
  withoutVariables?: Pick<WeakSet<object>, 'has'>,
): { data: unknown; unset: UnsetVariable[] } {
  const unset: UnsetVariable[] = [];
  // One path stack for the whole walk: copied only when a variable is reported, not for every value.
  const path: (string | number)[] = [];
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('${')) return value;
      let missing = false;
      const out = value.replace(REF, (whole, name: string, fallback: string | undefined) => {
        const v = env[name];
        if (v !== undefined && v !== '') return v;
        if (fallback !== undefined) return fallback;
        unset.push({ path: [...path], name });
        missing = true;
        return whole;
      });
      return missing ? value : out;
    }
    if (value !== null && typeof value === 'object' && withoutVariables?.has(value)) return value;
    // A list or mapping with no variable in it is returned as it is: a large config is mostly that, and copying it
    // all would only feed the garbage collector.
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const out = walk(value[i]);
        path.pop();
        if (out !== value[i]) (copy ??= value.slice())[i] = out;
      }
      return copy ?? value;
    }
    if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      let copy: Record<string, unknown> | undefined;
      // Keys, not entries: one array per mapping instead of one more per key (a large config has tens of thousands).
      for (const k of Object.keys(record)) {
        const v = record[k];
        path.push(k);
        const out = walk(v);
        path.pop();
        if (out !== v) (copy ??= { ...record })[k] = out;
      }
      return copy ?? value;
    }
    return value;
  };
  return { data: walk(data), unset };
}
