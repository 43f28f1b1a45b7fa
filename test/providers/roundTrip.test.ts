// Each adapter against its provider's mock over a real socket: translate an OpenAI request, send it with undici,
// translate the answer back. The mocks check what Anthropic, Gemini, Bedrock (SigV4 included) and Azure check, so a
// translated request that would not pass the provider fails here. Streams are read as they arrive.
import { strict as assert } from 'node:assert';
import { request } from 'undici';
import { MOCK_REPLY } from '../../runtime/src/mock/conversation';
import { startMockServer, type MockServer } from '../../runtime/src/mock/mockServer';
import { MOCK_AWS_CREDENTIALS, type MockProvider } from '../../runtime/src/mock/options';
import { embeddingVector } from '../../runtime/src/mock/openaiBodies';
import { adapterFor, type Operation, type ProviderName, type ProviderTarget, type TranslatedError } from '../../runtime/src/providers';
import { chunksOf } from './support';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const ASK = [
  { role: 'system', content: 'Be brief.' },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'Hello, what is this?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
    ],
  },
];

interface Outcome {
  status: number;
  answer?: Record<string, unknown> & {
    choices: { message: { content: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[] }; finish_reason: string }[];
    usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens: number } };
  };
  streamed?: string;
  /** Upstream reads in all, and the read after which the first content chunk came out. */
  reads?: number;
  firstContentAtRead?: number;
  error?: TranslatedError;
}

async function roundTrip(provider: ProviderName, target: ProviderTarget, body: object, operation: Operation = 'chat'): Promise<Outcome> {
  const adapter = adapterFor(provider);
  const { request: upstream, exchange } = await adapter.buildRequest(operation, body, target);
  const response = await request(upstream.url, { method: upstream.method, headers: upstream.headers, body: upstream.body });
  if (response.statusCode >= 400)
    return { status: response.statusCode, error: adapter.translateError(response.statusCode, await response.body.text(), response.headers) };
  if (!exchange.stream) return { status: response.statusCode, answer: adapter.translateAnswer(exchange, await response.body.text()) as Outcome['answer'] };
  const translator = adapter.translateStream(exchange);
  let streamed = '';
  let reads = 0;
  let firstContentAtRead: number | undefined;
  for await (const chunk of response.body) {
    reads += 1;
    streamed += translator.push(chunk as Buffer);
    if (firstContentAtRead === undefined && /"content":"[^"]+"/.test(streamed)) firstContentAtRead = reads;
  }
  streamed += translator.end();
  assert.equal(translator.complete, true, `${provider}: the stream ended with its own last event`);
  return { status: response.statusCode, streamed, reads, firstContentAtRead };
}

const MOCKS: Record<ProviderName, MockProvider> = {
  openai: 'openai',
  'openai-compatible': 'openai',
  ollama: 'openai',
  anthropic: 'anthropic',
  gemini: 'gemini',
  bedrock: 'bedrock',
  'azure-openai': 'azure-openai',
};

