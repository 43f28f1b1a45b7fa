// The request side of every adapter on fixed inputs: where the credential goes, the URL, and the body the provider
// gets for system prompts, images, tools, tool calls and results, stop, sampling, max tokens and response formats;
// and a TranslationError naming the field for anything a provider cannot be given.
import { strict as assert } from 'node:assert';
import { adapterFor, TranslationError, type ProviderName, type ProviderTarget, type TranslatedRequest } from '../../runtime/src/providers';
import { ANTHROPIC_DEFAULT_MAX_TOKENS } from '../../runtime/src/providers/anthropic';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const NOW = new Date('2026-12-03T10:00:00Z');
const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** A conversation with everything: system and developer prompts, an image by data URL, a tool call and its result. */
const CONVERSATION = [
  { role: 'system', content: 'Be brief.' },
  { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'What is in this picture, and the weather in Paris?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
    ],
  },
  {
    role: 'assistant',
    content: 'Let me look.',
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '{"forecast":"sunny"}' },
  { role: 'user', content: 'Thanks!' },
];

async function build(
  provider: ProviderName,
  body: object,
  target: Partial<ProviderTarget> = {},
  operation: 'chat' | 'embeddings' = 'chat',
): Promise<TranslatedRequest & { json: Record<string, unknown> }> {
  const built = await adapterFor(provider).buildRequest(operation, body, { provider, apiKey: 'sk-held', ...target }, NOW);
  return { ...built, json: JSON.parse(built.request.body) as Record<string, unknown> };
}

async function refusal(provider: ProviderName, body: object, target: Partial<ProviderTarget> = {}, operation: 'chat' | 'embeddings' = 'chat'): Promise<string> {
  try {
    await build(provider, body, target, operation);
  } catch (err) {
    assert.ok(err instanceof TranslationError, `a TranslationError, not ${String(err)}`);
    assert.equal(err.status, 400);
    assert.deepEqual(err.toOpenAI().error.type, 'invalid_request_error');
    return err.field;
  }
  assert.fail(`${provider} accepted what it cannot be given`);
}

