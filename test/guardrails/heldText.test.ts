// A streamed text checked piece by piece must come out exactly as the whole text checked at once: a match split
// across chunks at any offset is still found and redacted, nothing of it goes out before, and the placeholders of
// the request are put back wherever the answer's chunks cut them.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { GuardrailAction, PiiKind } from '../../common/src/config';
import { PiiMatcher } from '../../runtime/src/guardrails/detectors';
import { HeldText } from '../../runtime/src/guardrails/heldText';
import { Redactions, restorePlaceholders } from '../../runtime/src/guardrails/redactions';
import { redactMatches } from '../../runtime/src/guardrails/textChecks';
import { Findings } from '../../runtime/src/guardrails/verdicts';
import { SECRETS } from './samples';

const ALL: PiiKind[] = ['email', 'phone', 'credit-card', 'iban', 'ip', 'secret'];

function streamed(
  pieces: string[],
  kinds: PiiKind[],
  action: GuardrailAction = 'redact',
  redactions = new Redactions(),
  restore = false,
): { out: string; chunks: string[]; findings: Findings; blocked: boolean } {
  const findings = new Findings();
  const held = new HeldText({
    pii: [{ matcher: new PiiMatcher(kinds), action, findings }],
    redactions,
    restore,
    json: false,
    where: 'choices[0].delta.content',
    keepText: false,
  });
  const chunks = pieces.map((piece) => held.push(piece));
  chunks.push(held.flush());
  return { out: chunks.join(''), chunks, findings, blocked: held.blocked };
}

function whole(text: string, kinds: PiiKind[], redactions = new Redactions()): string {
  return redactMatches(text, new PiiMatcher(kinds).find(text), redactions, false, false);
}

const FRAGMENTS = [
  'alice@example.com',
  '+44 20 7946 0958',
  '(415) 555-2671',
  '4111 1111 1111 1111',
  'DE89 3704 0044 0532 0130 00',
  '192.168.1.1',
  '2001:db8::1',
  SECRETS.openai,
  SECRETS.jwt,
  SECRETS.awsAccessKeyId,
  `aws_secret_access_key=${SECRETS.awsSecret}`,
  SECRETS.privateKey,
  'Hello',
  ' ',
  ', ',
  '. ',
  '\n',
  'word',
  '12',
  '@',
  '-',
  '.',
  'sk-',
  '[EMAIL_1]',
  ':',
  '::',
  '1',
  '0',
  '+',
  '(',
  'DE',
  'eyJ',
  '-----BEGIN ',
];

describe('guardrails: a streamed text is checked as the whole text would be', () => {
  it('redacts a match split at every offset, in two chunks, and never sends a piece of it', () => {
    for (const sample of [
      'Write to alice@example.com today',
      `key ${SECRETS.openai} here`,
      'card 4111 1111 1111 1111.',
      `jwt ${SECRETS.jwt}`,
      `pem ${SECRETS.privateKey} end`,
    ]) {
      const expected = whole(sample, ALL);
      for (let cut = 0; cut <= sample.length; cut++) {
        const { out, chunks } = streamed([sample.slice(0, cut), sample.slice(cut)], ALL);
        assert.equal(out, expected, `split at ${cut}`);
        // The first chunk may only carry text the whole check lets through too.
        assert.ok(expected.startsWith(chunks[0]!), `split at ${cut}: sent ${JSON.stringify(chunks[0])} early`);
      }
    }
  });

  it('equals the whole-text check for random texts cut into random chunks (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.subarray(ALL, { minLength: 1 }),
        (fragments, cuts, kinds) => {
          const text = fragments.join('');
          const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
          const pieces = [...points, text.length].map((point, i) => text.slice(i === 0 ? 0 : points[i - 1], point));
          assert.equal(streamed(pieces, kinds).out, whole(text, kinds));
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 400) },
    );
  });

  it('sends a word at once when it cannot grow into a match, and holds the one that can', () => {
    const { chunks } = streamed(['Hello, ', 'world'], ['email']);
    assert.equal(chunks[0], 'Hello, ');
    assert.equal(chunks[1], '', '"world" could still become world@example.com');
    assert.equal(chunks[2], 'world');
  });

  it('blocks: nothing of the match and nothing after it goes out', () => {
    const { out, blocked, findings } = streamed(['Mail ali', 'ce@exa', 'mple.com now', ' and more'], ['email'], 'block');
    assert.equal(blocked, true);
    assert.equal(out, 'Mail ');
    assert.deepEqual(findings.kinds, { email: 1 });
  });

  it('puts back the request placeholders wherever the chunks cut them', () => {
    const redactions = new Redactions();
    const placeholder = redactions.placeholder('email', 'alice@example.com', true);
    const text = `You wrote to ${placeholder} and ${placeholder}.`;
    const expected = restorePlaceholders(text, redactions.restorable).text;
    assert.equal(expected, 'You wrote to alice@example.com and alice@example.com.');
    for (let cut = 0; cut <= text.length; cut++) {
      assert.equal(streamed([text.slice(0, cut), text.slice(cut)], ['phone'], 'redact', redactions, true).out, expected, `split at ${cut}`);
    }
  });

  it('holds back a bounded amount: at most the longest match that could still be forming', () => {
    const held = new HeldText({
      pii: [{ matcher: new PiiMatcher(['email', 'phone', 'credit-card', 'iban', 'ip']), action: 'redact', findings: new Findings() }],
      redactions: new Redactions(),
      restore: true,
      json: false,
      where: 'x',
      keepText: false,
    });
    let sent = 0;
    let total = 0;
    for (let i = 0; i < 200; i++) {
      const piece = 'abcdefghij'.repeat(5); // one long word: could be the start of an address until it is too long
      total += piece.length;
      sent += held.push(piece).length;
      assert.ok(total - sent <= 320, `held ${total - sent} characters`);
    }
  });
});
