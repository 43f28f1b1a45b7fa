// Secrets a user wrote into the config (`jwt.secret`, `apiKeys[].key`, a credential header's value on a target; the
// editor warns about them), the userinfo of any URL in it (`http://user:password@host`, `redis://:password@host`), and API-key
// digests (`apiKeys[].sha256`, which GET /security hides too) never leave the gateway through the admin API: GET
// /config shows them as <redacted>. A PUT that sends the marker back in place of a digest gets the digest of the same
// key (same endpoint, same key name) from the running config, and a URL whose userinfo reads <redacted> gets the userinfo
// of the running config's URL that is otherwise the same; any other marker is refused rather than written over the
// real value.
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Scalar } from 'yaml';
import { isPlaintextCredentialHeader } from '../../../common/src/config';

const REDACTED = '<redacted>';

type Visit = (
  holder: Scalar,
  path: string,
  where: { endpoint: unknown; methods: unknown; keyName: unknown; field: 'secret' | 'key' | 'sha256' | 'header' },
) => void;

function scalarOf(map: unknown, key: string): Scalar | undefined {
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
  return pair && isScalar(pair.value) ? pair.value : undefined;
}

function eachSecret(document: Document, visit: Visit): void {
  eachHeaderSecret(document, visit);
  const security = document.get('security', true);
  if (!isSeq(security)) return;
  security.items.forEach((rule, i) => {
    if (!isMap(rule)) return;
    const endpoint = scalarOf(rule, 'endpoint')?.value;
    const methods = JSON.stringify(rule.get('methods'));
    const secret = scalarOf(rule.get('jwt', true), 'secret');
    if (secret) visit(secret, `security[${i}].jwt.secret`, { endpoint, methods, keyName: undefined, field: 'secret' });
    const keys = rule.get('apiKeys', true);
    if (!isSeq(keys)) return;
    keys.items.forEach((key, j) => {
      const keyName = scalarOf(key, 'name')?.value;
      for (const field of ['key', 'sha256'] as const) {
        const value = scalarOf(key, field);
        if (value) visit(value, `security[${i}].apiKeys[${j}].${field}`, { endpoint, methods, keyName, field });
      }
    });
  });
}

/** Target headers whose credential is written out (`x-api-key: sk-...` rather than `"${KEY}"`). */
function eachHeaderSecret(document: Document, visit: Visit): void {
  const routes = document.get('routes', true);
  if (!isSeq(routes)) return;
  routes.items.forEach((route, i) => {
    const targets = isMap(route) ? route.get('targets', true) : undefined;
    if (!isSeq(targets)) return;
    targets.items.forEach((target, j) => {
      const headers = isMap(target) ? target.get('headers', true) : undefined;
      if (!isMap(headers)) return;
      for (const pair of headers.items) {
        if (!isScalar(pair.key) || !isScalar(pair.value) || !isPlaintextCredentialHeader(String(pair.key.value), pair.value.value)) continue;
        visit(pair.value, `routes[${i}].targets[${j}].headers.${String(pair.key.value)}`, {
          endpoint: undefined,
          methods: undefined,
          keyName: undefined,
          field: 'header',
        });
      }
    });
  });
}

/** A URL with userinfo: the scheme and `//`, the userinfo (user, or user:password), `@`. */
const URL_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]+)@/i;

/** Every string in the document that is a URL with userinfo, wherever it is (targets, gateway.store, webhooks). */
function eachUrlWithUserinfo(node: unknown, path: string, visit: (scalar: Scalar<string>, path: string) => void): void {
  if (isMap(node)) {
    for (const pair of node.items)
      if (isScalar(pair.key)) eachUrlWithUserinfo(pair.value, path ? `${path}.${String(pair.key.value)}` : String(pair.key.value), visit);
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => eachUrlWithUserinfo(item, `${path}[${i}]`, visit));
  } else if (isScalar(node) && typeof node.value === 'string' && URL_USERINFO.test(node.value)) {
    visit(node as Scalar<string>, path);
  }
}

