// Failover across providers is the gateway's retry machinery: Anthropic's 529 (overloaded) or 429 goes to the OpenAI
// target before anything reached the client, which sees one clean answer; the access log, the metrics and the trace
// say which provider and model served it. A request a provider cannot be given goes to a target that can take it, or
// is the client's 400 naming the field, without calling anyone. Token limits count the translated usage.
import { strict as assert } from 'node:assert';
import { APIError } from 'openai';
import { RequestTrace } from '../../common/src/protocol';
import { MOCK_REPLY } from '../../runtime/src/mock/conversation';
import type { UpstreamRetryEvent } from '../../runtime/src/gateway/events';
import { send } from '../gateway/support';
import { sample, scrape } from '../observability/support';
import { openaiClient, providerGateway, WEATHER_TOOL, type TestGateway } from './gatewaySupport';

const FAILOVER = `
routes:
  - name: chat
    path: /v1/chat/completions
    loadBalancing: weighted
    targets:
      - provider: anthropic
        url: mock://anthropic
        model: claude-haiku-4-5
        headers: { x-mock-status: "529" }
      - provider: openai
        url: mock://openai
        model: gpt-4o-mini
        weight: 0          # the backup: used when the primary failed
    retries: 1
    circuitBreaker: { consecutiveFailures: 100 }
  - name: busy
    path: /busy/v1/chat/completions
    loadBalancing: weighted
    targets:
      - { provider: anthropic, url: mock://anthropic, model: claude-haiku-4-5, headers: { x-mock-status: "429", x-mock-retry-after: "0" } }
      - { provider: openai, url: mock://openai, model: gpt-4o-mini, weight: 0 }
    retries: 1
  - name: strict
    path: /strict/v1/chat/completions
    targets: [{ provider: anthropic, url: mock://anthropic, model: claude-haiku-4-5 }]
  - name: mixed
    path: /mixed/v1/chat/completions
    loadBalancing: weighted
    targets:
      - { provider: bedrock, url: mock://bedrock, model: "anthropic.claude-haiku-4-5-20251001-v1:0" }
      - { provider: openai, url: mock://openai, model: gpt-4o-mini, weight: 0 }
  - name: limited
    path: /limited/v1/chat/completions
    targets: [{ provider: anthropic, url: mock://anthropic, model: claude-haiku-4-5 }]
security:
  - endpoint: /limited/v1/chat/completions
    auth: none
    rateLimit: { tokens: 1000/min, by: route, defaultMaxTokens: 50 }
`;

const ADMIN_KEY = 'admin-key-for-failover-traces';

