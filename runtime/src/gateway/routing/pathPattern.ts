// Route paths: exact (`/v1/models`), `:param` segments (`/models/:id`) and a trailing `*` prefix (`/v1/*`).
// A pattern is compiled once; its specificity orders routes so the most specific one wins. Paths match in any letter
// case (the config model's routeShape.ts says why); upstream, the part a route matched literally is spelled as the
// route writes it, and params and the wildcard's tail keep the case they were sent in.
import { pathSpecificity } from '../../../../common/src/config';

export interface PathPattern {
  source: string;
  /** Set when the pattern has neither params nor a wildcard: matched through a Map lookup of the lower-cased path. */
  exact?: string;
  match(path: string): Record<string, string> | undefined;
  /** A path this pattern matched, with its literal part spelled as the pattern writes it (`/PREDICT` -> `/predict`). */
  canonical(path: string): string;
  /** Higher is more specific: literal segments weigh most, then params, then the wildcard. */
  specificity: number;
}

const NO_PARAMS: Record<string, string> = Object.freeze({});

export function compilePathPattern(source: string): PathPattern {
  const wildcard = source.endsWith('*');
  const body = wildcard ? source.slice(0, -1) : source;
  const segments = body.split('/').filter((segment, index) => index > 0 || segment !== '');
  const hasParams = segments.some((segment) => segment.startsWith(':'));
  const specificity = pathSpecificity(source);

  if (!wildcard && !hasParams) {
    const spelling = trimTrailingSlash(source);
    const exact = spelling.toLowerCase();
    return {
      source,
      exact,
      specificity,
      match: (path) => (trimTrailingSlash(path).toLowerCase() === exact ? NO_PARAMS : undefined),
      canonical: () => spelling,
    };
  }
  const paramNames: string[] = [];
  let regexSource = '';
  for (const segment of segments) {
    if (segment.startsWith(':')) {
      paramNames.push(segment.slice(1));
      regexSource += '/([^/]+)';
    } else if (segment !== '') {
      regexSource += '/' + segment.replace(/[.+?^${}()|[\]\\*]/g, '\\$&');
    }
  }
  // As the config model's pathPatternMatches: `/v1/*` matches what starts with `/v1/`; `/v1*` also `/v1beta`.
  const tail = wildcard ? (body.endsWith('/') ? '/.*' : '.*') : '/?';
  const regex = new RegExp(`^${regexSource}${tail}$`, 'i');
  const asWritten = new RegExp(`^${regexSource}${tail}$`);
  const literals = segments.filter((segment) => segment !== '');
  return {
    source,
    specificity,
    canonical(path) {
      if (asWritten.test(path)) return path; // the usual case: sent as the route writes it
      const parts = path.split('/');
      literals.forEach((segment, index) => {
        const part = parts[index + 1];
        // A whole segment, or the start of one for `/v1*`; equal to it but for case, since the pattern matched.
        if (!segment.startsWith(':') && part !== undefined) parts[index + 1] = segment + part.slice(segment.length);
      });
      return parts.join('/');
    },
    match(path) {
      const found = regex.exec(path);
      if (!found) return undefined;
      if (paramNames.length === 0) return NO_PARAMS;
      const params: Record<string, string> = {};
      paramNames.forEach((name, index) => {
        params[name] = safeDecode(found[index + 1] ?? '');
      });
      return params;
    },
  };
}

function trimTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
