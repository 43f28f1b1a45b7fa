// The views of raw (interpolated, schema-checked or not) config data the semantic rules share, and their findings.
import { routeNames } from './normalize';
import { pathShape } from './routeShape';
import { COMPUTE_ALL, type Reuse } from './ruleMemo';
import type { Severity } from './types';

export interface Finding {
  path: (string | number)[];
  onKey?: boolean;
  severity: Severity;
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

export type Raw = Record<string, unknown>;
export const obj = (v: unknown): Raw => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export interface RouteView {
  index: number;
  raw: Raw;
  name: string;
  path: string;
  shape: string;
  methods?: string[];
  headers: Record<string, string>;
  model?: string;
}

/** The routes with a path, each as a view (kept while its data, index and name stay the same). */
export function routeViews(root: Raw, reuse: Reuse = COMPUTE_ALL): RouteView[] {
  const routes = list(root.routes);
  const names = routeNames(routes);
  const views: RouteView[] = [];
  routes.forEach((r, index) => {
    const raw = obj(r);
    const path = str(raw.path);
    if (path === undefined) return;
    const name = names[index] as string;
    views.push(reuse.forObject('routeView', raw, [index, name], () => routeView(raw, index, name, path)));
  });
  return views;
}

function routeView(raw: Raw, index: number, name: string, path: string): RouteView {
  const methodList = raw.methods !== undefined ? list(raw.methods) : str(raw.method) ? [raw.method] : undefined;
  const match = obj(raw.match);
  return {
    index,
    raw,
    name,
    path,
    shape: pathShape(path),
    ...(methodList ? { methods: methodList.map((m) => String(m).toUpperCase()) } : {}),
    headers: match.headers === undefined ? {} : Object.fromEntries(Object.entries(obj(match.headers)).map(([k, v]) => [k.toLowerCase(), String(v)])),
    ...(str(match.model) ? { model: str(match.model) } : {}),
  };
}
