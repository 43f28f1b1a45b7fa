// The response cache's outcome and the request's cost on the spans and in the Traffic view, through an OTLP receiver
// process and the admin API: a miss is costed and has its attempt span; a hit has no attempt, and its answer is shown
// as the client got it.
import { strict as assert } from 'node:assert';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { AIGateway, type Traffic } from '../../sdk/src';
import { configFromYaml, send, startTestGateway } from '../gateway/support';
import { OtlpReceiver } from '../support/otlpReceiver';

const SERVER = 2;
const CLIENT = 3;
const KEY = 'cache-cost-spans-admin-key';

describe('OpenTelemetry traces and traffic: the cache and the cost', function () {
  this.timeout(30_000);
  let mock: MockServer;
  let receiver: OtlpReceiver;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    mock = await startMockServer({ options: { name: 'counted' } });
    receiver = await OtlpReceiver.start();
    gateway = await startTestGateway(
      configFromYaml(`
gateway:
  telemetry: { otlp: { endpoint: "${receiver.url}" } }
pricing:
  openai-compatible: # the mock is a plain URL target
    gpt-4o-mini: { input: 0.15, output: 0.6 }
routes:
  - { name: chat, path: /v1/chat/completions, methods: [POST], target: ${mock.url}, cache: true }
`),
      { env: { AI_GATEWAY_API_KEY: KEY, AI_GATEWAY_TRAFFIC_BODIES: '1' } },
    );
  });
  after(async () => {
    await gateway?.close();
    await receiver?.stop();
    await mock?.close();
  });

  it('puts a miss, its cost and then a hit on the request spans and the Traffic rows', async () => {
    const sdk = new AIGateway({ url: gateway.url, apiKey: KEY });
    const watching = new AbortController();
    try {
      const rows = sdk.traffic({ signal: watching.signal })[Symbol.asyncIterator]();
      const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Tell me about caches' }] };
      const traced = (traceId: string): Record<string, string> => ({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
      const firstRow = rows.next();
      const miss = await send(`${gateway.url}/v1/chat/completions`, { body, headers: traced('3c'.repeat(16)) });
      const missRow = (await firstRow).value as Traffic.Entry;
      const secondRow = rows.next();
      const hit = await send(`${gateway.url}/v1/chat/completions`, { body, headers: traced('4d'.repeat(16)) });
      const hitRow = (await secondRow).value as Traffic.Entry;
      assert.deepEqual([miss.headers['x-gateway-cache'], hit.headers['x-gateway-cache']], ['miss', 'hit']);

      assert.equal(missRow.cache, 'miss');
      assert.ok(missRow.cost !== undefined && missRow.cost > 0, `a priced answer is costed: ${JSON.stringify(missRow)}`);
      assert.equal(hitRow.cache, 'hit');
      assert.ok(!hitRow.cost, 'a hit costs nothing');
      assert.equal((await sdk.trafficEntry(hitRow.requestId)).response?.body?.text, hit.text, "the hit's answer as the client got it");

      await gateway.observability.tracing.flush();
      const missSpans = await receiver.trace('3c'.repeat(16), 2);
      const missServer = missSpans.find((span) => span.kind === SERVER)!;
      assert.equal(missServer.attributes['ai_gateway.cache.result'], 'miss');
      assert.equal(missServer.attributes['ai_gateway.cost.usd'], missRow.cost);
      const hitSpans = await receiver.trace('4d'.repeat(16), 1);
      assert.deepEqual(
        hitSpans.map((span) => [span.kind, span.attributes['ai_gateway.cache.result']]),
        [[SERVER, 'hit']],
        'a hit calls no upstream: no attempt span',
      );
      assert.equal(missSpans.filter((span) => span.kind === CLIENT).length, 1);
    } finally {
      watching.abort();
    }
  });
});
