// Route paths: exact (`/v1/models`), `:param` segments (`/models/:id`) and a trailing `*` prefix (`/v1/*`).
// A pattern is compiled once; its specificity orders routes so the most specific one wins.

export interface PathPattern {
  source: string;
  /** Set when the pattern has neither params nor a wildcard: matched through a Map lookup. */
  exact?: string;
  match(path: string): Record<string, string> | undefined;
  /** Higher is more specific: literal segments weigh most, then params, then the wildcard. */
  specificity: number;
}

const NO_PARAMS: Record<string, string> = Object.freeze({});

export function compilePathPattern(source: string): PathPattern {
  const wildcard = source.endsWith('*');
  const body = wildcard ? source.slice(0, -1) : source;
  const segments = body.split('/').filter((segment, index) => index > 0 || segment !== '');
  const hasParams = segments.some((segment) => segment.startsWith(':'));
  const literalCount = segments.filter((segment) => segment !== '' && !segment.startsWith(':')).length;
  const paramCount = segments.filter((segment) => segment.startsWith(':')).length;
  // exact > params > wildcard at equal literal count; more literal segments always beat fewer.
  const specificity = literalCount * 1000 + paramCount * 10 + (wildcard ? 0 : 5) + (hasParams || wildcard ? 0 : 100_000);

  if (!wildcard && !hasParams) {
    const exact = trimTrailingSlash(source);
    return { source, exact, specificity, match: (path) => (trimTrailingSlash(path) === exact ? NO_PARAMS : undefined) };
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
  const regex = new RegExp(`^${regexSource}${tail}$`);
  return {
    source,
    specificity,
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