describe('provider targets: failover, refusals and token limits through the gateway', function () {
  let gateway: TestGateway;
  const retries: UpstreamRetryEvent[] = [];

  before(async () => {
    gateway = await providerGateway(FAILOVER, { AI_GATEWAY_API_KEY: ADMIN_KEY });
    gateway.runtime.events.on('upstream.retry', (event) => retries.push(event));
  });
  after(() => gateway.close());

  it("fails over from Anthropic's 529 to OpenAI before the client saw anything: one clean answer, served by OpenAI", async () => {
    retries.length = 0;
    const since = gateway.logs.lines.length;
    const completion = await openaiClient(gateway, '/v1').chat.completions.create({ model: 'my-model', messages: [{ role: 'user', content: 'Hello' }] });
    assert.equal(completion.choices[0]?.message.content, MOCK_REPLY);
    assert.equal(completion.model, 'gpt-4o-mini');
    assert.deepEqual(
      retries.map((r) => [r.fromTarget, r.toTarget, r.status, r.failover]),
      [['mock://anthropic', 'mock://openai', 529, true]],
    );
    const access = (await gateway.logs.next('request', since)) as { upstream: Record<string, unknown> };
    assert.equal(access.upstream.provider, 'openai');
    assert.equal(access.upstream.model, 'gpt-4o-mini');
    assert.equal(access.upstream.attempts, 2);
    const metrics = await scrape(gateway.url);
    const served = { route: 'chat', provider: 'openai', model: 'gpt-4o-mini' };
    assert.equal(sample(metrics, 'ai_gateway_request_duration_seconds_count', served), 1);
    assert.ok(sample(metrics, 'ai_gateway_tokens_total', { ...served, consumer: '(anonymous)', type: 'completion' })! > 0);
    const failed = { route: 'chat', target: 'mock://anthropic', provider: 'anthropic', model: 'claude-haiku-4-5' };
    assert.equal(sample(metrics, 'ai_gateway_upstream_duration_seconds_count', failed), 1);
    assert.equal(sample(metrics, 'ai_gateway_upstream_errors_total', { route: 'chat', target: 'mock://anthropic', reason: 'http_529' }), 1);

    // A traced request's kept trace names the serving provider and model, and shows the request each provider was sent.
    const traced = await send(`${gateway.url}/v1/chat/completions`, {
      body: { model: 'my-model', messages: [{ role: 'user', content: 'Hello' }] },
      headers: { [RequestTrace.traceRequestHeader]: '1', [RequestTrace.adminKeyHeader]: ADMIN_KEY },
    });
    const record = gateway.observability.trace(String(traced.headers['x-request-id']))!;
    assert.deepEqual([record.upstream.provider, record.upstream.model, record.upstream.attempts], ['openai', 'gpt-4o-mini', 2]);
    assert.deepEqual(
      record.entries.filter((entry) => entry.stage === 'provider').map((entry) => entry.outcome.split(':')[0]),
      ['anthropic claude-haiku-4-5', 'openai gpt-4o-mini'],
    );
  });

  it('fails a stream over the same way: the client reads one stream, all of it from OpenAI', async () => {
    const stream = await openaiClient(gateway, '/v1').chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'Hello' }], stream: true });
    let text = '';
    const models = new Set<string>();
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      models.add(chunk.model);
    }
    assert.equal(text, MOCK_REPLY);
    assert.deepEqual([...models], ['gpt-4o-mini']);
  });

  it("fails over from Anthropic's 429 (with its Retry-After honoured) too", async () => {
    retries.length = 0;
    const completion = await openaiClient(gateway, '/busy/v1').chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'Hello' }] });
    assert.equal(completion.model, 'gpt-4o-mini');
    assert.deepEqual(
      retries.map((r) => [r.status, r.failover]),
      [[429, true]],
    );
  });

  it('answers a request no target can be given with a 400 naming the field, without calling the provider or counting it', async () => {
    const attempts: string[] = [];
    const stop = gateway.runtime.events.on('upstream.attempt', (event) => attempts.push(event.target));
    try {
      const since = gateway.logs.lines.length;
      const error = await openaiClient(gateway, '/strict/v1')
        .chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'Hello' }], logit_bias: { '50256': -100 } })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      assert.ok(error instanceof APIError, String(error));
      assert.equal(error.status, 400);
      assert.equal(error.param, 'logit_bias');
      assert.match(error.message, /logit_bias/);
      assert.deepEqual(attempts, [], 'no provider was called');
      const access = (await gateway.logs.next('request', since)) as { status: number; upstream?: unknown };
      assert.equal(access.status, 400);
      assert.equal(access.upstream, undefined, 'no upstream attempt in the access line');
      assert.equal(gateway.runtime.snapshot.upstreams.get('strict')?.targets[0]?.healthy, true);
    } finally {
      stop();
    }
  });

  it('sends a request one provider cannot take to a target that can, without counting it against the first', async () => {
    const attempts: string[] = [];
    const stop = gateway.runtime.events.on('upstream.attempt', (event) => attempts.push(event.target));
    try {
      // Bedrock cannot be told to call one tool at a time; OpenAI can.
      const completion = await openaiClient(gateway, '/mixed/v1').chat.completions.create({
        model: 'x',
        messages: [{ role: 'user', content: 'Weather?' }],
        tools: [WEATHER_TOOL],
        parallel_tool_calls: false,
      });
      assert.equal(completion.model, 'gpt-4o-mini');
      assert.deepEqual(attempts, ['mock://openai']);
      assert.equal(gateway.runtime.snapshot.upstreams.get('mixed')?.targets[0]?.healthy, true);
    } finally {
      stop();
    }
  });

  it("charges a token limit the provider's translated usage, for whole answers and streams without a usage chunk", async () => {
    const url = `${gateway.url}/limited/v1/chat/completions`;
    const body = { model: 'x', max_tokens: 50, messages: [{ role: 'user', content: 'Hello' }] };
    const reservation = Math.ceil(Buffer.byteLength(JSON.stringify(body)) / 4) + 50;
    const first = await send(url, { body });
    assert.equal(first.status, 200);
    const used = first.json<{ usage: { total_tokens: number } }>().usage.total_tokens;
    const second = await send(url, { body });
    assert.equal(second.status, 200);
    // The second admission saw the first request settled to its usage, and its own reservation.
    assert.equal(Number(second.headers['ratelimit-remaining']), 1000 - used - reservation);
    // A stream that asked for no usage chunk is settled to the usage the provider reported all the same.
    const streamBody = { ...body, stream: true };
    const streamed = await send(url, { body: streamBody });
    assert.ok(!streamed.text.includes('"usage"'), 'the client asked for no usage chunk');
    const after = await send(url, { body });
    assert.equal(Number(after.headers['ratelimit-remaining']), 1000 - 3 * used - reservation);
  });

  it('refuses a body that is not a JSON object on a token-limited route, calling no provider and charging the limit nothing', async () => {
    const url = `${gateway.url}/limited/v1/chat/completions`;
    const body = { model: 'x', max_tokens: 50, messages: [{ role: 'user', content: 'Hello' }] };
    const attempts: string[] = [];
    const before = await send(url, { body });
    const used = before.json<{ usage: { total_tokens: number } }>().usage.total_tokens;
    const stop = gateway.runtime.events.on('upstream.attempt', (event) => attempts.push(event.target));
    try {
      for (const [bad, message] of [
        ['{"model": "x", "max_tokens": 50, "messages": [', 'The request body is not JSON.'],
        ['null', 'The request body must be a JSON object.'],
        ['[{"max_tokens": 50}]', 'The request body must be a JSON object.'],
      ]) {
        const refused = await send(url, { body: bad });
        assert.equal(refused.status, 400, bad);
        assert.equal(refused.json<{ error: { message: string } }>().error.message, message);
      }
    } finally {
      stop();
    }
    assert.deepEqual(attempts, []);
    // Each refused body's reservation was given back: the next request sees only the first one's usage spent since.
    const after = await send(url, { body });
    assert.equal(Number(after.headers['ratelimit-remaining']), Number(before.headers['ratelimit-remaining']) - used);
  });
});
