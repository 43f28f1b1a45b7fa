// Cost and the response cache on provider targets, over real sockets, with each provider's mock as its own counted
// server: a failover from Anthropic to OpenAI is costed (and a budget reserved) at the prices of the provider and model
// that served it; a translated route is cached on the client's OpenAI-shaped request and answer; behind the Messages
// front door answers are stored in OpenAI's shape and replayed in Anthropic's API (JSON and streamed, through the
// guardrails' put-back); a semantic cache embeds through a provider target of its embeddings route.
import { strict as assert } from 'node:assert';
import Anthropic from '@anthropic-ai/sdk';
import type { Admin } from '../../common/src/protocol';
import { knownModel } from '../../runtime/src/providers/models';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { send, type HttpAnswer } from '../gateway/support';
import { sample, scrape } from '../observability/support';
import { openaiClient, providerGateway, type TestGateway } from '../providers/gatewaySupport';
import { startEmbeddingUpstream, type EmbeddingUpstream } from '../support/embeddingUpstream';

const ADMIN_KEY = 'admin-key-provider-cache-7f6e5d';
const ENV = { AI_GATEWAY_API_KEY: ADMIN_KEY, ANTHROPIC_KEY: 'sk-ant-provider-cache', OPENAI_KEY: 'sk-openai-provider-cache' };
const BUDGET_USD = 1;

