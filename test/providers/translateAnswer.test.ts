// Whole answers and errors on fixed inputs: each provider's answer becomes a chat completion (text, tool calls,
// finish reason, usage with cached tokens) or an embedding list (float or base64 float32); each provider's error
// becomes OpenAI's error shape with the provider's status, 429/5xx/529 retryable.
import { strict as assert } from 'node:assert';
import { adapterFor, openAIAnswerToAnthropic, openAIErrorToAnthropic, UpstreamAnswerError, type ProviderName } from '../../runtime/src/providers';
import { exchangeFor } from './support';

const json = (value: unknown): string => JSON.stringify(value);
const answer = (provider: ProviderName, body: unknown, operation: 'chat' | 'embeddings' = 'chat', encodingFormat: 'float' | 'base64' = 'float') =>
  adapterFor(provider).translateAnswer(exchangeFor(provider, { operation, stream: false, encodingFormat }), json(body)) as {
    id: string;
    model: string;
    choices: { message: { content: string | null; tool_calls?: unknown[] }; finish_reason: string }[];
    usage: unknown;
    data?: { embedding: unknown }[];
  };

describe('answer translation: provider answers in, OpenAI answers out', () => {
  it('Anthropic: text and tool_use blocks, stop reasons, usage with cache reads and writes', () => {
    const out = answer('anthropic', {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-4-5-20251101',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 's' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 5, cache_read_input_tokens: 100 },
    });
    assert.deepEqual(out, {
      id: 'msg_01',
      object: 'chat.completion',
      created: 1_790_000_000,
      model: 'claude-opus-4-5-20251101',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking.',
            refusal: null,
            reasoning_content: 'hmm',
            tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 115, completion_tokens: 20, total_tokens: 135, prompt_tokens_details: { cached_tokens: 100 } },
    });
    const finishes = ['end_turn', 'stop_sequence', 'max_tokens', 'tool_use', 'refusal', 'pause_turn', 'model_context_window_exceeded'].map(
      (stop_reason) => answer('anthropic', { type: 'message', content: [], stop_reason, usage: {} }).choices[0]?.finish_reason,
    );
    assert.deepEqual(finishes, ['stop', 'stop', 'length', 'tool_calls', 'content_filter', 'stop', 'length']);
  });

  it('Gemini: parts, function calls finish as tool_calls although Gemini says STOP, safety stops, blocked prompts, usage', () => {
    const out = answer('gemini', {
      candidates: [{ content: { role: 'model', parts: [{ text: 'Sunny.' }, { functionCall: { name: 'log', args: { level: 1 } } }] }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 4, totalTokenCount: 16, cachedContentTokenCount: 8 },
      modelVersion: 'gemini-2.5-flash-001',
      responseId: 'r1',
    });
    assert.equal(out.id, 'r1');
    assert.equal(out.model, 'gemini-2.5-flash-001');
    assert.deepEqual(out.choices[0]?.message.tool_calls, [{ id: 'call_fixed0000_0', type: 'function', function: { name: 'log', arguments: '{"level":1}' } }]);
    assert.equal(out.choices[0]?.message.content, 'Sunny.');
    assert.equal(out.choices[0]?.finish_reason, 'tool_calls');
    assert.deepEqual(out.usage, { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16, prompt_tokens_details: { cached_tokens: 8 } });
    const reasons = ['STOP', 'MAX_TOKENS', 'SAFETY', 'RECITATION', 'OTHER'].map(
      (finishReason) => answer('gemini', { candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason }] }).choices[0]?.finish_reason,
    );
    assert.deepEqual(reasons, ['stop', 'length', 'content_filter', 'content_filter', 'stop']);
    const blocked = answer('gemini', { promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 } });
    assert.deepEqual([blocked.choices[0]?.message.content, blocked.choices[0]?.finish_reason], [null, 'content_filter']);
  });

  it('Bedrock: Converse output, stop reasons, usage with cache reads', () => {
    const out = answer('bedrock', {
      output: { message: { role: 'assistant', content: [{ text: 'Hi' }, { toolUse: { toolUseId: 't1', name: 'f', input: {} } }] } },
      stopReason: 'tool_use',
      usage: { inputTokens: 3, outputTokens: 4, totalTokens: 9, cacheReadInputTokens: 2 },
      metrics: { latencyMs: 5 },
    });
    assert.deepEqual([out.id, out.model, out.choices[0]?.finish_reason], ['chatcmpl-fixed0000', 'requested-model', 'tool_calls']);
    assert.deepEqual(out.usage, { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9, prompt_tokens_details: { cached_tokens: 2 } });
    const reasons = ['end_turn', 'stop_sequence', 'max_tokens', 'guardrail_intervened', 'content_filtered'].map(
      (stopReason) => answer('bedrock', { output: { message: { content: [{ text: 'x' }] } }, stopReason, usage: {} }).choices[0]?.finish_reason,
    );
    assert.deepEqual(reasons, ['stop', 'stop', 'length', 'content_filter', 'content_filter']);
  });

  it('embeddings: Gemini (one and a batch) and Bedrock (Titan, Cohere), float or little-endian float32 base64', () => {
    const floats = answer('gemini', { embeddings: [{ values: [0.5, -1] }, { values: [0.25, 2] }] }, 'embeddings');
    assert.deepEqual(floats, {
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -1] },
        { object: 'embedding', index: 1, embedding: [0.25, 2] },
      ],
      model: 'requested-model',
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
    const base64 = answer('gemini', { embedding: { values: [0.5, -1] } }, 'embeddings', 'base64');
    const bytes = Buffer.from(String(base64.data?.[0]?.embedding), 'base64');
    assert.deepEqual([bytes.readFloatLE(0), bytes.readFloatLE(4)], [0.5, -1]);
    const titan = answer('bedrock', { embedding: [0.1, 0.2], inputTextTokenCount: 6 }, 'embeddings') as unknown as {
      usage: { prompt_tokens: number };
      data: { embedding: number[] }[];
    };
    assert.deepEqual([titan.usage.prompt_tokens, titan.data[0]?.embedding], [6, [0.1, 0.2]]);
    const cohere = answer('bedrock', { id: 'x', embeddings: [[1], [2]], texts: ['a', 'b'], response_type: 'embeddings_floats' }, 'embeddings') as unknown as {
      data: { embedding: number[] }[];
    };
    assert.deepEqual(
      cohere.data.map((d) => d.embedding),
      [[1], [2]],
    );
  });

  it("refuses a 2xx body that is not the provider's answer", () => {
    assert.throws(() => answer('anthropic', { not: 'a message' }), UpstreamAnswerError);
    assert.throws(
      () => adapterFor('gemini').translateAnswer(exchangeFor('gemini'), '<html>'),
      (err: unknown) => err instanceof UpstreamAnswerError && err.status === 502,
    );
    assert.throws(() => answer('bedrock', { embeddings: 'nope' }, 'embeddings'), UpstreamAnswerError);
  });
});

