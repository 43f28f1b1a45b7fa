// mock://anthropic speaks the Messages API well enough for Anthropic's own SDK: plain, streamed, tool-calling and
// error answers parse, and the SDK's typed fields carry what the mock sent.
import { strict as assert } from 'node:assert';
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { MOCK_REPLY } from '../../runtime/src/mock/conversation';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Weather in a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
};

describe('mock://anthropic through @anthropic-ai/sdk', () => {
  let mock: MockServer;
  let client: Anthropic;

  before(async () => {
    mock = await startMockServer({ options: { provider: 'anthropic', name: 'mock://anthropic' } });
    client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.url, maxRetries: 0 });
  });
  after(() => mock.close());

  it('answers a message with text, end_turn and usage', async () => {
    const message = await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.model, 'claude-sonnet-4-6');
    assert.deepEqual(
      message.content.map((block) => block.type),
      ['text'],
    );
    assert.equal(message.content[0]?.type === 'text' && message.content[0].text, MOCK_REPLY);
    assert.equal(message.stop_reason, 'end_turn');
    assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
    assert.match(message.id, /^msg_/);
  });

  it('streams the events in order, and the SDK assembles the same message', async () => {
    const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Hello' }] });
    const types: string[] = [];
    const texts: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();
    assert.deepEqual(
      [...new Set(types)],
      ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
    );
    assert.ok(texts.length > 3, 'text arrives in several deltas');
    assert.equal(texts.join(''), MOCK_REPLY);
    assert.equal(message.content[0]?.type === 'text' && message.content[0].text, MOCK_REPLY);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.output_tokens, texts.length);
  });

  it('calls an offered tool, plain and streamed, with input built from the schema', async () => {
    const params = { model: 'claude-sonnet-4-6', max_tokens: 256, tools: [WEATHER_TOOL], messages: [{ role: 'user' as const, content: 'Weather in Paris?' }] };
    const message = await client.messages.create(params);
    assert.equal(message.stop_reason, 'tool_use');
    const use = message.content.find((block) => block.type === 'tool_use');
    assert.ok(use && use.type === 'tool_use');
    assert.equal(use.name, 'get_weather');
    assert.deepEqual(use.input, { city: 'mock', days: 1 });
    assert.match(use.id, /^toolu_/);

    const streamed = await client.messages.stream(params).finalMessage();
    const streamedUse = streamed.content.find((block) => block.type === 'tool_use');
    assert.ok(streamedUse && streamedUse.type === 'tool_use');
    assert.deepEqual(streamedUse.input, { city: 'mock', days: 1 }, 'the SDK parsed the input_json_delta pieces');
    assert.equal(streamed.stop_reason, 'tool_use');
  });

  it('answers a tool result, and refuses a tool_result whose tool_use is not in the previous message', async () => {
    const message = await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny, 21 C' }] },
      ],
    });
    assert.equal(message.content[0]?.type === 'text' && message.content[0].text, 'The tool answered: Sunny, 21 C');
    await assert.rejects(
      client.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 256,
        messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'x' }] }],
      }),
      (err: unknown) => err instanceof Anthropic.BadRequestError && err.type === 'invalid_request_error' && /tool_use_id/.test(err.message),
    );
  });

  it('reports stop sequences, max_tokens and prompt-cache reads the way Anthropic does', async () => {
    const stopped = await client.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      stop_sequences: ['mock'],
      messages: [{ role: 'user', content: 'Hello' }],
    });
    assert.equal(stopped.stop_reason, 'stop_sequence');
    assert.equal(stopped.stop_sequence, 'mock');
    assert.equal(stopped.content[0]?.type === 'text' && stopped.content[0].text, 'Hello from the AI gateway ');
    const short = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 2, messages: [{ role: 'user', content: 'Hello' }] });
    assert.equal(short.stop_reason, 'max_tokens');
    assert.equal(short.usage.output_tokens, 2);
    const params = { model: 'claude-sonnet-4-6', max_tokens: 256, messages: [{ role: 'user' as const, content: 'Hello there, a longer prompt' }] };
    const uncached = await client.messages.create(params);
    const cached = await client.messages.create(params, { headers: { 'x-mock-cached-tokens': '4' } });
    assert.equal(uncached.usage.cache_read_input_tokens, 0);
    assert.equal(cached.usage.cache_read_input_tokens, 4);
    assert.equal(cached.usage.input_tokens, uncached.usage.input_tokens - 4, 'input_tokens leaves the cache reads out');
  });

  it('answers 529 overloaded_error and 429 rate_limit_error as typed SDK errors, with retry-after', async () => {
    await assert.rejects(
      client.messages.create(
        { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] },
        { headers: { 'x-mock-status': '529' } },
      ),
      (err: unknown) =>
        err instanceof Anthropic.InternalServerError &&
        err.status === 529 &&
        err.type === 'overloaded_error' &&
        err.apiMessage === 'Overloaded' &&
        typeof err.requestID === 'string',
    );
    await assert.rejects(
      client.messages.create(
        { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] },
        { headers: { 'x-mock-status': '429', 'x-mock-retry-after': '7' } },
      ),
      (err: unknown) => err instanceof Anthropic.RateLimitError && err.type === 'rate_limit_error' && err.headers?.get('retry-after') === '7',
    );
  });

  it('requires x-api-key (the configured one, when set) and anthropic-version', async () => {
    const missingKey = await request(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(missingKey.statusCode, 401);
    assert.deepEqual(await missingKey.body.json(), { type: 'error', error: { type: 'authentication_error', message: 'x-api-key header is required' } });
    const missingVersion = await request(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(missingVersion.statusCode, 400);
    await missingVersion.body.dump();

    const strict = await startMockServer({ options: { provider: 'anthropic', apiKey: 'sk-ant-right' } });
    try {
      const wrong = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: strict.url, maxRetries: 0 });
      await assert.rejects(
        wrong.messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] }),
        (err: unknown) => err instanceof Anthropic.AuthenticationError && err.type === 'authentication_error',
      );
      const right = new Anthropic({ apiKey: 'sk-ant-right', baseURL: strict.url, maxRetries: 0 });
      assert.equal((await right.messages.create({ model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] })).stop_reason, 'end_turn');
    } finally {
      await strict.close();
    }
  });

  it('refuses fields the Messages API does not have, naming them', async () => {
    const answer = await request(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } }),
    });
    assert.equal(answer.statusCode, 400);
    assert.deepEqual(await answer.body.json(), {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'stream_options: Extra inputs are not permitted' },
    });
  });
});