describe('cost and the response cache on provider targets', function () {
  this.timeout(30_000);
  let anthropicMock: MockServer;
  let openaiMock: MockServer;
  let embeddings: EmbeddingUpstream;
  let gateway: TestGateway;
  const upstreamCalls = (): number => anthropicMock.requestCount + openaiMock.requestCount;

  before(async () => {
    anthropicMock = await startMockServer({ options: { provider: 'anthropic', name: 'anthropic' } });
    openaiMock = await startMockServer({ options: { provider: 'openai', name: 'openai' } });
    embeddings = await startEmbeddingUpstream();
    const anthropic = `{ provider: anthropic, url: "${anthropicMock.url}", apiKeyEnv: ANTHROPIC_KEY, model: claude-haiku-4-5 }`;
    const openai = `{ provider: openai, url: "${openaiMock.url}/v1", apiKeyEnv: OPENAI_KEY, model: gpt-4o-mini }`;
    const restore = '{ request: [{ pii: { action: redact, kinds: [email], restore: true } }] }';
    gateway = await providerGateway(
      `
routes:
  - name: failover
    path: /failover/v1/chat/completions
    loadBalancing: weighted
    targets:
      - { provider: anthropic, url: "${anthropicMock.url}", apiKeyEnv: ANTHROPIC_KEY, model: claude-haiku-4-5, headers: { x-mock-status: "529" } }
      - { provider: openai, url: "${openaiMock.url}/v1", apiKeyEnv: OPENAI_KEY, model: gpt-4o-mini, weight: 0 }
    retries: 1
    circuitBreaker: { consecutiveFailures: 100 }
  - name: translated
    path: /translated/v1/chat/completions
    targets: [${anthropic}]
    cache: { by: route }
    guardrails: ${restore}
  - name: door
    path: /door/v1/messages
    frontDoor: anthropic
    targets: [${openai}]
    cache: { by: route }
  - name: guarded-door
    path: /guarded-door/v1/messages
    frontDoor: anthropic
    targets: [${openai}]
    cache: { by: route }
    guardrails: ${restore}
  - name: semantic
    path: /semantic/v1/chat/completions
    targets: [${anthropic}]
    cache: { mode: semantic, similarity: 0.9, by: route, embeddings: { route: embeddings, model: bag-of-concepts } }
  - name: embeddings
    path: /v1/embeddings
    targets: [{ provider: openai-compatible, url: "${embeddings.url}/v1" }]
security:
  - endpoint: /failover/v1/chat/completions
    auth: none
    budget: { usd: ${BUDGET_USD}/day, by: route }
`,
      ENV,
    );
  });
  after(async () => {
    await gateway?.close();
    await anthropicMock?.close();
    await openaiMock?.close();
    await embeddings?.close();
  });

  async function accessLine(answer: HttpAnswer): Promise<Record<string, unknown>> {
    const id = String(answer.headers['x-request-id']);
    for (;;) {
      const line = gateway.logs.lines.find((l) => l.msg === 'request' && l.requestId === id);
      if (line) return line;
      await gateway.logs.next('request');
    }
  }

  it('costs a failover at the price of the provider and model that served it, and reserves a budget at the dearest it could land on', async () => {
    const body = { model: 'my-model', max_tokens: 50, messages: [{ role: 'user', content: 'Hello' }] };
    const answer = await send(`${gateway.url}/failover/v1/chat/completions`, { body });
    assert.equal(answer.status, 200);
    const { usage } = answer.json<{ usage: { prompt_tokens: number; completion_tokens: number } }>();
    const line = await accessLine(answer);
    assert.deepEqual([(line.upstream as Record<string, unknown>).provider, (line.upstream as Record<string, unknown>).model], ['openai', 'gpt-4o-mini']);
    const expected = (usage.prompt_tokens * 0.15 + usage.completion_tokens * 0.6) / 1e6;
    assert.ok(Math.abs((line.costUsd as number) - expected) < 1e-12, `costUsd ${String(line.costUsd)}, at gpt-4o-mini's price ${expected}`);

    // Reserved before a target was picked: the most the request could cost at claude-haiku-4-5's price, the dearer.
    const haiku = knownModel('anthropic', 'claude-haiku-4-5')!;
    const reserved = (Math.ceil(JSON.stringify(body).length / 4) * haiku.inputPerMTok! + body.max_tokens * haiku.outputPerMTok!) / 1e6;
    assert.equal(answer.headers['x-gateway-budget-remaining-usd'], (BUDGET_USD - reserved).toFixed(6));

    const metrics = await scrape(gateway.url);
    const cost = sample(metrics, 'ai_gateway_cost_usd_total', { route: 'failover', consumer: '(anonymous)', provider: 'openai', model: 'gpt-4o-mini' });
    assert.ok(Math.abs(cost! - expected) < 1e-12);
    const spend = await send(`${gateway.url}/api/v1/spend?by=model&period=day`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    assert.deepEqual(
      spend.json<Admin.SpendReport>().entries.map((entry) => entry.key),
      ['openai/gpt-4o-mini'],
    );
  });

  it("caches a translated route on the client's OpenAI-shaped request and answer, in either delivery", async () => {
    const client = openaiClient(gateway, '/translated/v1');
    const ask = { model: 'any', messages: [{ role: 'user' as const, content: 'Hello there' }] };
    const calls = upstreamCalls();
    const first = await client.chat.completions.create(ask).withResponse();
    assert.equal(first.response.headers.get('x-gateway-cache'), 'miss');
    const again = await client.chat.completions.create(ask).withResponse();
    assert.equal(again.response.headers.get('x-gateway-cache'), 'hit');
    assert.deepEqual(again.data, first.data, 'the same OpenAI-shaped answer');
    const stream = await client.chat.completions.create({ ...ask, stream: true }).withResponse();
    assert.equal(stream.response.headers.get('x-gateway-cache'), 'hit');
    let text = '';
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, first.data.choices[0]?.message.content);
    assert.equal(upstreamCalls(), calls + 1, 'Anthropic was asked once');

    // Prompts that redact alike share the answer, each with its own address put back.
    const note = (email: string) => ({
      model: 'any',
      messages: [
        { role: 'user' as const, content: 'Who wrote?' },
        { role: 'assistant' as const, content: null, tool_calls: [{ id: 'c1', type: 'function' as const, function: { name: 'who', arguments: '{}' } }] },
        { role: 'tool' as const, tool_call_id: 'c1', content: `${email} wrote` },
      ],
    });
    const alice = await client.chat.completions.create(note('alice@example.com')).withResponse();
    const bob = await client.chat.completions.create(note('bob@example.org')).withResponse();
    assert.equal(alice.data.choices[0]?.message.content, 'The tool answered: alice@example.com wrote');
    assert.equal(bob.response.headers.get('x-gateway-cache'), 'hit');
    assert.equal(bob.data.choices[0]?.message.content, 'The tool answered: bob@example.org wrote');
    assert.equal(upstreamCalls(), calls + 2);
  });

  it("behind the Messages front door, stores OpenAI's shape and replays it in Anthropic's API, whole and streamed", async () => {
    const client = new Anthropic({ apiKey: 'client-key', baseURL: `${gateway.url}/door`, maxRetries: 0 });
    const ask = { model: 'claude-sonnet-4-6', max_tokens: 200, messages: [{ role: 'user' as const, content: 'Hello from Anthropic' }] };
    const calls = upstreamCalls();
    const first = await client.messages.create(ask).withResponse();
    assert.equal(first.response.headers.get('x-gateway-cache'), 'miss');
    const hit = await client.messages.create(ask).withResponse();
    assert.equal(hit.response.headers.get('x-gateway-cache'), 'hit');
    assert.equal(hit.data.type, 'message');
    assert.deepEqual(hit.data.content, first.data.content);
    assert.deepEqual(
      [hit.data.stop_reason, hit.data.usage.input_tokens, hit.data.usage.output_tokens],
      [first.data.stop_reason, first.data.usage.input_tokens, first.data.usage.output_tokens],
    );
    const texts: string[] = [];
    const stream = client.messages.stream(ask);
    stream.on('text', (text) => texts.push(text));
    const streamed = await stream.finalMessage();
    assert.equal(texts.join(''), first.data.content[0]?.type === 'text' ? first.data.content[0].text : undefined);
    assert.equal(streamed.stop_reason, 'end_turn');
    assert.ok(streamed.usage.output_tokens > 0, 'the usage of the stored answer');
    assert.equal(upstreamCalls(), calls + 1, 'OpenAI was asked once');
  });

  it('behind the Messages front door with guardrails, puts back the originals of the request being answered', async () => {
    const client = new Anthropic({ apiKey: 'client-key', baseURL: `${gateway.url}/guarded-door`, maxRetries: 0 });
    const note = (email: string): Anthropic.MessageCreateParamsNonStreaming => ({
      model: 'claude-sonnet-4-6',
      max_tokens: 200,
      messages: [
        { role: 'user', content: 'Who wrote?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'who', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: `${email} wrote` }] },
      ],
    });
    const calls = upstreamCalls();
    const alice = await client.messages.create(note('alice@example.com')).withResponse();
    assert.deepEqual(alice.data.content, [{ type: 'text', text: 'The tool answered: alice@example.com wrote' }]);
    const bob = await client.messages.create(note('bob@example.org')).withResponse();
    assert.equal(bob.response.headers.get('x-gateway-cache'), 'hit');
    assert.deepEqual(bob.data.content, [{ type: 'text', text: 'The tool answered: bob@example.org wrote' }]);
    const texts: string[] = [];
    const stream = client.messages.stream(note('carol@example.net'));
    stream.on('text', (text) => texts.push(text));
    await stream.finalMessage();
    assert.equal(texts.join(''), 'The tool answered: carol@example.net wrote');
    assert.equal(upstreamCalls(), calls + 1);
  });

  it('embeds prompts through a provider target of the embeddings route', async () => {
    const client = openaiClient(gateway, '/semantic/v1');
    const calls = upstreamCalls();
    const first = await client.chat.completions.create({ model: 'any', messages: [{ role: 'user', content: 'How do I reset my password?' }] }).withResponse();
    assert.equal(first.response.headers.get('x-gateway-cache'), 'miss');
    const paraphrase = await client.chat.completions
      .create({ model: 'any', messages: [{ role: 'user', content: 'How can I recover my passcode, please?' }] })
      .withResponse();
    assert.equal(paraphrase.response.headers.get('x-gateway-cache'), 'hit');
    assert.deepEqual(paraphrase.data, first.data);
    assert.equal(upstreamCalls(), calls + 1);
    assert.ok(embeddings.inputs.some((input) => input.includes('reset my password')));
  });
});
