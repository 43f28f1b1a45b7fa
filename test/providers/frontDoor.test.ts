// The Messages API front door: a Messages request becomes the OpenAI-shaped middle (fixed inputs), and through a
// gateway route with `frontDoor: anthropic`, Anthropic's own SDK talks to OpenAI, Gemini and Bedrock (their mocks):
// plain, streamed, tool-calling and error answers.
import { strict as assert } from 'node:assert';
import Anthropic from '@anthropic-ai/sdk';
import { MOCK_REPLY } from '../../runtime/src/mock/conversation';
import { anthropicMessagesToOpenAI, TranslationError } from '../../runtime/src/providers';
import { providerGateway, type TestGateway } from './gatewaySupport';

describe('Messages front door: Anthropic requests into the OpenAI-shaped middle', () => {
  it('translates system, images, tool use and results, tools, tool_choice, stop, sampling, metadata and streaming', () => {
    const out = anthropicMessagesToOpenAI({
      model: 'claude-sonnet-4-6',
      max_tokens: 512,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'Sunny' }] },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'no data', is_error: true }] },
      ],
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      temperature: 0.4,
      top_k: 20,
      metadata: { user_id: 'user-7' },
      output_config: { effort: 'low' },
      stream: true,
    });
    assert.deepEqual(out, {
      model: 'claude-sonnet-4-6',
      max_completion_tokens: 512,
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'Sunny' },
        { role: 'user', content: [{ type: 'text', text: 'And tomorrow?' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'toolu_2', content: 'Error: no data' },
      ],
      temperature: 0.4,
      top_k: 20,
      stop: ['END'],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, description: 'Weather' },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
      user: 'user-7',
      reasoning_effort: 'low',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('names what cannot cross: thinking, server tools, documents, unknown fields', () => {
    const base = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] };
    const field = (body: object): string => {
      try {
        anthropicMessagesToOpenAI(body);
      } catch (err) {
        if (err instanceof TranslationError) return err.field;
      }
      return 'accepted';
    };
    assert.equal(field({ ...base, thinking: { type: 'enabled', budget_tokens: 2000 } }), 'thinking');
    assert.equal(field({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }), 'tools[0].type');
    assert.equal(
      field({ ...base, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', data: 'x', media_type: 'text/plain' } }] }] }),
      'messages[0].content[0].type',
    );
    assert.equal(field({ ...base, container: 'c1' }), 'container');
    assert.equal(field({ ...base, max_tokens: undefined }), 'max_tokens');
    assert.equal(field({ ...base, thinking: { type: 'disabled' } }), 'accepted');
  });
});

const PROVIDERS = {
  openai: { url: 'mock://openai', model: 'gpt-4o-mini' },
  gemini: { url: 'mock://gemini', model: 'gemini-2.5-flash' },
  bedrock: { url: 'mock://bedrock', model: 'amazon.nova-lite-v1:0' },
};

/** Per provider: /<provider>/v1/messages, and routes whose target is told to fail (429, 503) by the mock's knob. */
function frontDoorRoutes(): string {
  return Object.entries(PROVIDERS)
    .flatMap(([provider, { url, model }]) =>
      ['', '429', '503'].map((status) => {
        const name = status ? `${provider}-${status}` : provider;
        const headers = status ? `, headers: { x-mock-status: "${status}" }` : '';
        return `  - name: ${name}\n    path: /${name}/v1/messages\n    frontDoor: anthropic\n    targets: [{ provider: ${provider}, url: ${url}, model: ${model}${headers} }]`;
      }),
    )
    .join('\n');
}

describe('Messages front door through the gateway', function () {
  let gateway: TestGateway;
  const client = (name: string): Anthropic => new Anthropic({ apiKey: 'client-key', baseURL: `${gateway.url}/${name}`, maxRetries: 0 });
  const TOOL = {
    name: 'get_weather',
    description: 'Weather',
    input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
  };

  before(async () => {
    gateway = await providerGateway(`routes:\n${frontDoorRoutes()}\n`);
  });
  after(() => gateway.close());

  for (const provider of Object.keys(PROVIDERS)) {
    describe(`@anthropic-ai/sdk to ${provider}`, () => {
      it('answers a message', async () => {
        const message = await client(provider).messages.create({
          model: 'claude-sonnet-4-6',
          max_tokens: 200,
          system: 'Be brief.',
          messages: [{ role: 'user', content: 'Hello' }],
        });
        assert.deepEqual(message.content, [{ type: 'text', text: MOCK_REPLY }]);
        assert.equal(message.stop_reason, 'end_turn');
        assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
      });

      it('streams events the SDK assembles into the same message, usage included', async () => {
        const stream = client(provider).messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 200, messages: [{ role: 'user', content: 'Hello' }] });
        const texts: string[] = [];
        stream.on('text', (text) => texts.push(text));
        const message = await stream.finalMessage();
        assert.equal(texts.join(''), MOCK_REPLY);
        assert.ok(texts.length > 3);
        assert.equal(message.stop_reason, 'end_turn');
        assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
      });

      it('uses a tool, streamed, and answers its result', async () => {
        const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
        const first = await client(provider)
          .messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 200, tools: [TOOL], messages })
          .finalMessage();
        assert.equal(first.stop_reason, 'tool_use');
        const use = first.content.find((block) => block.type === 'tool_use');
        assert.ok(use?.type === 'tool_use');
        assert.equal(typeof (use.input as { city?: unknown }).city, 'string');
        const second = await client(provider).messages.create({
          model: 'claude-sonnet-4-6',
          max_tokens: 200,
          tools: [TOOL],
          messages: [
            ...messages,
            { role: 'assistant', content: first.content },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Sunny' }] },
          ],
        });
        assert.match(second.content[0]?.type === 'text' ? second.content[0].text : '', /^The tool answered: .*Sunny/);
      });

      it("gives the provider's rate limit and outage, and the gateway's refusals, as Anthropic errors", async () => {
        const ask = { model: 'm', max_tokens: 10, messages: [{ role: 'user' as const, content: 'x' }] };
        await assert.rejects(
          client(`${provider}-429`).messages.create(ask),
          (err: unknown) => err instanceof Anthropic.RateLimitError && err.type === 'rate_limit_error',
        );
        await assert.rejects(
          client(`${provider}-503`).messages.create(ask),
          (err: unknown) => err instanceof Anthropic.InternalServerError && err.status === 503,
        );
        await assert.rejects(
          client(provider).messages.create({ ...ask, thinking: { type: 'enabled', budget_tokens: 1024 } }),
          (err: unknown) => err instanceof Anthropic.BadRequestError && err.type === 'invalid_request_error' && /^thinking: /.test(err.apiMessage ?? ''),
        );
      });
    });
  }
});
