// A tiny method + path router for the admin API (`/routes/:name`); path segments are URL-decoded, so
// `/security/%2Fpredict` gives `{ endpoint: "/predict" }`. Unknown paths are 404, known paths with another method 405.
import type { ParameterizedContext } from 'koa';

export type AdminContext = ParameterizedContext;
export type AdminHandler = (ctx: AdminContext, params: Record<string, string>) => Promise<void> | void;

interface AdminRoute {
  method: string;
  segments: string[];
  handler: AdminHandler;
}

export type RouteMatch = { handler: AdminHandler; params: Record<string, string> } | { allowed: string[] } | undefined;

export class AdminRouter {
  private readonly routes: AdminRoute[] = [];

  on(method: string, pattern: string, handler: AdminHandler): this {
    this.routes.push({ method, segments: split(pattern), handler });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    let segments: string[];
    try {
      segments = split(path).map((s) => decodeURIComponent(s));
    } catch {
      return undefined; // malformed %-escape: no route can match it
    }
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { handler: route.handler, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { allowed } : undefined;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const a = actual[i] as string;
    if (p.startsWith(':')) params[p.slice(1)] = a;
    else if (p !== a) return undefined;
  }
  return params;
}
