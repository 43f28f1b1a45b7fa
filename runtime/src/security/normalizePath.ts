// One canonical form of the request path, computed once before routing and security so that no spelling of a
// path (`//predict`, `/%70redict`, `/x/../predict`, ...) can reach a route while skipping its security rule.
// Unreserved characters are decoded (RFC 3986 §6.2.2), dot segments resolved, empty segments and the trailing
// slash removed. What cannot be made canonical without guessing (encoded `/`, `\`, NUL, double encoding, a
// path above the root) is refused. Case is kept: routes and security rules both match in any case.
// Segments some upstreams read as another path are refused too: a `;` path parameter (Tomcat, Jetty and Spring
// drop it, so `/pub/..;/secure` is `/secure` to them and `/rs;x` is `/rs`), and a segment ending in a dot or a space
// (IIS and Spring's suffix matching ignore them, so `/rs.` and `/rs%20` are `/rs`).

export type NormalizedUrl = { ok: true; path: string; search: string; changed: boolean } | { ok: false; reason: string };

const HEX = /^[0-9A-Fa-f]{2}$/;
// RFC 3986 unreserved characters: decoding them never changes what a path means.
const UNRESERVED = /[A-Za-z0-9\-._~]/;
// Printable ASCII without `\`: anything else in a raw request target is refused rather than interpreted.
const ALLOWED_RAW = /^[\x21-\x5b\x5d-\x7e]*$/;
// Already canonical: non-empty segments that do not start with `.`, no `%`, no `;`, no trailing slash (and, checked
// apart, no segment ending in `.`).
const CANONICAL = /^(?:\/[A-Za-z0-9\-_~!$&'()*+,=:@][A-Za-z0-9\-._~!$&'()*+,=:@]*)+$|^\/$/;
const SEGMENT_ENDS_IN_DOT = /\.(?:\/|$)/;
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;

export function normalizeRequestUrl(rawUrl: string): NormalizedUrl {
  const hash = rawUrl.indexOf('#');
  const withoutFragment = hash >= 0 ? rawUrl.slice(0, hash) : rawUrl;
  const query = withoutFragment.indexOf('?');
  let rawPath = query >= 0 ? withoutFragment.slice(0, query) : withoutFragment;
  const search = query >= 0 ? withoutFragment.slice(query) : '';

  if (!ALLOWED_RAW.test(search)) return { ok: false, reason: 'the query string contains a character that is not allowed' };
  if (CANONICAL.test(rawPath) && !SEGMENT_ENDS_IN_DOT.test(rawPath)) return { ok: true, path: rawPath, search, changed: hash >= 0 };

  if (!rawPath.startsWith('/')) {
    const absolute = ABSOLUTE_FORM.exec(rawPath);
    if (!absolute) return { ok: false, reason: 'the request target is not a path' };
    rawPath = rawPath.slice(absolute[0].length) || '/';
  }
  if (!ALLOWED_RAW.test(rawPath)) return { ok: false, reason: 'the path contains a character that is not allowed' };

  const decoded = decodeUnreserved(rawPath);
  if (typeof decoded !== 'string') return decoded;
  const path = resolveSegments(decoded);
  if (path === undefined) return { ok: false, reason: 'the path climbs above the root' };
  const misread = misreadSegment(path);
  if (misread !== undefined) return { ok: false, reason: misread };
  return { ok: true, path, search, changed: true };
}

/** Why a segment of the resolved path would be read as another path by some upstream; undefined when none would. */
function misreadSegment(path: string): string | undefined {
  if (path.includes(';') || path.includes('%3B')) return 'a path segment has a ";" parameter, which some servers strip (/a;x is /a to them)';
  if (SEGMENT_ENDS_IN_DOT.test(path) || /%20(?:\/|$)/.test(path)) {
    return 'a path segment ends with a dot or a space, which some servers ignore (/a. is /a to them)';
  }
  return undefined;
}

/** Decodes %XX of unreserved characters, upper-cases the other escapes, refuses the ambiguous ones. */
function decodeUnreserved(rawPath: string): string | { ok: false; reason: string } {
  if (!rawPath.includes('%')) return rawPath;
  let out = '';
  for (let index = 0; index < rawPath.length; index++) {
    const char = rawPath[index] as string;
    if (char !== '%') {
      out += char;
      continue;
    }
    const hex = rawPath.slice(index + 1, index + 3);
    if (!HEX.test(hex)) return { ok: false, reason: 'the path has a malformed percent-encoding' };
    const code = parseInt(hex, 16);
    if (code === 0x2f || code === 0x5c) return { ok: false, reason: 'the path contains an encoded slash or backslash' };
    if (code < 0x20 || code === 0x7f) return { ok: false, reason: 'the path contains an encoded control character' };
    if (code === 0x25 && HEX.test(rawPath.slice(index + 3, index + 5))) {
      return { ok: false, reason: 'the path is percent-encoded twice' };
    }
    const decodedChar = String.fromCharCode(code);
    out += code < 0x80 && UNRESERVED.test(decodedChar) ? decodedChar : '%' + hex.toUpperCase();
    index += 2;
  }
  return out;
}

/** Collapses empty and `.` segments, resolves `..`; undefined when `..` would leave the root. */
function resolveSegments(path: string): string | undefined {
  const kept: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (kept.length === 0) return undefined;
      kept.pop();
      continue;
    }
    kept.push(segment);
  }
  return '/' + kept.join('/');
}
