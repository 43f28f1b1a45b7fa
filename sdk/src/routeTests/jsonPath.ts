// The JSON paths route tests use in `expect.json` / `expect.contains`: dotted keys with [index] steps, e.g.
// `choices[0].message.content`. Deliberately small: what a person writes in a YAML test, not full JSONPath.

export type PathStep = string | number;

export function parseJsonPath(path: string): PathStep[] {
  const steps: PathStep[] = [];
  const pattern = /([^.[\]]+)|\[(\d+)\]/g;
  for (const match of path.replace(/^\$\.?/, '').matchAll(pattern)) {
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
  }
  if (steps.length === 0) throw new Error(`JSON path "${path}" names no field`);
  return steps;
}

/** The value at `path`, or `undefined` when any step is missing. */
export function valueAtJsonPath(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const step of parseJsonPath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}
