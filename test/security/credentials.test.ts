// What never leaves the gateway, over real sockets to a recording upstream: the credential a security rule checked
// (an API key in x-api-key or Authorization, a JWT) is not forwarded unless the route says `forwardCredentials`;
// the admin key never is, on any route; and when the admin API has its own listener, a request carrying the admin
// key on the public port is answered 421 instead of reaching a catch-all route.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { RecordingUpstream } from '../support/recordingUpstream';
import { ADMIN_KEY, configFrom, handMadeToken, nowSec, request, startGateway, type RunningGateway } from './support';

const API_KEY = 'consumer-key-5b8e0d1f';
const JWT_SECRET = 'jwt-secret-for-credentials-test-0123456789';
const UPSTREAM_TOKEN = 'upstream-own-token-77aa';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function routes(upstream: string): string {
  return `
routes:
  - { name: keyed, path: /keyed, target: ${upstream} }
  - { name: keyed-forward, path: /keyed-forward, target: ${upstream}, forwardCredentials: true }
  - { name: jwt, path: /jwt, target: ${upstream} }
  - { name: open, path: /open/*, target: ${upstream}, forwardCredentials: true }
security:
  - { endpoint: /keyed, auth: api-key, apiKeys: [{ name: team, sha256: ${sha256(API_KEY)} }] }
  - { endpoint: /keyed-forward, auth: api-key, apiKeys: [{ name: team, sha256: ${sha256(API_KEY)} }] }
  - { endpoint: /jwt, auth: jwt, jwt: { secretEnv: JWT_SECRET } }
  - { endpoint: /open/*, auth: none }
`;
}

describe('security: credentials never leave the gateway', function () {
  this.timeout(20_000);
  let upstream: RecordingUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await new RecordingUpstream().start();
    gateway = await startGateway(configFrom(routes(upstream.url), { JWT_SECRET }));
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  async function seenBy(path: string, headers: Record<string, string>): Promise<IncomingHttpHeaders> {
    const before = upstream.received.length;
    const answer = await request(`${gateway.url}${path}`, { headers });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(upstream.received.length, before + 1);
    return upstream.received.at(-1)!.headers;
  }

  it('an API key in x-api-key is checked, not forwarded; other headers are', async () => {
    const seen = await seenBy('/keyed', { 'x-api-key': API_KEY, authorization: `Bearer ${UPSTREAM_TOKEN}`, 'x-team': 'a' });
    assert.equal(seen['x-api-key'], undefined);
    assert.equal(seen.authorization, `Bearer ${UPSTREAM_TOKEN}`, 'an Authorization the gateway did not check is the upstream’s');
    assert.equal(seen['x-team'], 'a');
  });

  it('an API key in Authorization: Bearer is not forwarded', async () => {
    const seen = await seenBy('/keyed', { authorization: `Bearer ${API_KEY}` });
    assert.equal(seen.authorization, undefined);
  });

  it('a JWT is not forwarded', async () => {
    const token = handMadeToken({ alg: 'HS256', typ: 'JWT' }, { sub: 'alice', exp: nowSec() + 300 }, JWT_SECRET);
    const seen = await seenBy('/jwt', { authorization: `Bearer ${token}` });
    assert.equal(seen.authorization, undefined);
  });

  it('forwardCredentials: true sends the checked credential on', async () => {
    assert.equal((await seenBy('/keyed-forward', { 'x-api-key': API_KEY }))['x-api-key'], API_KEY);
    assert.equal((await seenBy('/keyed-forward', { authorization: `Bearer ${API_KEY}` })).authorization, `Bearer ${API_KEY}`);
  });

  it('a public route forwards what the client sent: the gateway checked nothing', async () => {
    assert.equal((await seenBy('/open/x', { authorization: `Bearer ${UPSTREAM_TOKEN}` })).authorization, `Bearer ${UPSTREAM_TOKEN}`);
  });

  it('the admin key is never forwarded, whatever header carries it and whatever the route says', async () => {
    const inAuthorization = await seenBy('/open/x', { authorization: `Bearer ${ADMIN_KEY}` });
    assert.equal(inAuthorization.authorization, undefined);
    const inApiKey = await seenBy('/open/x', { 'x-api-key': ADMIN_KEY });
    assert.equal(inApiKey['x-api-key'], undefined);
    const traced = await seenBy('/open/x', { 'x-gateway-trace': '1', 'x-gateway-admin-key': ADMIN_KEY });
    assert.equal(traced['x-gateway-admin-key'], undefined);
    assert.ok(!JSON.stringify(upstream.received).includes(ADMIN_KEY));
  });

  it('the admin API on its own listener: an admin-key request on the public port gets 421 and is not proxied', async () => {
    const separate = await startGateway(configFrom(`gateway: { admin: { listen: "127.0.0.1:0" } }\n${routes(upstream.url)}`, { JWT_SECRET }));
    try {
      const before = upstream.received.length;
      const misdirected = await request(`${separate.url}/open/api/v1/routes`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      assert.equal(misdirected.status, 421);
      assert.match((misdirected.json().error as { message: string }).message, /gateway\.admin\.listen/);
      assert.ok(!misdirected.text.includes(ADMIN_KEY));
      assert.equal(upstream.received.length, before, 'the upstream never saw it');
      assert.equal((await request(`${separate.url}/open/x`, { headers: { authorization: `Bearer ${UPSTREAM_TOKEN}` } })).status, 200);
    } finally {
      await separate.close();
    }
  });
});
