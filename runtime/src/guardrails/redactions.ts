// The placeholders of one request: each original gets a typed, numbered placeholder (`[EMAIL_1]`), the same one each
// time it appears, so the model can still tell the values apart. Placeholders made for the request can be put back
// into the answer for the same client (`restore`); the originals never leave the gateway otherwise.
import type { PiiKind } from '../../../common/src/config';

export type RedactedKind = PiiKind | 'denied';

const LABELS: Record<RedactedKind, string> = {
  email: 'EMAIL',
  phone: 'PHONE',
  'credit-card': 'CREDIT_CARD',
  iban: 'IBAN',
  ip: 'IP',
  secret: 'SECRET',
  denied: 'DENIED',
};

/** The longest placeholder the gateway writes: `[CREDIT_CARD_` + up to 6 digits + `]`. */
export const MAX_PLACEHOLDER_LENGTH = 20;

const NONE: ReadonlyMap<string, string> = new Map();

/** Made for every request of a guarded route: its maps exist only once something was redacted. */
export class Redactions {
  private byOriginal: Map<string, string> | undefined;
  private counts: Map<RedactedKind, number> | undefined;
  private restorableMap: Map<string, string> | undefined;

  /** Placeholder -> original, for placeholders made on the request side (the only ones `restore` puts back). */
  get restorable(): ReadonlyMap<string, string> {
    return this.restorableMap ?? NONE;
  }

  placeholder(kind: RedactedKind, original: string, restorable: boolean): string {
    const key = `${kind}\u0000${original}`;
    const byOriginal = (this.byOriginal ??= new Map<string, string>());
    let placeholder = byOriginal.get(key);
    if (placeholder === undefined) {
      const counts = (this.counts ??= new Map<RedactedKind, number>());
      const n = (counts.get(kind) ?? 0) + 1;
      counts.set(kind, n);
      placeholder = `[${LABELS[kind]}_${n}]`;
      byOriginal.set(key, placeholder);
    }
    if (restorable) (this.restorableMap ??= new Map<string, string>()).set(placeholder, original);
    return placeholder;
  }
}

function isPlaceholderChar(code: number): boolean {
  return (code >= 65 && code <= 90) || code === 95 || (code >= 48 && code <= 57);
}

/**
 * `text` with each restorable placeholder replaced by its original (`escape` applied to it: tool arguments are JSON
 * text). Scans for `[` with indexOf; each placeholder is at most MAX_PLACEHOLDER_LENGTH characters.
 */
export function restorePlaceholders(
  text: string,
  restorable: ReadonlyMap<string, string>,
  escape?: (original: string) => string,
): { text: string; count: number } {
  let at = text.indexOf('[');
  if (at === -1) return { text, count: 0 };
  let out = '';
  let copied = 0;
  let count = 0;
  while (at !== -1) {
    let end = at + 1;
    while (end < text.length && end - at < MAX_PLACEHOLDER_LENGTH && isPlaceholderChar(text.charCodeAt(end))) end++;
    const original = text.charCodeAt(end) === 93 ? restorable.get(text.slice(at, end + 1)) : undefined;
    if (original !== undefined) {
      out += text.slice(copied, at) + (escape ? escape(original) : original);
      copied = end + 1;
      count++;
    }
    at = text.indexOf('[', original !== undefined ? end + 1 : at + 1);
  }
  return { text: count === 0 ? text : out + text.slice(copied), count };
}

/** For a stream: where a placeholder may be cut by the end of the text so far (text.length when none). */
export function placeholderHoldFrom(text: string): number {
  const at = text.lastIndexOf('[');
  if (at === -1 || text.length - at >= MAX_PLACEHOLDER_LENGTH) return text.length;
  for (let i = at + 1; i < text.length; i++) if (!isPlaceholderChar(text.charCodeAt(i))) return text.length;
  return at;
}

/** A string as it appears inside a JSON string literal (tool call arguments are JSON text). */
export function jsonStringContent(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
