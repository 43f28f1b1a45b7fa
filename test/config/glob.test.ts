// The glob matcher that `match.model` and `match.headers` use on what clients send: the same answers as the regular
// expression it replaced (on short subjects, where that one is quick), and no regular expression at all, so a hostile
// subject cannot make it backtrack.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileGlob, MAX_GLOB_SUBJECT_LENGTH } from '../../common/src/config';

/** The old matcher: `*` -> `.*`, `?` -> `.`, the rest escaped. Fine as a reference on short inputs. */
function reference(glob: string): RegExp {
  let source = '';
  for (const char of glob) source += char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${source}$`, 's');
}

describe('config model: globs', () => {
  it('matches as the regular expression did, for any glob and subject over a small alphabet', () => {
    const text = (max: number) => fc.array(fc.constantFrom('a', 'b', '-', '.', '4'), { maxLength: max }).map((chars) => chars.join(''));
    const glob = fc.array(fc.constantFrom('a', 'b', '-', '.', '4', '*', '?'), { maxLength: 10 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(glob, text(16), (pattern, subject) => {
        assert.equal(compileGlob(pattern).matches(subject), reference(pattern).test(subject), `${pattern} on ${subject}`);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads the patterns users write', () => {
    const preview = compileGlob('gpt-4*-*-preview');
    assert.ok(preview.matches('gpt-4o-2024-preview'));
    assert.ok(preview.matches('gpt-4--preview'));
    assert.ok(!preview.matches('gpt-4o-preview'), 'two dashes after the 4 are needed');
    assert.ok(compileGlob('claude-?-opus').matches('claude-3-opus'));
    assert.ok(!compileGlob('claude-?-opus').matches('claude-35-opus'));
    assert.ok(compileGlob('*').matches(''));
    assert.ok(compileGlob('research').matches('research') && !compileGlob('research').matches('Research'));
  });

  it('never matches a subject longer than the cap, and answers the hostile subject of the attack run at once', () => {
    const preview = compileGlob('gpt-4*-*-preview');
    assert.ok(!preview.matches(`gpt-4-${'x'.repeat(MAX_GLOB_SUBJECT_LENGTH)}-preview`), 'over the cap: no match');
    // The attack run's body: a backtracking regex took 30 s on this; the glob looks at each piece once.
    assert.ok(!preview.matches(`gpt-4${'-'.repeat(MAX_GLOB_SUBJECT_LENGTH - 10)}x`));
    assert.ok(!compileGlob('*a*a*a*a*a*b').matches('a'.repeat(MAX_GLOB_SUBJECT_LENGTH)));
  });
});