describe("provider requests: OpenAI in, each provider's request out", () => {
  it('openai, openai-compatible and ollama pass the body through with the alias, a Bearer key and their URL conventions', async () => {
    const openai = await build(
      'openai',
      { model: 'gpt-4o', messages: CONVERSATION, stream: true, stream_options: { include_usage: true } },
      { model: 'gpt-4.1', headers: { 'OpenAI-Organization': 'org-1', Authorization: 'Bearer client-key' } },
    );
    assert.equal(openai.request.url, 'https://api.openai.com/v1/chat/completions');
    assert.equal(openai.request.headers.authorization, 'Bearer sk-held', 'a header of the target cannot replace the held key');
    assert.equal(openai.request.headers['openai-organization'], 'org-1');
    assert.deepEqual(openai.json, { model: 'gpt-4.1', messages: CONVERSATION, stream: true, stream_options: { include_usage: true } });
    assert.deepEqual([openai.exchange.stream, openai.exchange.includeUsage, openai.exchange.model], [true, true, 'gpt-4.1']);

    const compatible = await build('openai-compatible', { model: 'llama', input: 'x' }, { url: 'http://vllm:8000/v1/' }, 'embeddings');
    assert.equal(compatible.request.url, 'http://vllm:8000/v1/embeddings');
    await assert.rejects(build('openai-compatible', { model: 'x', messages: CONVERSATION }), /needs a url/);

    const ollama = await build('ollama', { model: 'llama3.2', messages: CONVERSATION, max_completion_tokens: 50 }, { apiKey: undefined });
    assert.equal(ollama.request.url, 'http://127.0.0.1:11434/v1/chat/completions');
    assert.equal(ollama.request.headers.authorization, undefined, 'Ollama needs no key');
    assert.equal(ollama.json.max_tokens, 50);
    assert.equal(ollama.json.max_completion_tokens, undefined);
    assert.equal(
      (await build('ollama', { model: 'm', messages: CONVERSATION }, { url: 'http://gpu:11434/v1' })).request.url,
      'http://gpu:11434/v1/chat/completions',
    );
  });

  it('azure-openai puts the deployment and api-version in the URL and the key in api-key', async () => {
    const azure = await build(
      'azure-openai',
      { model: 'gpt-4o', messages: CONVERSATION },
      { url: 'https://res.openai.azure.com/', deployment: 'prod chat', apiVersion: '2025-01-01-preview' },
    );
    assert.equal(azure.request.url, 'https://res.openai.azure.com/openai/deployments/prod%20chat/chat/completions?api-version=2025-01-01-preview');
    assert.equal(azure.request.headers['api-key'], 'sk-held');
    assert.equal(azure.request.headers.authorization, undefined);
    const embeddings = await build('azure-openai', { model: 'text-embedding-3-small', input: 'x' }, { url: 'https://res.openai.azure.com' }, 'embeddings');
    assert.equal(embeddings.request.url, 'https://res.openai.azure.com/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21');
  });

  it('anthropic: system apart, image and tool blocks, tool results first in a user turn, the max_tokens default, x-api-key + anthropic-version', async () => {
    const built = await build('anthropic', {
      model: 'claude-sonnet-4-6',
      messages: CONVERSATION,
      temperature: 0.2,
      top_p: 0.9,
      stop: '###',
      tools: [WEATHER],
      tool_choice: 'required',
      parallel_tool_calls: false,
      user: 'u-1',
    });
    assert.equal(built.request.url, 'https://api.anthropic.com/v1/messages');
    assert.equal(built.request.headers['x-api-key'], 'sk-held');
    assert.equal(built.request.headers['anthropic-version'], '2023-06-01');
    assert.deepEqual(built.json, {
      model: 'claude-sonnet-4-6',
      max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS,
      system: 'Be brief.\n\nAnswer in English.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture, and the weather in Paris?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me look.' },
            { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: '{"forecast":"sunny"}' },
            { type: 'text', text: 'Thanks!' },
          ],
        },
      ],
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ['###'],
      tools: [{ name: 'get_weather', description: 'Weather in a city', input_schema: WEATHER.function.parameters }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      metadata: { user_id: 'u-1' },
    });
    const more = await build(
      'anthropic',
      {
        model: 'm',
        max_completion_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } }] }],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        tools: [WEATHER],
        response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object' } } },
        reasoning_effort: 'low',
      },
      { url: 'https://proxy.example.com/v1', apiVersion: '2026-10-21' },
    );
    assert.equal(more.request.url, 'https://proxy.example.com/v1/messages');
    assert.equal(more.request.headers['anthropic-version'], '2026-10-21');
    assert.deepEqual(
      [more.json.max_tokens, more.json.stream, more.json.tool_choice, more.json.output_config],
      [100, true, { type: 'tool', name: 'get_weather' }, { format: { type: 'json_schema', schema: { type: 'object' } }, effort: 'low' }],
    );
    assert.deepEqual((more.json.messages as { content: unknown[] }[])[0]?.content, [
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ]);
  });

  it('gemini: contents with roles user/model, inline images, function calls and responses, generationConfig, x-goog-api-key', async () => {
    const built = await build('gemini', {
      model: 'gemini-2.5-flash',
      messages: CONVERSATION,
      max_tokens: 300,
      temperature: 0.5,
      top_p: 0.8,
      stop: ['END'],
      seed: 7,
      tools: [WEATHER],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      response_format: { type: 'json_object' },
      reasoning_effort: 'high',
    });
    assert.equal(built.request.url, 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
    assert.equal(built.request.headers['x-goog-api-key'], 'sk-held');
    assert.deepEqual(built.json, {
      contents: [
        { role: 'user', parts: [{ text: 'What is in this picture, and the weather in Paris?' }, { inlineData: { mimeType: 'image/png', data: PNG } }] },
        { role: 'model', parts: [{ text: 'Let me look.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { forecast: 'sunny' } } }, { text: 'Thanks!' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.\n\nAnswer in English.' }] },
      generationConfig: {
        temperature: 0.5,
        topP: 0.8,
        seed: 7,
        maxOutputTokens: 300,
        stopSequences: ['END'],
        responseMimeType: 'application/json',
        thinkingConfig: { thinkingLevel: 'HIGH' },
      },
      tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather in a city', parametersJsonSchema: WEATHER.function.parameters }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
    });
    const streamed = await build('gemini', {
      model: 'models/gemini-2.5-pro',
      stream: true,
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'y', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c', content: 'plain text' },
      ],
    });
    assert.equal(streamed.request.url, 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse');
    assert.deepEqual((streamed.json.contents as { parts: unknown[] }[])[2]?.parts, [{ functionResponse: { name: 'f', response: { content: 'plain text' } } }]);
    const single = await build('gemini', { model: 'gemini-embedding-001', input: 'one', dimensions: 64 }, {}, 'embeddings');
    assert.equal(single.request.url, 'https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:embedContent');
    assert.deepEqual(single.json, { content: { parts: [{ text: 'one' }] }, outputDimensionality: 64 });
    const batch = await build('gemini', { model: 'gemini-embedding-001', input: ['a', 'b'] }, {}, 'embeddings');
    assert.match(batch.request.url, /:batchEmbedContents$/);
    assert.deepEqual(batch.json, {
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] } },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] } },
      ],
    });
  });

  it('bedrock: Converse body, SigV4 over what is sent (or a Bedrock API key as Bearer), the region in the default URL', async () => {
    const aws = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' };
    const built = await build(
      'bedrock',
      {
        model: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
        messages: CONVERSATION,
        max_tokens: 200,
        temperature: 0.1,
        stop: ['X'],
        tools: [WEATHER],
        tool_choice: 'auto',
        user: 'u-2',
        response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
      },
      { apiKey: undefined, aws, region: 'eu-west-3' },
    );
    assert.equal(built.request.url, 'https://bedrock-runtime.eu-west-3.amazonaws.com/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
    const headers = built.request.headers;
    assert.match(
      headers.authorization ?? '',
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261203\/eu-west-3\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    assert.equal(headers['x-amz-date'], '20261203T100000Z');
    assert.equal(headers['x-amz-security-token'], 'session');
    assert.equal(headers.host, 'bedrock-runtime.eu-west-3.amazonaws.com');
    assert.deepEqual(built.json, {
      messages: [
        { role: 'user', content: [{ text: 'What is in this picture, and the weather in Paris?' }, { image: { format: 'png', source: { bytes: PNG } } }] },
        { role: 'assistant', content: [{ text: 'Let me look.' }, { toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { city: 'Paris' } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'call_1', content: [{ text: '{"forecast":"sunny"}' }] } }, { text: 'Thanks!' }] },
      ],
      system: [{ text: 'Be brief.' }, { text: 'Answer in English.' }],
      inferenceConfig: { maxTokens: 200, temperature: 0.1, stopSequences: ['X'] },
      toolConfig: { tools: [{ toolSpec: { name: 'get_weather', description: 'Weather in a city', inputSchema: { json: WEATHER.function.parameters } } }] },
      outputConfig: { textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: '{"type":"object"}', name: 'answer' } } } },
      requestMetadata: { user: 'u-2' },
    });
    const keyed = await build(
      'bedrock',
      { model: 'amazon.nova-lite-v1:0', stream: true, messages: [{ role: 'user', content: 'x' }] },
      { apiKey: 'bedrock-api-key' },
    );
    assert.equal(keyed.request.url, 'https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-lite-v1%3A0/converse-stream');
    assert.equal(keyed.request.headers.authorization, 'Bearer bedrock-api-key');
    const titan = await build('bedrock', { model: 'amazon.titan-embed-text-v2:0', input: ['one'], dimensions: 256 }, {}, 'embeddings');
    assert.match(titan.request.url, /\/model\/amazon\.titan-embed-text-v2%3A0\/invoke$/);
    assert.deepEqual(titan.json, { inputText: 'one', dimensions: 256 });
    assert.deepEqual((await build('bedrock', { model: 'cohere.embed-english-v3', input: ['a', 'b'] }, {}, 'embeddings')).json, {
      texts: ['a', 'b'],
      input_type: 'search_document',
    });
    await assert.rejects(build('bedrock', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, { apiKey: undefined }), /needs AWS credentials/);
  });

  it('names the field a provider cannot be given, never dropping it', async () => {
    const chat = (extra: object) => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });
    const cases: [ProviderName, object, string, ('chat' | 'embeddings')?][] = [
      ['anthropic', chat({ logit_bias: { 1: 2 } }), 'logit_bias'],
      ['anthropic', chat({ n: 2 }), 'n'],
      ['anthropic', chat({ tool_choice: 'required' }), 'tool_choice'],
      ['gemini', chat({ tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'get_time' } } }), 'tool_choice'],
      ['bedrock', chat({ tool_choice: { type: 'function', function: { name: 'get_weather' } } }), 'tool_choice'],
      ['anthropic', chat({ response_format: { type: 'json_object' } }), 'response_format'],
      [
        'anthropic',
        chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,AAAA' } }] }] }),
        'messages[0].content[0].image_url.url',
      ],
      ['anthropic', chat({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }), 'messages[0].content[0].type'],
      ['anthropic', chat({ messages: [{ role: 'user', content: 'x', name: 'alice' }] }), 'messages[0].name'],
      ['anthropic', { model: 'm', input: 'x' }, 'model', 'embeddings'],
      [
        'anthropic',
        chat({ messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] }),
        'messages[0].tool_calls[0].function.arguments',
      ],
      ['anthropic', chat({ messages: [{ role: 'tool', tool_call_id: 'nowhere', content: 'x' }] }), 'messages[0].tool_call_id'],
      [
        'gemini',
        chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }),
        'messages[0].content[0].image_url.url',
      ],
      ['gemini', chat({ user: 'u' }), 'user'],
      ['gemini', chat({ parallel_tool_calls: false, tools: [WEATHER] }), 'parallel_tool_calls'],
      ['gemini', chat({ tools: [{ type: 'function', function: { ...WEATHER.function, strict: true } }] }), 'tools[0].function.strict'],
      ['gemini', { model: 'm', input: [[1, 2, 3]] }, 'input', 'embeddings'],
      ['bedrock', chat({ top_k: 5 }), 'top_k'],
      ['bedrock', chat({ tool_choice: 'none', tools: [WEATHER], messages: CONVERSATION }), 'tool_choice'],
      ['bedrock', chat({ messages: CONVERSATION }), 'tools'],
      ['bedrock', { model: 'amazon.titan-embed-text-v2:0', input: ['a', 'b'] }, 'input', 'embeddings'],
      ['bedrock', { model: 'meta.llama3-3-70b-instruct-v1:0', input: 'a' }, 'model', 'embeddings'],
    ];
    for (const [provider, body, field, operation] of cases)
      assert.equal(
        await refusal(provider, body, { aws: { accessKeyId: 'a', secretAccessKey: 'b' } }, operation),
        field,
        `${provider}: ${JSON.stringify(body)}`,
      );
  });

  it('lets fields through whose values ask for nothing beyond the default (a tool choice without tools included)', async () => {
    const built = await build('anthropic', {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      n: 1,
      logprobs: false,
      store: false,
      parallel_tool_calls: false,
      tool_choice: 'none',
      seed: null,
    });
    assert.deepEqual(Object.keys(built.json).sort(), ['max_tokens', 'messages', 'model']);
  });
});
