// Provider targets on the spans and in the Traffic view: each attempt's span names the provider and the model it was
// sent (a failover from Anthropic to OpenAI is two sibling spans), the answer read is the translated one the client got,
// and the Traffic row and its detail show the same (through an OTLP receiver process and the admin API).
import { strict as assert } from 'node:assert';
import { AIGateway, type Traffic } from '../../sdk/src';
import { configFromYaml, send, startTestGateway } from '../gateway/support';
import type { ReceivedSpan } from '../support/otlpDecode';
import { OtlpReceiver } from '../support/otlpReceiver';

const SERVER = 2;
const CLIENT = 3;
const KEY = 'provider-spans-admin-key';

describe('OpenTelemetry traces and traffic: provider targets', function () {
  this.timeout(30_000);
  let receiver: OtlpReceiver;
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;

  before(async () => {
    receiver = await OtlpReceiver.start();
    gateway = await startTestGateway(
      configFromYaml(`
gateway:
  telemetry: { otlp: { endpoint: "${receiver.url}" } }
routes:
  - name: failover
    path: /v1/chat/completions
    loadBalancing: weighted
    targets:
      - { provider: anthropic, url: mock://anthropic, model: claude-haiku-4-5, headers: { x-mock-status: "529" } }
      - { provider: openai, url: mock://openai, model: gpt-4o-mini, weight: 0 }
    retries: 1
    circuitBreaker: { consecutiveFailures: 100 }
  - name: claude
    path: /claude/v1/chat/completions
    targets: [{ provider: anthropic, url: mock://anthropic, model: claude-haiku-4-5 }]
`),
      { env: { AI_GATEWAY_API_KEY: KEY, AI_GATEWAY_TRAFFIC_BODIES: '1' } },
    );
  });
  after(async () => {
    await gateway?.close();
    await receiver?.stop();
  });

  it('gives each attempt its provider and the model it was sent: a failover is two sibling spans', async () => {
    const traceId = '1f'.repeat(16);
    const answer = await send(`${gateway.url}/v1/chat/completions`, {
      body: { model: 'my-model', max_tokens: 50, messages: [{ role: 'user', content: 'Hello' }] },
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    assert.equal(answer.status, 200);
    await gateway.observability.tracing.flush();
    const spans = await receiver.trace(traceId, 3);
    const server = spans.find((span) => span.kind === SERVER)!;
    const attempts = spans
      .filter((span) => span.kind === CLIENT)
      .sort((a, b) => Number(a.attributes['ai_gateway.attempt'] ?? 1) - Number(b.attributes['ai_gateway.attempt'] ?? 1));
    const shown = (span: ReceivedSpan): unknown[] => [
      span.name,
      span.parentSpanId === server.spanId,
      span.attributes['gen_ai.provider.name'],
      span.attributes['gen_ai.request.model'],
      span.attributes['gen_ai.request.max_tokens'],
      span.attributes['http.response.status_code'],
      span.attributes['error.type'],
    ];
    assert.deepEqual(attempts.map(shown), [
      ['chat claude-haiku-4-5', true, 'anthropic', 'claude-haiku-4-5', 50, 529, '529'],
      ['chat gpt-4o-mini', true, 'openai', 'gpt-4o-mini', 50, 200, undefined],
    ]);
    assert.equal(attempts[1]!.attributes['gen_ai.response.model'], 'gpt-4o-mini');
    assert.deepEqual(attempts[1]!.attributes['gen_ai.response.finish_reasons'], ['stop']);
    assert.ok(Number(attempts[1]!.attributes['gen_ai.usage.output_tokens']) > 0);
    assert.equal(server.attributes['ai_gateway.upstream.attempts'], 2);
  });

  it("reads a translated stream as the client got it, and shows it so in the Traffic view's row and detail", async () => {
    const sdk = new AIGateway({ url: gateway.url, apiKey: KEY });
    const watching = new AbortController();
    try {
      const rows = sdk.traffic({ signal: watching.signal })[Symbol.asyncIterator]();
      const next = rows.next();
      const traceId = '2e'.repeat(16);
      const answer = await send(`${gateway.url}/claude/v1/chat/completions`, {
        body: { model: 'my-model', stream: true, messages: [{ role: 'user', content: 'Hello' }] },
        headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      });
      assert.equal(answer.status, 200);
      let row = (await next).value as Traffic.Entry;
      while (row.path !== '/claude/v1/chat/completions') row = (await rows.next()).value as Traffic.Entry;
      assert.deepEqual([row.provider, row.model, row.stream], ['anthropic', 'claude-haiku-4-5', true]);
      const detail = await sdk.trafficEntry(row.requestId);
      const events = detail.response?.events ?? [];
      assert.equal(events.at(-1)?.data, '[DONE]', 'the OpenAI-shaped stream the client got');
      assert.match(events[0]!.data, /"object":"chat\.completion\.chunk"/);
      assert.equal(detail.response?.body?.text, answer.text, 'byte for byte what the client got');

      await gateway.observability.tracing.flush();
      const attempt = (await receiver.trace(traceId, 2)).find((span) => span.kind === CLIENT)!;
      assert.equal(attempt.attributes['gen_ai.provider.name'], 'anthropic');
      assert.deepEqual(attempt.attributes['gen_ai.response.finish_reasons'], ['stop']);
      assert.ok(Number(attempt.attributes['gen_ai.usage.input_tokens']) > 0);
    } finally {
      watching.abort();
    }
  });
});
