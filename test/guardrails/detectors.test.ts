// Each built-in detector against a set of true positives (found, exactly) and false positives (not found): the
// precision the guardrails promise. Every case runs through the combined matcher, as a guardrail compiles it.
import assert from 'node:assert/strict';
import type { PiiKind } from '../../common/src/config';
import { PiiMatcher } from '../../runtime/src/guardrails/detectors';
import { SECRETS } from './samples';

interface Cases {
  found: string[]; // each is the whole match, written inside a sentence by the test
  notFound: string[]; // each, inside the same sentence, gives no match of the kind
}

const CASES: Record<PiiKind, Cases> = {
  email: {
    found: ['alice@example.com', 'first.last+tag@sub.example.co.uk', 'x_y%z@mail-server.org', 'O.Brien@Example.IE'],
    notFound: ['a@b', 'user@localhost', '@handle', 'foo@bar.c', 'name@-bad.com', 'version@1.2.3', 'a@b@c.com', 'x@y..com', '.dot@start.com', 'user@domain.123'],
  },
  phone: {
    found: ['+1 415 555 2671', '+44 20 7946 0958', '+14155552671', '(415) 555-2671', '415-555-2671', '415.555.2671', '1-800-555-0199', '+49 (0)30 1234567'],
    notFound: ['2024-01-15', '123-456-7890', '4155552671', '192.168.1.1', '978-3-16-148410-0', '+1', '3.14159', '12:30:45', '555-1234', '+123'],
  },
  'credit-card': {
    found: [
      '4111 1111 1111 1111',
      '5555555555554444',
      '378282246310005',
      '6011111111111117',
      '3530111333300000',
      '4111-1111-1111-1111',
      '2223003122003222',
      '36227206271667',
    ],
    notFound: [
      '4111 1111 1111 1112',
      '1234567812345678',
      '0000 0000 0000 0000',
      '4111 1111 1111 1111 1111 1111',
      '79927398713',
      '4111 1111-1111 1111',
      '41111 111 1111 1111',
      '5555555555554444999',
    ],
  },
  iban: {
    found: ['DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432', 'FR14 2004 1010 0505 0001 3M02 606', 'NL91ABNA0417164300', 'CH9300762011623852957'],
    notFound: ['DE89 3704 0044 0532 0130 01', 'GB82WEST1234569876543', 'XX82WEST12345698765432', 'de89370400440532013000', 'DE89 370400440532013000', 'DE12'],
  },
  ip: {
    found: ['192.168.1.1', '10.0.0.254', '8.8.8.8', '2001:db8::1', 'fe80::1ff:fe23:4567:890a', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', '::ffff:192.0.2.128'],
    notFound: ['1.2.3.4.5', '256.1.1.1', '01.2.3.4', '12:30:45', 'dead::beef', 'std::vector', 'v1.2.3.4', '3.14', '00:1A:2B:3C:4D:5E', '1.2.3'],
  },
  secret: {
    found: Object.values(SECRETS).filter((value) => value !== SECRETS.awsSecret),
    notFound: [
      'sk-learn is a library',
      'sk-short',
      'the skeleton key',
      'task-1234567890abcdefghijABCDEF',
      'akiaiosfodnn7example',
      SECRETS.awsAccessKeyId + '1',
      'eyJhbGciOi',
      '-----BEGIN PUBLIC KEY-----',
      '-----BEGIN CERTIFICATE-----',
      'ghp_short',
      SECRETS.awsSecret, // forty base64 characters alone are too common to be taken for a key
      'sk-this-is-a-very-long-prose-phrase-here',
    ],
  },
};

const AROUND = ['', 'Contact: ', 'see (', '"', 'text\n'];
const AFTER = ['', '.', ' today', ')', '",', '\n'];

describe('guardrail detectors: true and false positives', () => {
  for (const [kind, cases] of Object.entries(CASES) as [PiiKind, Cases][]) {
    describe(kind, () => {
      const matcher = new PiiMatcher([kind]);
      for (const value of cases.found) {
        it(`finds ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`, () => {
          for (const before of AROUND) {
            for (const after of AFTER) {
              const text = before + value + after;
              const matches = matcher.find(text);
              assert.deepEqual(
                matches.map((m) => text.slice(m.start, m.end)),
                [value],
                `in ${JSON.stringify(text)}`,
              );
            }
          }
        });
      }
      for (const value of cases.notFound) {
        it(`does not take ${JSON.stringify(value)} for one`, () => {
          const text = `Please look at ${value} soon.`;
          assert.deepEqual(
            matcher.find(text).map((m) => text.slice(m.start, m.end)),
            [],
          );
        });
      }
    });
  }

  it('finds an AWS secret key written after its variable name, and only the key', () => {
    const matcher = new PiiMatcher(['secret']);
    for (const text of [
      `aws_secret_access_key = ${SECRETS.awsSecret}`,
      `{"SecretAccessKey": "${SECRETS.awsSecret}"}`,
      `AWS_SECRET_ACCESS_KEY=${SECRETS.awsSecret}\n`,
    ]) {
      assert.deepEqual(
        matcher.find(text).map((m) => text.slice(m.start, m.end)),
        [SECRETS.awsSecret],
        text,
      );
    }
  });

  it('takes a private-key block cut off before its END line for a secret, to the end of the text', () => {
    const matcher = new PiiMatcher(['secret']);
    const cut = SECRETS.privateKey.slice(0, 80);
    assert.deepEqual(matcher.find(`here: ${cut}`), [{ start: 6, end: 6 + cut.length, kind: 'secret' }]);
  });

  it('resolves overlaps: one match per place, the earlier and longer first', () => {
    const matcher = new PiiMatcher(['email', 'phone', 'ip', 'credit-card', 'iban', 'secret']);
    const text = `Mail alice@example.com or call +1 415 555 2671 from 10.0.0.1 with card 4111 1111 1111 1111.`;
    assert.deepEqual(
      matcher.find(text).map((m) => [m.kind, text.slice(m.start, m.end)]),
      [
        ['email', 'alice@example.com'],
        ['phone', '+1 415 555 2671'],
        ['ip', '10.0.0.1'],
        ['credit-card', '4111 1111 1111 1111'],
      ],
    );
  });
});