describe("round trips: each adapter against its provider's mock, over a socket", () => {
  const mocks = new Map<MockProvider, MockServer>();
  const targets = {} as Record<ProviderName, ProviderTarget>;

  before(async () => {
    for (const provider of new Set(Object.values(MOCKS)))
      mocks.set(
        provider,
        await startMockServer({ options: { provider, name: `mock://${provider}`, apiKey: provider === 'bedrock' ? undefined : 'held-key' } }),
      );
    const url = (provider: ProviderName): string => mocks.get(MOCKS[provider])?.url ?? '';
    targets.openai = { provider: 'openai', url: `${url('openai')}/v1`, apiKey: 'held-key' };
    targets['openai-compatible'] = { provider: 'openai-compatible', url: `${url('openai')}/v1`, apiKey: 'held-key', model: 'served-model' };
    targets.ollama = { provider: 'ollama', url: url('ollama'), apiKey: 'held-key' };
    targets.anthropic = { provider: 'anthropic', url: url('anthropic'), apiKey: 'held-key', model: 'claude-haiku-4-5' };
    targets.gemini = { provider: 'gemini', url: url('gemini'), apiKey: 'held-key' };
    targets.bedrock = {
      provider: 'bedrock',
      url: url('bedrock'),
      aws: MOCK_AWS_CREDENTIALS,
      region: 'eu-central-1',
      model: 'anthropic.claude-haiku-4-5-20251001-v1:0',
    };
    targets['azure-openai'] = { provider: 'azure-openai', url: url('azure-openai'), apiKey: 'held-key', deployment: 'chat-prod' };
  });
  after(async () => {
    for (const mock of mocks.values()) await mock.close();
  });

  const PROVIDERS: ProviderName[] = ['openai', 'openai-compatible', 'ollama', 'azure-openai', 'anthropic', 'gemini', 'bedrock'];

  for (const provider of PROVIDERS) {
    describe(provider, () => {
      it('answers a plain request with an image: text, stop, usage', async () => {
        const outcome = await roundTrip(provider, targets[provider], { model: 'gpt-4o-mini', messages: ASK, max_tokens: 100, temperature: 0.3 });
        assert.equal(outcome.status, 200, JSON.stringify(outcome.error));
        const choice = outcome.answer?.choices[0];
        assert.equal(choice?.message.content, MOCK_REPLY);
        assert.equal(choice?.finish_reason, 'stop');
        assert.ok((outcome.answer?.usage.prompt_tokens ?? 0) > 0 && (outcome.answer?.usage.completion_tokens ?? 0) > 0);
      });

      it('streams, the first content leaving before the upstream finished, with the usage chunk and [DONE]', async () => {
        const target = { ...targets[provider], headers: { 'x-mock-chunk-delay': '15' } };
        const outcome = await roundTrip(provider, target, { model: 'gpt-4o-mini', messages: ASK, stream: true, stream_options: { include_usage: true } });
        assert.equal(outcome.status, 200, JSON.stringify(outcome.error));
        const out = chunksOf(outcome.streamed ?? '');
        assert.equal(out.content, MOCK_REPLY);
        assert.deepEqual(out.finish, ['stop']);
        assert.ok(out.usage && (out.usage.completion_tokens as number) > 0);
        assert.equal(out.done, true);
        assert.ok(
          (outcome.firstContentAtRead ?? Infinity) < (outcome.reads ?? 0),
          `content came out at read ${outcome.firstContentAtRead} of ${outcome.reads}`,
        );
      });

      it('calls a tool, then answers its result in the next turn', async () => {
        const ask = [{ role: 'user', content: 'Weather in Paris?' }];
        const first = await roundTrip(provider, targets[provider], { model: 'gpt-4o-mini', messages: ask, tools: [WEATHER] });
        assert.equal(first.status, 200, JSON.stringify(first.error));
        const choice = first.answer?.choices[0];
        assert.equal(choice?.finish_reason, 'tool_calls');
        const call = choice?.message.tool_calls?.[0];
        assert.equal(call?.function.name, 'get_weather');
        assert.deepEqual(JSON.parse(call?.function.arguments ?? ''), { city: 'mock' });
        const history = [
          ...ask,
          { role: 'assistant', content: choice?.message.content ?? null, tool_calls: choice?.message.tool_calls },
          { role: 'tool', tool_call_id: call?.id, content: 'Sunny, 21 C' },
        ];
        const second = await roundTrip(provider, targets[provider], { model: 'gpt-4o-mini', messages: history, tools: [WEATHER] });
        assert.equal(second.status, 200, JSON.stringify(second.error));
        assert.match(second.answer?.choices[0]?.message.content ?? '', /^The tool answered: .*Sunny, 21 C/);
      });

      it('streams a tool call as OpenAI tool_call pieces', async () => {
        const outcome = await roundTrip(provider, targets[provider], {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'Weather?' }],
          tools: [WEATHER],
          tool_choice: 'required',
          stream: true,
        });
        const out = chunksOf(outcome.streamed ?? '');
        assert.equal(out.toolCalls[0]?.name, 'get_weather');
        assert.deepEqual(JSON.parse(out.toolCalls[0]?.arguments ?? ''), { city: 'mock' });
        assert.deepEqual(out.finish, ['tool_calls']);
      });

      it('reports cached prompt tokens, and stops at max tokens with finish length', async () => {
        const cached = await roundTrip(provider, { ...targets[provider], headers: { 'x-mock-cached-tokens': '3' } }, { model: 'gpt-4o-mini', messages: ASK });
        assert.equal(cached.answer?.usage.prompt_tokens_details?.cached_tokens, 3);
        const short = await roundTrip(provider, targets[provider], { model: 'gpt-4o-mini', messages: ASK, max_completion_tokens: 2 });
        assert.equal(short.answer?.choices[0]?.finish_reason, 'length');
      });

      it('translates a rate limit into an OpenAI error with the status kept and retryable', async () => {
        const outcome = await roundTrip(provider, { ...targets[provider], headers: { 'x-mock-status': '429' } }, { model: 'gpt-4o-mini', messages: ASK });
        assert.equal(outcome.status, 429);
        assert.equal(outcome.error?.status, 429);
        assert.equal(outcome.error?.retryable, true);
        assert.ok(outcome.error?.body.error.message);
      });
    });
  }

  it('anthropic: 529 overloaded stays 529, retryable, typed overloaded_error; a wrong held key is a 401', async () => {
    const outcome = await roundTrip('anthropic', { ...targets.anthropic, headers: { 'x-mock-status': '529' } }, { model: 'm', messages: ASK });
    assert.deepEqual([outcome.error?.status, outcome.error?.retryable, outcome.error?.body.error.type], [529, true, 'overloaded_error']);
    const denied = await roundTrip('anthropic', { ...targets.anthropic, apiKey: 'not-the-key' }, { model: 'm', messages: ASK });
    assert.deepEqual([denied.error?.status, denied.error?.body.error.type, denied.error?.retryable], [401, 'authentication_error', false]);
  });

  it('bedrock: a request signed with another secret gets the 403 InvalidSignatureException; a Bedrock API key passes', async () => {
    const outcome = await roundTrip(
      'bedrock',
      { ...targets.bedrock, aws: { ...MOCK_AWS_CREDENTIALS, secretAccessKey: 'wrong' } },
      { model: 'm', messages: ASK },
    );
    assert.deepEqual([outcome.error?.status, outcome.error?.body.error.code], [403, 'InvalidSignatureException']);
    const keyed = await roundTrip('bedrock', { ...targets.bedrock, aws: undefined, apiKey: 'bedrock-api-key' }, { model: 'm', messages: ASK });
    assert.equal(keyed.status, 200);
  });

  it('a provider stream cut mid-way leaves the translator incomplete: what arrived went out, no [DONE]', async () => {
    for (const provider of ['anthropic', 'gemini', 'bedrock'] as const) {
      const adapter = adapterFor(provider);
      const { request: upstream, exchange } = await adapter.buildRequest(
        'chat',
        { model: 'm', messages: ASK, stream: true },
        { ...targets[provider], headers: { 'x-mock-cut-after': '5' } },
      );
      const response = await request(upstream.url, { method: upstream.method, headers: upstream.headers, body: upstream.body });
      const translator = adapter.translateStream(exchange);
      let text = '';
      await assert.rejects(async () => {
        for await (const chunk of response.body) text += translator.push(chunk as Buffer);
      }, `${provider}: the upstream connection was cut`);
      text += translator.end();
      const out = chunksOf(text);
      assert.ok(out.content.length > 0 && MOCK_REPLY.startsWith(out.content), `${provider}: the deltas before the cut went out`);
      assert.deepEqual([translator.complete, out.done], [false, false], provider);
    }
  });

  it('embeddings: Gemini one and a batch, Bedrock Titan, Azure and OpenAI in base64', async () => {
    const asFloats = (outcome: Outcome): unknown => (outcome.answer as unknown as { data: { embedding: number[] }[] }).data.map((d) => d.embedding);
    assert.deepEqual(asFloats(await roundTrip('gemini', targets.gemini, { model: 'gemini-embedding-001', input: 'one', dimensions: 4 }, 'embeddings')), [
      embeddingVector('one', 4),
    ]);
    assert.deepEqual(asFloats(await roundTrip('gemini', targets.gemini, { model: 'gemini-embedding-001', input: ['a', 'b'] }, 'embeddings')), [
      embeddingVector('a'),
      embeddingVector('b'),
    ]);
    const titan = await roundTrip(
      'bedrock',
      { ...targets.bedrock, model: 'amazon.titan-embed-text-v2:0' },
      { model: 'x', input: 'hello', dimensions: 4 },
      'embeddings',
    );
    assert.deepEqual(asFloats(titan), [embeddingVector('hello', 4)]);
    for (const provider of ['azure-openai', 'openai', 'gemini'] as const) {
      const outcome = await roundTrip(provider, targets[provider], { model: 'text-embedding-3-small', input: 'abc', encoding_format: 'base64' }, 'embeddings');
      const bytes = Buffer.from(String((outcome.answer as unknown as { data: { embedding: string }[] }).data[0]?.embedding), 'base64');
      assert.deepEqual(
        Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4)),
        embeddingVector('abc').map(Math.fround),
        provider,
      );
    }
  });
});
