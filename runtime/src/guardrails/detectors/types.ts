// What every built-in detector provides: the matches in a text, and for streams where a match could still be forming.
import type { PiiKind } from '../../../../common/src/config';

export interface Match {
  start: number;
  end: number;
  kind: PiiKind;
  /** Where the text the detector needed begins, when before `start` (an AWS secret's variable name). */
  evidence?: number;
}

export interface Detector {
  kind: PiiKind;
  /** Appends the matches of `text` that start at or after `from` (the characters before it are context only). */
  find(text: string, from: number, out: Match[]): void;
  /**
   * For a text that may continue (a stream): the first index from which a match could still be forming, so the text
   * from there on must be held back; `text.length` when nothing needs to be. Bounded: at most the longest match.
   */
  holdFrom(text: string): number;
}
