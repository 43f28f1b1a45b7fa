// Paths and headers that some upstreams read as another resource than the gateway routed and secured. Behind a
// public catch-all route, `/pub/..;/secure` is `/secure` to Tomcat, `/rs;x` is `/rs` to Tomcat/Jetty/Spring, and
// `/rs.` and `/rs%20` are `/rs` to IIS and Spring: each is refused with 400 and never reaches the upstream. Method
// and URL override headers (X-HTTP-Method-Override, X-Original-URL, ...) are dropped unless the route allows them.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { rawExchange, statusOf } from '../support/rawHttp';
import { RecordingUpstream } from '../support/recordingUpstream';
import { configFrom, startGateway, type RunningGateway } from './support';

const KEY = 'path-param-test-key-8a2c';

describe('security: path parameters, trailing dots and spaces, override headers', function () {
  this.timeout(20_000);
  let upstream: RecordingUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await new RecordingUpstream().start();
    const digest = createHash('sha256').update(KEY).digest('hex');
    gateway = await startGateway(
      configFrom(`
routes:
  - { name: everything, path: /*, target: ${upstream.url} }
  - { name: secure, path: /secure, target: ${upstream.url} }
  - { name: rs, path: /rs, target: ${upstream.url} }
  - { name: legacy, path: /legacy/*, target: ${upstream.url}, allowOverrideHeaders: [X-HTTP-Method-Override] }
security:
  - { endpoint: /*, auth: none }
  - { endpoint: /secure, auth: api-key, apiKeys: [{ name: team, sha256: ${digest} }] }
  - { endpoint: /rs, auth: api-key, apiKeys: [{ name: team, sha256: ${digest} }] }
`),
    );
  });
  after(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  const get = (target: string, headers = ''): string => `GET ${target} HTTP/1.1\r\nHost: gateway.test\r\n${headers}Connection: close\r\n\r\n`;

  const misread = ['/pub/..;/secure', '/rs;x', '/rs;jsessionid=1', '/rs%3Bx', '/rs.', '/rs%2e', '/rs..', '/rs%20', '/pub/x./y', '/pub/x%20/y'];
  for (const target of misread) {
    it(`${target}: 400 without a key, 400 with one, and the upstream never sees it`, async () => {
      const before = upstream.received.length;
      const anonymous = await rawExchange(gateway.url, get(target));
      assert.equal(statusOf(anonymous), 400, anonymous);
      assert.match(anonymous, /invalid request path: a path segment/);
      assert.equal(statusOf(await rawExchange(gateway.url, get(target, `x-api-key: ${KEY}\r\n`))), 400);
      assert.equal(upstream.received.length, before);
    });
  }

  it('ordinary dots and spaces inside segments still pass', async () => {
    for (const target of ['/pub/file.json', '/pub/a%20b', '/pub/v1.2/x']) {
      const answer = await rawExchange(gateway.url, get(target));
      assert.equal(statusOf(answer), 200, `${target}: ${answer}`);
      assert.equal(upstream.received.at(-1)?.url, target);
    }
  });

  const overrides =
    'X-HTTP-Method-Override: DELETE\r\nX-HTTP-Method: DELETE\r\nX-Method-Override: DELETE\r\nX-Original-URL: /secure\r\n' +
    'X-Original-URI: /secure\r\nX-Rewrite-URL: /secure\r\nX-Forwarded-Prefix: /secure\r\nX-Forwarded-Uri: /secure\r\n';

  it('drops every method and URL override header by default', async () => {
    assert.equal(statusOf(await rawExchange(gateway.url, get('/pub/x', overrides))), 200);
    const seen = upstream.received.at(-1)!.headers;
    const leaked = Object.keys(seen).filter((name) => /override|x-http-method|original|rewrite|forwarded-(prefix|uri)/.test(name));
    assert.deepEqual(leaked, []);
  });

  it('lets through exactly the ones a route lists in allowOverrideHeaders', async () => {
    assert.equal(statusOf(await rawExchange(gateway.url, get('/legacy/x', overrides))), 200);
    const seen = upstream.received.at(-1)!.headers;
    assert.equal(seen['x-http-method-override'], 'DELETE');
    assert.equal(seen['x-original-url'], undefined);
    assert.equal(seen['x-method-override'], undefined);
  });
});
