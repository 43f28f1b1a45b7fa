// Secrets a user wrote into the config (`jwt.secret`, `apiKeys[].key`, a credential header's value on a target; the
// editor warns about them) and API-key
// digests (`apiKeys[].sha256`, which GET /security hides too) never leave the gateway through the admin API: GET
// /config shows them as <redacted>. A PUT that sends the marker back in place of a digest gets the digest of the same
// key (same endpoint, same key name) from the running config; any other marker is refused rather than written over
// the real value.
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

/** The config text with secrets and digests replaced; the text itself when it has none. */
export function redactSecrets(text: string): string {
  const document = parseDocument(text, { logLevel: 'error', uniqueKeys: false });
  let found = false;
  eachSecret(document, (scalar) => {
    found = true;
    scalar.value = REDACTED;
  });
  return found ? document.toString() : text;
}

/**
 * A submitted config (YAML or JSON) with each redacted digest put back from `current` (the same key of the same
 * rule), so that GET /config, edit, PUT works; the rest of the text is kept byte for byte. Other markers stay, and
 * `redactedSecretPaths` refuses them.
 */
export function restoreRedactedDigests(submitted: string, current: string): string {
  if (!submitted.includes(REDACTED)) return submitted;
  const digests = new Map<string, unknown>();
  eachSecret(parseDocument(current, { logLevel: 'error' }), (scalar, _path, where) => {
    if (where.field === 'sha256' && scalar.value !== REDACTED) digests.set(JSON.stringify([where.endpoint, where.methods, where.keyName]), scalar.value);
  });
  const splices: { start: number; end: number; text: string }[] = [];
  eachSecret(parseDocument(submitted, { logLevel: 'error' }), (scalar, _path, where) => {
    const digest = digests.get(JSON.stringify([where.endpoint, where.methods, where.keyName]));
    if (where.field !== 'sha256' || scalar.value !== REDACTED || typeof digest !== 'string' || !scalar.range) return;
    const [start, end] = scalar.range;
    const quote = submitted[start] === '"' || submitted[start] === "'" ? submitted[start] : '';
    splices.push({ start, end, text: `${quote}${digest}${quote}` });
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
  eachSecret(parseDocument(text, { logLevel: 'error', uniqueKeys: false }), (scalar, path) => {
    if (scalar.value === REDACTED) paths.push(path);
  });
  return paths;
}
