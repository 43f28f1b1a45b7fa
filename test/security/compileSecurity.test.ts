// Which security rule applies to a request, decided once per config: the most specific endpoint, methods,
// any case of the path; plus the errors a config that cannot be enforced gets at apply time.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { GatewayConfig, SecurityRule } from '../../common/src/config/types';
import { AuthFailure } from '../../runtime/src/security/authFailure';
import { compileSecurity } from '../../runtime/src/security/compileSecurity';
import { configFrom } from './support';

const base = configFrom(`
routes:
  - { path: /v1/*, target: http://127.0.0.1:9 }
`);
const withRules = (security: SecurityRule[]): GatewayConfig => ({ ...base, security });
const sha = (key: string) => createHash('sha256').update(key).digest('hex');

describe('security: rule selection and compile errors', () => {
  const compiled = compileSecurity(
    withRules([
      { endpoint: '/v1/*', auth: 'none' },
      { endpoint: '/v1/chat/*', auth: 'api-key', apiKeys: [{ name: 'a', sha256: sha('key-a') }] },
      { endpoint: '/v1/chat/completions', methods: ['GET'], auth: 'none' },
      { endpoint: '/v1/models/:id', auth: 'api-key', apiKeys: [{ name: 'b', sha256: sha('key-b') }], consumers: ['nobody'] },
    ]),
    undefined,
  );
  const labelFor = (path: string, method = 'POST') => compiled.policyFor(path, method)?.label;

  it('picks the most specific endpoint, honouring methods', () => {
    assert.equal(labelFor('/v1/embeddings'), 'security[0] (/v1/*)');
    assert.equal(labelFor('/v1/chat/completions'), 'security[1] (/v1/chat/*)');
    assert.equal(labelFor('/v1/chat/completions', 'GET'), 'security[2] (/v1/chat/completions)');
    assert.equal(labelFor('/v1/models/gpt-4'), 'security[3] (/v1/models/:id)');
    assert.equal(labelFor('/v1/chat'), 'security[1] (/v1/chat/*)', 'a prefix rule covers its bare prefix too');
    assert.equal(labelFor('/other'), undefined);
  });

  it('matches endpoints in any case, so a case-insensitive upstream cannot be reached around a rule', () => {
    assert.equal(labelFor('/V1/Chat/Completions'), 'security[1] (/v1/chat/*)');
  });

  it('tells a key of another rule (403) from an unknown key (401)', () => {
    const verifier = compiled.policyFor('/v1/chat/x', 'POST')?.apiKeys;
    assert.equal(verifier?.verify('key-a'), 'a');
    assert.throws(
      () => verifier?.verify('key-b'),
      (err: AuthFailure) => err.status === 403,
    );
    assert.throws(
      () => verifier?.verify('key-zzz'),
      (err: AuthFailure) => err.status === 401 && err.reason === 'unknown API key',
    );
  });

  it('refuses a config it cannot enforce, naming the rule', () => {
    assert.throws(
      () => compileSecurity(withRules([{ endpoint: '/v1/*', auth: 'api-key', apiKeys: [{ name: 'x', keyEnv: 'UNSET_KEY' }] }]), undefined),
      /security\[0\]\.apiKeys\[0\] \(x\): no usable key/,
    );
  });

  it("closes an endpoint whose rule names no key yet (the product card's `auth: jwt`): every request is refused with 401", async () => {
    const noKeys = compileSecurity(
      withRules([
        { endpoint: '/a', auth: 'api-key' },
        { endpoint: '/b', auth: 'jwt' },
      ]),
      undefined,
    );
    assert.throws(
      () => noKeys.policyFor('/a', 'POST')?.apiKeys?.verify('anything'),
      (err: AuthFailure) => err.status === 401,
    );
    await assert.rejects(
      noKeys.policyFor('/b', 'POST')?.jwt?.verify('a.b.c') ?? Promise.resolve(),
      (err: AuthFailure) => err.status === 401 && /no JWT key is configured/.test(err.reason),
    );
  });
});