/** A value that reads the same unquoted in block and flow YAML (anything else is put back double-quoted). */
const PLAIN_SAFE = /^[^\s,{}[\]#'"]+$/;

/** The URL with its userinfo (which may be a token, or user:password) shown as the marker. */
function withoutUserinfo(url: string): string {
  return url.replace(URL_USERINFO, `$1${REDACTED}@`);
}

/** The config text with secrets, digests and URL userinfo replaced; the text itself when it has none. */
export function redactSecrets(text: string): string {
  const document = parseDocument(text, { logLevel: 'error', uniqueKeys: false });
  let found = false;
  eachSecret(document, (scalar) => {
    found = true;
    scalar.value = REDACTED;
  });
  eachUrlWithUserinfo(document.contents, '', (scalar) => {
    found = true;
    scalar.value = withoutUserinfo(scalar.value);
  });
  return found ? document.toString() : text;
}

/**
 * A submitted config (YAML or JSON) with each redacted digest put back from `current` (the same key of the same
 * rule) and each redacted URL userinfo (the URL of `current` that reads the same redacted), so that GET /config,
 * edit, PUT works; the rest of the text is kept byte for byte. Other markers stay, and
 * `redactedSecretPaths` refuses them.
 */
export function restoreRedactedValues(submitted: string, current: string): string {
  if (!submitted.includes(REDACTED)) return submitted;
  const currentDocument = parseDocument(current, { logLevel: 'error' });
  const digests = new Map<string, unknown>();
  eachSecret(currentDocument, (scalar, _path, where) => {
    if (where.field === 'sha256' && scalar.value !== REDACTED) digests.set(JSON.stringify([where.endpoint, where.methods, where.keyName]), scalar.value);
  });
  // Each redacted form names the one URL it hides; two URLs that differ only in their userinfo are ambiguous (left out).
  const urls = new Map<string, string | undefined>();
  eachUrlWithUserinfo(currentDocument.contents, '', (scalar) => {
    const shown = withoutUserinfo(scalar.value);
    urls.set(shown, urls.has(shown) && urls.get(shown) !== scalar.value ? undefined : scalar.value);
  });
  const splices: { start: number; end: number; text: string }[] = [];
  const splice = (scalar: Scalar, value: string): void => {
    if (!scalar.range) return;
    const [start, end] = scalar.range;
    const quote = submitted[start] === '"' || submitted[start] === "'" ? submitted[start] : '';
    const text = quote === "'" ? `'${value.replace(/'/g, "''")}'` : quote === '"' || !PLAIN_SAFE.test(value) ? JSON.stringify(value) : value;
    splices.push({ start, end, text });
  };
  const submittedDocument = parseDocument(submitted, { logLevel: 'error' });
  eachSecret(submittedDocument, (scalar, _path, where) => {
    const digest = digests.get(JSON.stringify([where.endpoint, where.methods, where.keyName]));
    if (where.field !== 'sha256' || scalar.value !== REDACTED || typeof digest !== 'string') return;
    splice(scalar, digest);
  });
  eachUrlWithUserinfo(submittedDocument.contents, '', (scalar) => {
    const original = urls.get(scalar.value);
    if (original !== undefined) splice(scalar, original);
  });
  let text = submitted;
  for (const splice of splices.sort((a, b) => b.start - a.start)) text = text.slice(0, splice.start) + splice.text + text.slice(splice.end);
  return text;
}

/** Where a submitted config still carries the redaction marker in place of a secret or digest. */
export function redactedSecretPaths(text: string): string[] {
  // Parsed only when the marker is there at all: the body is not validated yet, and this runs on the event loop.
  if (!text.includes(REDACTED)) return [];
  const paths: string[] = [];
  const document = parseDocument(text, { logLevel: 'error', uniqueKeys: false });
  eachSecret(document, (scalar, path) => {
    if (scalar.value === REDACTED) paths.push(path);
  });
  eachUrlWithUserinfo(document.contents, '', (scalar, path) => {
    if (URL_USERINFO.exec(scalar.value)?.[2] === REDACTED) paths.push(path);
  });
  return paths;
}