describe('error translation: provider errors in, OpenAI errors out with the status kept', () => {
  it('Anthropic 529 overloaded stays 529 and retryable; 400 is not retryable', () => {
    const overloaded = adapterFor('anthropic').translateError(529, json({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
    assert.deepEqual(overloaded, {
      status: 529,
      body: { error: { message: 'Overloaded', type: 'overloaded_error', code: 'overloaded_error' } },
      retryable: true,
    });
    const invalid = adapterFor('anthropic').translateError(
      400,
      json({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } }),
    );
    assert.deepEqual([invalid.status, invalid.body.error.type, invalid.retryable], [400, 'invalid_request_error', false]);
  });

  it('Gemini, Bedrock (x-amzn-errortype), Azure and OpenAI errors keep their message and name', () => {
    const gemini = adapterFor('gemini').translateError(
      429,
      json({ error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } }),
    );
    assert.deepEqual(gemini, {
      status: 429,
      body: { error: { message: 'Resource has been exhausted', type: 'rate_limit_error', code: 'RESOURCE_EXHAUSTED' } },
      retryable: true,
    });
    const bedrock = adapterFor('bedrock').translateError(403, json({ message: 'The security token included in the request is invalid.' }), {
      'x-amzn-errortype': 'UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/',
    });
    assert.deepEqual(bedrock, {
      status: 403,
      body: {
        error: {
          message: 'Bedrock refused the credential the gateway holds for this target (403 UnrecognizedClientException)',
          type: 'permission_error',
          code: 'UnrecognizedClientException',
        },
      },
      retryable: false,
    });
    const azure = adapterFor('azure-openai').translateError(
      404,
      json({ error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' } }),
    );
    assert.deepEqual(azure.body, {
      error: { message: 'The API deployment for this resource does not exist.', type: 'not_found_error', code: 'DeploymentNotFound' },
    });
    const openai = adapterFor('openai').translateError(
      429,
      json({ error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } }),
    );
    assert.deepEqual(openai.body, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } });
    const html = adapterFor('gemini').translateError(502, '<html>Bad Gateway</html>');
    assert.deepEqual([html.body.error.message, html.retryable], ['<html>Bad Gateway</html>', true]);
  });

  it('keeps what a provider says about the held credential (a 401 or 403) out of the answer', () => {
    const openai = adapterFor('openai').translateError(
      401,
      json({ error: { message: 'Incorrect API key provided: sk-proj-abc*************wxyz.', type: 'invalid_request_error', code: 'invalid_api_key' } }),
    );
    assert.deepEqual(openai, {
      status: 401,
      body: {
        error: {
          message: 'OpenAI refused the credential the gateway holds for this target (401 invalid_api_key)',
          type: 'authentication_error',
          code: 'invalid_api_key',
        },
      },
      retryable: false,
    });
    const anthropic = adapterFor('anthropic').translateError(
      401,
      json({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }),
    );
    assert.equal(anthropic.body.error.message, 'Anthropic refused the credential the gateway holds for this target (401 authentication_error)');
  });
});

describe("the Messages front door: OpenAI answers and errors out as Anthropic's", () => {
  it('turns a chat completion into a message', () => {
    const message = openAIAnswerToAnthropic(
      {
        id: 'chatcmpl-9',
        object: 'chat.completion',
        model: 'gemini-2.5-flash',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Sure.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35, prompt_tokens_details: { cached_tokens: 10 } },
      },
      'claude-sonnet-4-6',
    );
    assert.deepEqual(message, {
      id: 'msg_chatcmpl9',
      type: 'message',
      role: 'assistant',
      model: 'gemini-2.5-flash',
      content: [
        { type: 'text', text: 'Sure.' },
        { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 10 },
    });
  });

  it("turns an OpenAI-shaped error into Anthropic's, status class kept", () => {
    assert.deepEqual(openAIErrorToAnthropic(529, json({ error: { message: 'Overloaded', type: 'overloaded_error', code: null } })), {
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    assert.deepEqual(openAIErrorToAnthropic(404, json({ error: { message: 'no route', type: 'route_not_found' } })), {
      type: 'error',
      error: { type: 'not_found_error', message: 'no route' },
    });
    assert.equal((openAIErrorToAnthropic(503, 'down').error as { type: string }).type, 'api_error');
  });
});
