// The built-in detectors by kind, and the combination a guardrail compiles at config load: all matches of its kinds
// in one pass each, sorted, overlaps resolved (the earlier match wins, then the longer).
import type { PiiKind } from '../../../../common/src/config';
import { creditCardDetector } from './creditCard';
import { emailDetector } from './email';
import { ibanDetector } from './iban';
import { ipDetector } from './ip';
import { phoneDetector } from './phone';
import { secretDetector } from './secrets';
import type { Detector, Match } from './types';

export type { Detector, Match } from './types';

// Secrets and structured numbers first: where matches of two kinds would overlap at the same start, the longer wins anyway.
export const DETECTORS: Record<PiiKind, Detector> = {
  secret: secretDetector,
  'credit-card': creditCardDetector,
  iban: ibanDetector,
  email: emailDetector,
  phone: phoneDetector,
  ip: ipDetector,
};

export class PiiMatcher {
  private readonly detectors: Detector[];

  constructor(kinds: readonly PiiKind[]) {
    this.detectors = kinds.map((kind) => DETECTORS[kind]);
  }

  /** Matches starting at or after `from`, in order, none overlapping another. */
  find(text: string, from = 0): Match[] {
    const all: Match[] = [];
    for (const detector of this.detectors) detector.find(text, from, all);
    if (all.length < 2) return all;
    all.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: Match[] = [];
    let end = -1;
    for (const match of all) {
      if (match.start < end) continue;
      kept.push(match);
      end = match.end;
    }
    return kept;
  }

  /** For a text that may continue: where a match could still be forming (text.length when nowhere). */
  holdFrom(text: string): number {
    let hold = text.length;
    for (const detector of this.detectors) hold = Math.min(hold, detector.holdFrom(text));
    return hold;
  }
}
