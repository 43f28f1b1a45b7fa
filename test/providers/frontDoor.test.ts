// The Messages API front door: a Messages request becomes the OpenAI-shaped middle (fixed inputs), and, through a
// small stand-in for the proxy wiring that comes later, Anthropic's own SDK talks to Gemini and Bedrock mocks via the
// translators (front door -> provider adapter -> socket -> back): plain, streamed, tool-calling and error answers.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { MOCK_REPLY } from '../../runtime/src/mock/conversation';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { MOCK_AWS_CREDENTIALS } from '../../runtime/src/mock/options';
import {
  adapterFor,
  anthropicMessagesToOpenAI,
  openAIAnswerToAnthropic,
  openAIErrorToAnthropic,
  translateOpenAIStreamToAnthropic,
  TranslationError,
  type ProviderTarget,
} from '../../runtime/src/providers';

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

/** Stands in for the proxy wiring: /v1/messages -> front door -> adapter -> the provider's mock -> back. */
async function frontDoorServer(target: ProviderTarget): Promise<{ url: string; server: Server }> {
  const adapter = adapterFor(target.provider);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string };
        const forced = req.headers['x-mock-status'];
        let openAI: object;
        try {
          openAI = anthropicMessagesToOpenAI(body);
        } catch (err) {
          if (!(err instanceof TranslationError)) throw err;
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(openAIErrorToAnthropic(400, JSON.stringify(err.toOpenAI()))));
          return;
        }
        const headers: Record<string, string> = typeof forced === 'string' ? { 'x-mock-status': forced } : {};
        const { request: upstream, exchange } = await adapter.buildRequest('chat', openAI, { ...target, headers });
        const answer = await request(upstream.url, { method: 'POST', headers: upstream.headers, body: upstream.body });
        if (answer.statusCode >= 400) {
          const error = adapter.translateError(answer.statusCode, await answer.body.text(), answer.headers);
          res
            .writeHead(error.status, { 'content-type': 'application/json' })
            .end(JSON.stringify(openAIErrorToAnthropic(error.status, JSON.stringify(error.body))));
          return;
        }
        if (!exchange.stream) {
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify(openAIAnswerToAnthropic(adapter.translateAnswer(exchange, await answer.body.text()), body.model)));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const provider = adapter.translateStream(exchange);
        const messages = translateOpenAIStreamToAnthropic(body.model);
        for await (const chunk of answer.body) res.write(messages.push(Buffer.from(provider.push(chunk as Buffer))));
        res.end(messages.push(Buffer.from(provider.end())) + messages.end());
      })().catch((err: unknown) => res.destroy(err as Error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

for (const provider of ['gemini', 'bedrock'] as const) {
  describe(`Messages front door: @anthropic-ai/sdk through the translators to mock://${provider}`, () => {
    let mock: MockServer;
    let door: { url: string; server: Server };
    let client: Anthropic;
    const TOOL = {
      name: 'get_weather',
      description: 'Weather',
      input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
    };

    before(async () => {
      mock = await startMockServer({ options: { provider } });
      const target: ProviderTarget =
        provider === 'gemini'
          ? { provider, url: mock.url, apiKey: 'k', model: 'gemini-2.5-flash' }
          : { provider, url: mock.url, aws: MOCK_AWS_CREDENTIALS, model: 'amazon.nova-lite-v1:0' };
      door = await frontDoorServer(target);
      client = new Anthropic({ apiKey: 'client-key', baseURL: door.url, maxRetries: 0 });
    });
    after(async () => {
      await new Promise<void>((resolve) => door.server.close(() => resolve()));
      await mock.close();
    });

    it('answers a message', async () => {
      const message = await client.messages.create({
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
      const stream = client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 200, messages: [{ role: 'user', content: 'Hello' }] });
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
      const first = await client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 200, tools: [TOOL], messages }).finalMessage();
      assert.equal(first.stop_reason, 'tool_use');
      const use = first.content.find((block) => block.type === 'tool_use');
      assert.ok(use?.type === 'tool_use');
      assert.deepEqual(use.input, { city: 'mock' });
      const second = await client.messages.create({
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

    it("gives the provider's rate limit and the gateway's refusals as Anthropic errors", async () => {
      await assert.rejects(
        client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-status': '429' } }),
        (err: unknown) => err instanceof Anthropic.RateLimitError && err.type === 'rate_limit_error',
      );
      await assert.rejects(
        client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-status': '503' } }),
        (err: unknown) => err instanceof Anthropic.InternalServerError && err.status === 503,
      );
      await assert.rejects(
        client.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }], thinking: { type: 'enabled', budget_tokens: 1024 } }),
        (err: unknown) => err instanceof Anthropic.BadRequestError && /^thinking: /.test(err.apiMessage ?? ''),
      );
    });
  });
}
