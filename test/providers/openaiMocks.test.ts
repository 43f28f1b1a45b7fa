// mock://openai and mock://azure-openai through the `openai` SDK (its AzureOpenAI client for Azure): plain,
// streamed, tool-calling, embedding (float and base64) and error answers parse, with the values the mock sent.
import { strict as assert } from 'node:assert';
import OpenAI, { AzureOpenAI } from 'openai';
import { request } from 'undici';
import { MOCK_REPLY } from '../../runtime/src/mock/conversation';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { embeddingVector } from '../../runtime/src/mock/openaiBodies';

const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] },
  },
};

/** The same checks for both: OpenAI's client on mock://openai and AzureOpenAI on mock://azure-openai. */
function sharedBehaviour(client: () => OpenAI, model: string): void {
  it('answers a chat completion with text, stop and usage', async () => {
    const completion = await client().chat.completions.create({
      model,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
    });
    assert.equal(completion.choices[0]?.message.content, MOCK_REPLY);
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    assert.ok(completion.usage && completion.usage.prompt_tokens > 0);
    assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + completion.usage.completion_tokens);
  });

  it('streams chunks with the usage chunk last', async () => {
    const stream = await client().chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, MOCK_REPLY);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.completion_tokens > 0);
  });

  it('calls an offered tool, plain and streamed, and reports cached prompt tokens when asked', async () => {
    const completion = await client().chat.completions.create(
      { model, tools: [WEATHER], messages: [{ role: 'user', content: 'Weather in Paris?' }] },
      { headers: { 'x-mock-cached-tokens': '2' } },
    );
    const call = completion.choices[0]?.message.tool_calls?.[0];
    assert.ok(call?.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'mock', days: 1 });
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(completion.usage?.prompt_tokens_details?.cached_tokens, 2);

    const stream = client().chat.completions.stream({ model, tools: [WEATHER], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    const final = await stream.finalChatCompletion();
    const streamedCall = final.choices[0]?.message.tool_calls?.[0];
    assert.ok(streamedCall?.type === 'function');
    assert.deepEqual(JSON.parse(streamedCall.function.arguments), { city: 'mock', days: 1 });
  });

  it('embeds: the SDK asks for base64 and decodes little-endian float32; float stays float', async () => {
    const decoded = await client().embeddings.create({ model: 'text-embedding-3-small', input: ['first', 'second'] });
    for (const [index, text] of ['first', 'second'].entries()) {
      const expected = embeddingVector(text);
      const got = decoded.data[index]?.embedding ?? [];
      assert.equal(got.length, expected.length);
      got.forEach((value, at) => assert.equal(value, Math.fround(expected[at] ?? NaN), `float32 of ${expected[at]}`));
    }
    const floats = await client().embeddings.create({ model: 'text-embedding-3-small', input: 'first', encoding_format: 'float' });
    assert.deepEqual(floats.data[0]?.embedding, embeddingVector('first'));
  });

  it('answers 429 with retry-after as a RateLimitError, 500 as an InternalServerError', async () => {
    await assert.rejects(
      client().chat.completions.create(
        { model, messages: [{ role: 'user', content: 'x' }] },
        { headers: { 'x-mock-status': '429', 'x-mock-retry-after': '3' } },
      ),
      (err: unknown) => err instanceof OpenAI.RateLimitError && err.headers.get('retry-after') === '3',
    );
    await assert.rejects(
      client().chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-mock-status': '500' } }),
      (err: unknown) => err instanceof OpenAI.InternalServerError && err.status === 500,
    );
  });
}

describe('mock://openai through the openai SDK', () => {
  let mock: MockServer;
  before(async () => {
    mock = await startMockServer({ options: { name: 'mock://openai' } });
  });
  after(() => mock.close());
  sharedBehaviour(() => new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 }), 'gpt-4o-mini');

  it('answers the raw base64 encoding OpenAI documents', async () => {
    const answer = await request(`${mock.url}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'abc', encoding_format: 'base64' }),
    });
    const embedding = ((await answer.body.json()) as { data: { embedding: string }[] }).data[0]?.embedding ?? '';
    const bytes = Buffer.from(embedding, 'base64');
    assert.equal(bytes.length, 8 * 4);
    assert.deepEqual(
      Array.from({ length: 8 }, (_, i) => bytes.readFloatLE(i * 4)),
      embeddingVector('abc').map(Math.fround),
    );
  });
});

describe("mock://azure-openai through the openai SDK's AzureOpenAI client", () => {
  let mock: MockServer;
  const azure = (apiKey = 'azure-key'): AzureOpenAI =>
    new AzureOpenAI({ endpoint: mock.url, apiKey, apiVersion: '2024-10-21', deployment: 'gpt-4o-prod', maxRetries: 0 });
  before(async () => {
    mock = await startMockServer({ options: { provider: 'azure-openai', name: 'mock://azure-openai' } });
  });
  after(() => mock.close());
  sharedBehaviour(() => azure(), 'gpt-4o');

  it("adds Azure's content filter results, and opens streams with a chunk that has no choices", async () => {
    const completion = await azure().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }] });
    const raw = completion as unknown as {
      prompt_filter_results: { content_filter_results: { hate: { filtered: boolean } } }[];
      choices: { content_filter_results: object }[];
    };
    assert.equal(raw.prompt_filter_results[0]?.content_filter_results.hate.filtered, false);
    assert.ok(raw.choices[0]?.content_filter_results);
    const chunks = [];
    for await (const chunk of await azure().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }], stream: true }))
      chunks.push(chunk);
    assert.deepEqual(chunks[0]?.choices, []);
  });

  it('needs the deployment path with api-version, and the api-key header', async () => {
    const noVersion = await request(`${mock.url}/openai/deployments/gpt-4o-prod/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': 'k', 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(noVersion.statusCode, 404);
    assert.deepEqual(await noVersion.body.json(), { error: { code: '404', message: 'Resource not found' } });
    const noKey = await request(`${mock.url}/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(noKey.statusCode, 401);
    assert.equal(((await noKey.body.json()) as { error: { code: string } }).error.code, '401');

    const strict = await startMockServer({ options: { provider: 'azure-openai', apiKey: 'right' } });
    try {
      const wrong = new AzureOpenAI({ endpoint: strict.url, apiKey: 'wrong', apiVersion: '2024-10-21', deployment: 'd', maxRetries: 0 });
      await assert.rejects(
        wrong.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
        (err: unknown) => err instanceof OpenAI.AuthenticationError && err.status === 401,
      );
    } finally {
      await strict.close();
    }
  });
});
