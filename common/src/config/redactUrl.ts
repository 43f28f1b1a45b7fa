// Target URLs may carry credentials (`http://user:${PASS}@host`, `?api_key=${KEY}`). What the gateway shows of a
// target anywhere (metrics labels, logs, traces, error bodies, events, the admin API) is this redacted form: the
// userinfo and every query value become `***`, so the label stays recognisable and never holds a secret.

const HIDDEN = '***';

/** The URL with its userinfo and query values replaced by `***`; the URL itself when it has neither. */
export function redactUrl(url: string): string {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0) return url;
  const authorityStart = schemeEnd + 3;
  const pathStart = firstOf(url, '/?#', authorityStart);
  const authority = url.slice(authorityStart, pathStart);
  const at = authority.lastIndexOf('@');
  let out = url.slice(0, authorityStart) + (at >= 0 ? `${HIDDEN}@${authority.slice(at + 1)}` : authority);
  const rest = url.slice(pathStart);
  const query = rest.indexOf('?');
  if (query < 0) return out + rest;
  const hash = rest.indexOf('#', query);
  const queryText = rest.slice(query + 1, hash < 0 ? undefined : hash);
  out += rest.slice(0, query + 1) + queryText.split('&').map(redactParam).join('&');
  return hash < 0 ? out : out + rest.slice(hash);
}

/** `name=value` keeps its name; a bare parameter may itself be the secret. */
function redactParam(param: string): string {
  const equals = param.indexOf('=');
  return equals < 0 ? (param === '' ? param : HIDDEN) : `${param.slice(0, equals)}=${HIDDEN}`;
}

function firstOf(text: string, chars: string, from: number): number {
  for (let index = from; index < text.length; index++) if (chars.includes(text[index] as string)) return index;
  return text.length;
}
