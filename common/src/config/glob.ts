// Globs as users write them in `match:` (`gpt-4*`, `claude-?-opus`): `*` any run of characters, `?` exactly one.
// They are matched against what clients send (the body's model, header values) before authentication, so they are
// matched without regular expressions: the literal pieces between stars are found left to right, each at its first
// possible place, which never backtracks. The cost is at most the subject's length times the glob's, and subjects
// longer than MAX_GLOB_SUBJECT_LENGTH never match, so one request costs a small bounded amount whatever it sends.

/** Longest value a glob is matched against (a model name, a header value); a longer one matches no glob. */
export const MAX_GLOB_SUBJECT_LENGTH = 4096;

export interface Glob {
  readonly source: string;
  matches(subject: string): boolean;
}

const ANY_ONE = 0x3f; // '?'

export function compileGlob(source: string): Glob {
  const pieces = source.split('*');
  if (pieces.length === 1) return { source, matches: (subject) => subject.length === source.length && pieceAt(source, subject, 0) };
  const prefix = pieces[0] as string;
  const suffix = pieces[pieces.length - 1] as string;
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '');
  const fixedLength = prefix.length + suffix.length;
  return {
    source,
    matches(subject) {
      if (subject.length > MAX_GLOB_SUBJECT_LENGTH || subject.length < fixedLength) return false;
      const suffixAt = subject.length - suffix.length;
      if (!pieceAt(prefix, subject, 0) || !pieceAt(suffix, subject, suffixAt)) return false;
      let from = prefix.length;
      for (const piece of middle) {
        const found = firstPieceAt(piece, subject, from, suffixAt - piece.length);
        if (found < 0) return false;
        from = found + piece.length;
      }
      return true;
    },
  };
}

/** True when `piece` (with `?` for any one character) matches `subject` at `at`. */
function pieceAt(piece: string, subject: string, at: number): boolean {
  for (let index = 0; index < piece.length; index++) {
    const code = piece.charCodeAt(index);
    if (code !== ANY_ONE && code !== subject.charCodeAt(at + index)) return false;
  }
  return true;
}

/** The first index in [from, last] where `piece` matches, or -1. */
function firstPieceAt(piece: string, subject: string, from: number, last: number): number {
  if (!piece.includes('?')) {
    const found = subject.indexOf(piece, from);
    return found >= 0 && found <= last ? found : -1;
  }
  for (let at = from; at <= last; at++) if (pieceAt(piece, subject, at)) return at;
  return -1;
}
