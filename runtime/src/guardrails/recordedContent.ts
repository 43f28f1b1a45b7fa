// What a span may record of the prompts and answers of a route with `telemetry.recordContent`: every value the
// route's pii guardrails look for and every match of its deny patterns is replaced by its placeholder, whatever the
// guardrail's action (a flagged e-mail address is still an address). The placeholders are the request's own, so a
// value redacted on its way upstream reads the same in the span.
import type { RE2JS } from 're2js';
import type { PiiKind } from '../../../common/src/config';
import { PiiMatcher } from './detectors';
import type { Redactions } from './redactions';
import { applyDenyPatterns, redactMatches } from './textChecks';
import { Findings } from './verdicts';

export interface ContentRedactor {
  /** Every kind any pii guardrail of the route looks for, request or answer side. */
  pii: PiiMatcher | undefined;
  /** Every deny pattern of the route. */
  patterns: RE2JS[];
}

/** Compiled once per route; undefined when the route has nothing that redacts. */
export function contentRedactor(kinds: ReadonlySet<PiiKind>, patterns: RE2JS[]): ContentRedactor | undefined {
  if (kinds.size === 0 && patterns.length === 0) return undefined;
  return { pii: kinds.size > 0 ? new PiiMatcher([...kinds]) : undefined, patterns };
}

/** `text` (JSON: the messages or the answer as a span records them) with what the route's guardrails find redacted. */
export function redactContent(text: string, redactor: ContentRedactor, redactions: Redactions): string {
  let redacted = redactor.pii ? redactMatches(text, redactor.pii.find(text), redactions, false, true) : text;
  if (redactor.patterns.length > 0) redacted = applyDenyPatterns(redacted, redactor.patterns, 'redact', redactions, new Findings(), 'span');
  return redacted;
}
