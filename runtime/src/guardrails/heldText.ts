// One text of a streamed answer (a choice's content, or one tool call's arguments), checked as it arrives. Text that
// a match could still be forming in is held back (bounded by the longest match, see Detector.holdFrom), so a match
// split across chunks is found whole; everything before it goes out at once, redacted where configured, with the
// request's placeholders put back (`restore`). The result equals checking the whole text at the end.
import type { PiiMatcher } from './detectors';
import { jsonStringContent, placeholderHoldFrom, restorePlaceholders, type Redactions } from './redactions';
import { redactMatches } from './textChecks';
import type { Findings } from './verdicts';
import type { GuardrailAction } from '../../../common/src/config';

/** How far back a detector looks before a match for its boundary (a card number: a separator and a digit). */
const CONTEXT = 2;

export interface PiiStage {
  matcher: PiiMatcher;
  action: GuardrailAction;
  findings: Findings;
}

export interface HeldTextOptions {
  pii: readonly PiiStage[];
  redactions: Redactions;
  /** Put the request's placeholders back (the route redacts with `restore`). */
  restore: boolean;
  /** The text is JSON (tool call arguments): restored values are escaped. */
  json: boolean;
  where: string;
  /** Keep the whole text (`checked`) for checks of the complete answer. */
  keepText: boolean;
}

export class HeldText {
  /** Arrived, not yet sent. */
  private held = '';
  /** The last characters sent: the detectors' left context (they look back at most CONTEXT characters for a boundary). */
  private context = '';
  /** The whole text sent so far, redacted, before the request's placeholders were put back (what end checks judge). */
  checked = '';
  /** Set when a `block` guardrail matched: nothing more is sent. */
  blocked = false;

  constructor(private readonly options: HeldTextOptions) {}

  get where(): string {
    return this.options.where;
  }

  /** Adds the next piece; returns the text that can be sent now. */
  push(piece: string): string {
    this.held += piece;
    return this.release(false);
  }

  /** The text is complete: everything held is checked and returned. */
  flush(): string {
    return this.release(true);
  }

  private release(final: boolean): string {
    if (this.blocked || this.held === '') return '';
    const offset = this.context.length;
    const text = this.context + this.held;
    let cut = final ? text.length : this.holdFrom(text, offset);
    // A match reaching past the cut waits with the rest (matches are found on the text as it arrived).
    const first = this.options.pii.map((stage) => stage.matcher.find(text, offset));
    for (let moved = true; moved;) {
      moved = false;
      for (const matches of first) {
        for (const match of matches) {
          const from = match.evidence ?? match.start;
          if (from < cut && match.end > cut) {
            cut = from;
            moved = true;
          }
        }
      }
    }
    if (cut <= offset) return '';
    let piece = text.slice(0, cut);
    for (let i = 0; i < this.options.pii.length; i++) {
      const stage = this.options.pii[i]!;
      // The first stage's matches are the ones found above; a later stage looks at the text the one before it wrote.
      const matches = (i === 0 ? first[0]! : stage.matcher.find(piece, offset)).filter((match) => match.end <= piece.length);
      if (matches.length === 0) continue;
      for (const match of matches) stage.findings.add(match.kind, this.options.where);
      if (stage.action === 'block') {
        this.blocked = true;
        return '';
      }
      if (stage.action === 'redact') piece = redactMatches(piece, matches, this.options.redactions, false, this.options.json);
    }
    this.held = text.slice(cut);
    this.context = text.slice(Math.max(0, cut - CONTEXT), cut);
    const out = piece.slice(offset);
    if (this.options.keepText) this.checked += out;
    return this.options.restore ? restorePlaceholders(out, this.options.redactions.restorable, this.options.json ? jsonStringContent : undefined).text : out;
  }

  private holdFrom(text: string, offset: number): number {
    let hold = text.length;
    for (const stage of this.options.pii) hold = Math.min(hold, stage.matcher.holdFrom(text));
    if (this.options.restore) hold = Math.min(hold, placeholderHoldFrom(text));
    return Math.max(hold, offset);
  }
}
