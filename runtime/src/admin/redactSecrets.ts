// Plaintext secrets a user wrote into the config (`jwt.secret`, `apiKeys[].key`; the editor warns about them)
// never leave the gateway through the admin API: GET /config shows them as REDACTED, and a PUT that sends the
// marker back is refused rather than writing the marker over the real secret.
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';

const REDACTED = '<redacted>';

type Visit = (holder: { value: unknown }, path: string) => void;

function eachSecret(document: Document, visit: Visit): void {
  const security = document.get('security', true);
  if (!isSeq(security)) return;
  security.items.forEach((rule, i) => {
    if (!isMap(rule)) return;
    const jwt = rule.get('jwt', true);
    if (isMap(jwt)) {
      const pair = jwt.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'secret');
      if (pair && isScalar(pair.value)) visit(pair.value, `security[${i}].jwt.secret`);
    }
    const keys = rule.get('apiKeys', true);
    if (isSeq(keys)) {
      keys.items.forEach((key, j) => {
        if (!isMap(key)) return;
        const pair = key.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'key');
        if (pair && isScalar(pair.value)) visit(pair.value, `security[${i}].apiKeys[${j}].key`);
      });
    }
  });
}

/** The config text with plaintext secrets replaced; the text itself when it has none (the usual case). */
export function redactSecrets(text: string): string {
  const document = parseDocument(text, { logLevel: 'error' });
  let found = false;
  eachSecret(document, (scalar) => {
    found = true;
    scalar.value = REDACTED;
  });
  return found ? document.toString() : text;
}

/** Where a submitted config still carries the redaction marker in place of a secret. */
export function redactedSecretPaths(text: string): string[] {
  const paths: string[] = [];
  eachSecret(parseDocument(text, { logLevel: 'error' }), (scalar, path) => {
    if (scalar.value === REDACTED) paths.push(path);
  });
  return paths;
}
