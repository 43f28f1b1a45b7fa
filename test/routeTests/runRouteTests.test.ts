// The route-test engine against a real HTTP server: passing and failing expectations, with expected/actual.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RouteTest } from '../../common/src/config/types';
import { runRouteTests, toJUnitXml, valueAtJsonPath, type RouteTestCase } from '../../sdk/src/routeTests';

function testCase(test: Partial<RouteTest> & { expect: RouteTest['expect'] }): RouteTestCase {
  return { route: 'chat', routePath: '/v1/chat/completions', routeMethods: ['POST'], test: { name: test.name ?? 'case', ...test } };
}

describe('route tests engine', () => {
  let server: http.Server;
  let url: string;
  const seen: { method?: string; url?: string; body: string; contentType?: string }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, body, contentType: req.headers['content-type'] });
        // x-delay-ms: answer no sooner than that, so a latency limit below it fails whatever the machine's speed.
        setTimeout(
          () => {
            res.writeHead(200, { 'content-type': 'application/json', 'x-route': 'chat' });
            res.end(JSON.stringify({ object: 'chat.completion', choices: [{ message: { role: 'assistant', content: 'Hello there' } }] }));
          },
          Number(req.headers['x-delay-ms'] ?? 0),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the test request (route method, JSON body) and passes when every expectation holds', async () => {
    const [result] = await runRouteTests(
      [
        testCase({
          body: { model: 'm', messages: [] },
          expect: {
            status: 200,
            headers: { 'x-route': 'chat' },
            json: { 'choices[0].message.role': 'assistant' },
            contains: { 'choices[0].message.content': 'Hello' },
            maxLatencyMs: 20_000, // the test's own timeout: never the reason it fails
          },
        }),
      ],
      { gatewayUrl: url },
    );
    assert.equal(result?.passed, true, JSON.stringify(result?.failures));
    const last = seen[seen.length - 1];
    assert.deepEqual(
      [last?.method, last?.url, last?.contentType, last?.body],
      ['POST', '/v1/chat/completions', 'application/json', '{"model":"m","messages":[]}'],
    );
  });

  it('fails with expected and actual for each broken expectation', async () => {
    const [result] = await runRouteTests(
      [
        testCase({
          expect: { status: 201, headers: { 'x-route': 'other' }, json: { object: 'list' }, contains: { 'choices[0].message.content': 'Goodbye' } },
        }),
      ],
      { gatewayUrl: url },
    );
    assert.equal(result?.passed, false);
    assert.deepEqual(
      result?.failures.map((f) => [f.expectation, f.expected, f.actual]),
      [
        ['status', '201', '200'],
        ['header x-route', 'other', 'chat'],
        ['json object', '"list"', '"chat.completion"'],
        ['contains choices[0].message.content', '…Goodbye…', '"Hello there"'],
      ],
    );
  });

  it('fails maxLatency when the answer comes later than the limit', async () => {
    const [result] = await runRouteTests([testCase({ headers: { 'x-delay-ms': '300' }, expect: { status: 200, maxLatencyMs: 100 } })], { gatewayUrl: url });
    assert.equal(result?.passed, false);
    assert.deepEqual(
      result?.failures.map((f) => [f.expectation, f.expected]),
      [['maxLatencyMs', '<= 100 ms']],
    );
  });

  it('reports an unreachable gateway as an error, and a pattern route without a concrete path', async () => {
    const results = await runRouteTests(
      [testCase({ expect: { status: 200 } }), { route: 'any', routePath: '/v1/*', test: { name: 'no path', expect: { status: 200 } } }],
      { gatewayUrl: 'http://127.0.0.1:1' },
    );
    assert.match(results[0]?.error ?? '', /fetch failed|ECONNREFUSED/);
    assert.match(results[1]?.error ?? '', /route "any" has the pattern \/v1\/\*: test "no path" needs a concrete "path"/);
  });

  it('reads JSON paths with keys and indexes, and writes JUnit XML', async () => {
    assert.equal(valueAtJsonPath({ a: [{ b: 'x' }] }, 'a[0].b'), 'x');
    assert.equal(valueAtJsonPath({ a: [] }, 'a[3].b'), undefined);
    const results = await runRouteTests([testCase({ name: 'status <ok>', expect: { status: 500 } })], { gatewayUrl: url });
    const xml = toJUnitXml(results);
    assert.match(xml, /<testsuite name="chat" tests="1" failures="1" errors="0"/);
    assert.match(xml, /<testcase classname="chat" name="status &lt;ok&gt;"/);
    assert.match(xml, /<failure message="expected status 500, got 200">status: expected 500, actual 200<\/failure>/);
  });
  it('expect.guardrail: a redaction or "none" needs the trace, and says how to get it when the runner has no admin key', async () => {
    const results = await runRouteTests(
      [
        testCase({ name: 'redacted', body: { model: 'm' }, expect: { guardrail: { action: 'redacted', guardrail: 'pii', kinds: ['email'] } } }),
        testCase({ name: 'none', body: { model: 'm' }, expect: { guardrail: 'none' } }),
        testCase({ name: 'blocked', body: { model: 'm' }, expect: { guardrail: { action: 'blocked', guardrail: 'pii' } } }),
      ],
      { gatewayUrl: url },
    );
    assert.deepEqual(
      results.map((r) => [r.test, r.passed, r.failures[0]?.message]),
      [
        ['redacted', false, "expect.guardrail needs the gateway's trace of the request: run the tests with the gateway's admin key (AI_GATEWAY_API_KEY)"],
        ['none', false, "expect.guardrail: none needs the gateway's trace of the request: run the tests with the gateway's admin key (AI_GATEWAY_API_KEY)"],
        ['blocked', false, 'expected the request to be blocked by pii, got status 200, not blocked'],
      ],
    );
  });
});
