// Applying a PII matcher or deny patterns to one text: the matches are counted, and with `redact` replaced by their
// placeholders. Shared by the request stage and the answer checks (whole and streamed).
import type { RE2JS } from 're2js';
import type { GuardrailAction } from '../../../common/src/config';
import type { Match } from './detectors';
import type { Redactions } from './redactions';
import type { Findings } from './verdicts';

/** The text with each match replaced by its placeholder; `restorable`: the request side of a `restore` guardrail. */
export function redactMatches(text: string, matches: readonly Match[], redactions: Redactions, restorable: boolean, json: boolean): string {
  let out = '';
  let copied = 0;
  for (const match of matches) {
    const original = text.slice(match.start, match.end);
    out += text.slice(copied, match.start) + redactions.placeholder(match.kind, json ? decodeJsonText(original) : original, restorable);
    copied = match.end;
  }
  return out + text.slice(copied);
}

/** A piece of JSON string content as the string it stands for (what a restored value must be), when it decodes. */
function decodeJsonText(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string;
  } catch {
    return text;
  }
}

/** Deny patterns over one text: the number of matches of each (1 each unless redacting), and the text redacted. */
export function applyDenyPatterns(
  text: string,
  patterns: readonly RE2JS[],
  action: GuardrailAction,
  redactions: Redactions,
  findings: Findings,
  where: string,
): string {
  let current = text;
  patterns.forEach((pattern, i) => {
    const kind = `pattern-${i + 1}`;
    if (action !== 'redact') {
      if (pattern.test(current)) findings.add(kind, where);
      return;
    }
    const matcher = pattern.matcher(current);
    let out = '';
    let copied = 0;
    let from = 0;
    while (from <= current.length && matcher.find(from)) {
      const start = matcher.start();
      const end = matcher.end();
      if (end === start) {
        from = end + 1; // an empty match redacts nothing
        continue;
      }
      out += current.slice(copied, start) + redactions.placeholder('denied', current.slice(start, end), false);
      copied = from = end;
      findings.add(kind, where);
    }
    if (copied > 0) current = out + current.slice(copied);
  });
  return current;
}
