// The path normalizer on its own: every spelling of /predict in the bypass table comes out as /predict
// or is refused, and nothing it lets through can still be read as another path.
import * as assert from 'node:assert/strict';
import { normalizeRequestUrl } from '../../runtime/src/security/normalizePath';

function pathOf(url: string): string {
  const result = normalizeRequestUrl(url);
  assert.ok(result.ok, `${url} was refused: ${result.ok ? '' : result.reason}`);
  return result.path;
}

function refusal(url: string): string {
  const result = normalizeRequestUrl(url);
  assert.ok(!result.ok, `${url} was accepted as ${result.ok ? result.path : ''}`);
  return result.reason;
}

describe('security: path normalization', () => {
  it('leaves a canonical path and its query untouched', () => {
    assert.deepEqual(normalizeRequestUrl('/v1/chat/completions?stream=true'), {
      ok: true,
      path: '/v1/chat/completions',
      search: '?stream=true',
      changed: false,
    });
    assert.deepEqual(normalizeRequestUrl('/'), { ok: true, path: '/', search: '', changed: false });
  });

  const samePath: [string, string][] = [
    ['//predict', '/predict'],
    ['/predict/', '/predict'],
    ['/./predict', '/predict'],
    ['/x/../predict', '/predict'],
    ['/%70redict', '/predict'],
    ['/%70%72%65%64%69%63%74', '/predict'],
    ['/predict#x', '/predict'],
    ['/predict?x', '/predict'],
    ['/v1//chat///completions/', '/v1/chat/completions'],
    ['/v1/./chat/x/y/../../completions', '/v1/chat/completions'],
    ['/x/%2e%2e/predict', '/predict'],
    ['/x/%2E./predict', '/predict'],
    ['http://gateway.example/predict', '/predict'],
    ['/~user/a-b_c.d', '/~user/a-b_c.d'],
  ];
  for (const [url, expected] of samePath) {
    it(`reads ${url} as ${expected}`, () => assert.equal(pathOf(url), expected));
  }

  it('keeps reserved and non-ASCII escapes encoded, upper-cased', () => {
    assert.equal(pathOf('/a%2bb/%c3%a9'), '/a%2Bb/%C3%A9');
  });

  it('keeps the case: /PREDICT is another path (routes and security rules are both case-sensitive)', () => {
    assert.equal(pathOf('/PREDICT'), '/PREDICT');
  });

  const refused: [string, RegExp][] = [
    ['/predict%2F', /encoded slash/],
    ['/predict%2f..%2fadmin', /encoded slash/],
    ['/x%5C..%5Cpredict', /encoded slash or backslash/],
    ['/x\\..\\predict', /not allowed/],
    ['/predict%00', /control character/],
    ['/predict%', /malformed/],
    ['/predict%zz', /malformed/],
    ['/%252e%252e/predict', /twice/],
    ['/../predict', /above the root/],
    ['/x/../../predict', /above the root/],
    ['*', /not a path/],
    ['/pre dict', /not allowed/],
    ['/predict?a=\x01', /query string/],
  ];
  for (const [url, reason] of refused) {
    it(`refuses ${JSON.stringify(url)}`, () => assert.match(refusal(url), reason));
  }

  it('is idempotent: normalizing a normalized path changes nothing', () => {
    for (const [url] of samePath) {
      const once = pathOf(url);
      assert.deepEqual(normalizeRequestUrl(once), { ok: true, path: once, search: '', changed: false });
    }
  });
});
