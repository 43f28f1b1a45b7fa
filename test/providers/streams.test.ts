// Stream translators on recorded provider streams: Anthropic's SSE, Gemini's SSE (\r\n separated) and Bedrock's
// binary event stream become OpenAI chunks ending with the usage chunk and [DONE]; whatever chunks the bytes come in,
// the output is the same; each delta leaves as soon as its upstream event is whole; errors inside a stream become
// `event: error`, and a stream that ends early is not complete.
import { strict as assert } from 'node:assert';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { frame } from '../../runtime/src/mock/bedrock';
import { adapterFor, translateOpenAIStreamToAnthropic, type Exchange } from '../../runtime/src/providers';
import { assertSameForEverySplit, chunksOf, exchangeFor, parseSse, translateInPieces } from './support';

const ANTHROPIC_STREAM = [
  'event: message_start',
  'data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-6","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":128,"output_tokens":2}}}',
  '',
  'event: content_block_start',
  'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
  '',
  'event: ping',
  'data: {"type": "ping"}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let\'s check the weather in Paris — "}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"naïve café ☀️."}}',
  '',
  'event: content_block_stop',
  'data: {"type":"content_block_stop","index":0}',
  '',
  'event: content_block_start',
  'data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\": \\"Pa"}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ris, France\\"}"}}',
  '',
  'event: content_block_stop',
  'data: {"type":"content_block_stop","index":1}',
  '',
  'event: message_delta',
  'data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}',
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
].join('\n');

const GEMINI_STREAM = [
  {
    candidates: [{ content: { parts: [{ text: 'Thinking about it', thought: true }], role: 'model' }, index: 0 }],
    usageMetadata: { promptTokenCount: 40, totalTokenCount: 40 },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'resp-g1',
  },
  {
    candidates: [{ content: { parts: [{ text: 'Paris is ' }], role: 'model' }, index: 0 }],
    usageMetadata: { promptTokenCount: 40, candidatesTokenCount: 2, totalTokenCount: 42 },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'resp-g1',
  },
  {
    candidates: [
      {
        content: { parts: [{ text: 'sunny. ' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }], role: 'model' },
        finishReason: 'STOP',
        index: 0,
      },
    ],
    usageMetadata: { promptTokenCount: 40, candidatesTokenCount: 9, totalTokenCount: 62, cachedContentTokenCount: 16, thoughtsTokenCount: 13 },
    modelVersion: 'gemini-2.5-flash',
    responseId: 'resp-g1',
  },
]
  .map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`)
  .join('');

function bedrockStream(...frames: Uint8Array[]): Buffer {
  return Buffer.concat(frames);
}

const BEDROCK_STREAM = bedrockStream(
  frame('messageStart', { role: 'assistant' }),
  frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Checking ' } }),
  frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'the weather.' } }),
  frame('contentBlockStop', { contentBlockIndex: 0 }),
  frame('contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather' } } }),
  frame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } }),
  frame('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '"Paris"}' } } }),
  frame('contentBlockStop', { contentBlockIndex: 1 }),
  frame('messageStop', { stopReason: 'tool_use' }),
  frame('metadata', {
    usage: { inputTokens: 30, outputTokens: 21, totalTokens: 61, cacheReadInputTokens: 10, cacheWriteInputTokens: 0 },
    metrics: { latencyMs: 321 },
  }),
);

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('stream translation: provider streams in, OpenAI chunks out', () => {
  it('Anthropic: role, text, a tool call with its argument pieces, tool_calls finish, usage with cache reads, [DONE]', () => {
    const text = assertSameForEverySplit(() => adapterFor('anthropic').translateStream(exchangeFor('anthropic')), bytes(ANTHROPIC_STREAM));
    const out = chunksOf(text);
    assert.equal(out.roles, 1);
    assert.equal(out.content, "Okay, let's check the weather in Paris — naïve café ☀️.");
    assert.deepEqual(out.toolCalls, { 0: { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: '{"location": "Paris, France"}' } });
    assert.deepEqual(out.finish, ['tool_calls']);
    assert.deepEqual(out.usage, { prompt_tokens: 600, completion_tokens: 89, total_tokens: 689, prompt_tokens_details: { cached_tokens: 128 } });
    assert.equal(out.done, true);
    const first = parseSse(text)[0]?.json as { id: string; model: string; created: number };
    assert.deepEqual([first.id, first.model, first.created], ['msg_01XFDUDYJgAACzvnptvVoYEL', 'claude-sonnet-4-6', 1_790_000_000]);
  });

  it('Gemini: thoughts as reasoning_content, text, a whole function call, tool_calls finish, usage with thoughts and cached tokens', () => {
    const text = assertSameForEverySplit(() => adapterFor('gemini').translateStream(exchangeFor('gemini')), bytes(GEMINI_STREAM));
    const out = chunksOf(text);
    assert.equal(out.content, 'Paris is sunny. ');
    assert.ok(text.includes('"reasoning_content":"Thinking about it"'));
    assert.deepEqual(out.toolCalls, { 0: { id: 'call_fixed0000_0', name: 'get_weather', arguments: '{"city":"Paris"}' } });
    assert.deepEqual(out.finish, ['tool_calls']);
    assert.deepEqual(out.usage, {
      prompt_tokens: 40,
      completion_tokens: 22,
      total_tokens: 62,
      prompt_tokens_details: { cached_tokens: 16 },
      completion_tokens_details: { reasoning_tokens: 13 },
    });
    assert.equal(out.done, true);
  });

  it('Bedrock: the binary event stream, frame by frame, to the same chunks', () => {
    const text = assertSameForEverySplit(() => adapterFor('bedrock').translateStream(exchangeFor('bedrock')), BEDROCK_STREAM);
    const out = chunksOf(text);
    assert.equal(out.content, 'Checking the weather.');
    assert.deepEqual(out.toolCalls, { 0: { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather', arguments: '{"city":"Paris"}' } });
    assert.deepEqual(out.finish, ['tool_calls']);
    assert.deepEqual(out.usage, { prompt_tokens: 40, completion_tokens: 21, total_tokens: 61, prompt_tokens_details: { cached_tokens: 10 } });
    assert.equal(out.done, true);
  });

  it('sends each delta as soon as its upstream event is whole, holding back nothing else', () => {
    const cases: [string, Exchange, Buffer, string][] = [
      ['anthropic', exchangeFor('anthropic'), bytes(ANTHROPIC_STREAM), 'naïve café'],
      ['gemini', exchangeFor('gemini'), bytes(GEMINI_STREAM), 'Paris is '],
      ['bedrock', exchangeFor('bedrock'), BEDROCK_STREAM, 'Checking '],
    ];
    for (const [provider, exchange, stream, marker] of cases) {
      const translator = adapterFor(exchange.provider).translateStream(exchange);
      let sent = '';
      let at = 0;
      // Feed byte by byte; the delta must come out with the byte that completes its event, not later.
      while (!sent.includes(marker) && at < stream.length) sent += translator.push(stream.subarray(at, ++at));
      const rest = stream.subarray(at);
      assert.ok(sent.includes(marker), `${provider}: the delta came out`);
      assert.ok(rest.length > 0 && !translator.complete, `${provider}: before the upstream finished`);
    }
  });

  it('passes an error inside the stream on as event: error (Anthropic overloaded mid-stream, a Bedrock exception, a Gemini error chunk)', () => {
    const anthropic = translateInPieces(
      () => adapterFor('anthropic').translateStream(exchangeFor('anthropic')),
      bytes(
        `${ANTHROPIC_STREAM.split('event: content_block_stop')[0] ?? ''}event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n`,
      ),
      [],
    );
    const anthropicOut = chunksOf(anthropic.text);
    assert.equal(anthropicOut.content, "Okay, let's check the weather in Paris — naïve café ☀️.");
    assert.deepEqual(
      anthropicOut.errors.map((e) => e.json),
      [{ error: { message: 'Overloaded', type: 'overloaded_error', code: 'overloaded_error' } }],
    );
    assert.deepEqual([anthropic.translator.failed, anthropic.translator.complete, anthropicOut.done], [true, false, false]);

    const exception = codecException('throttlingException', 'Too many tokens, please wait before trying again.');
    const bedrock = translateInPieces(
      () => adapterFor('bedrock').translateStream(exchangeFor('bedrock')),
      Buffer.concat([frame('messageStart', { role: 'assistant' }), exception]),
      [7],
    );
    assert.deepEqual(
      chunksOf(bedrock.text).errors.map((e) => e.json),
      [{ error: { message: 'Too many tokens, please wait before trying again.', type: 'rate_limit_error', code: 'ThrottlingException' } }],
    );
    assert.equal(bedrock.translator.failed, true);

    const gemini = translateInPieces(
      () => adapterFor('gemini').translateStream(exchangeFor('gemini')),
      bytes(`data: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}\r\n\r\n`),
      [],
    );
    assert.deepEqual(
      chunksOf(gemini.text).errors.map((e) => e.json),
      [{ error: { message: 'The model is overloaded.', type: 'api_error', code: 'UNAVAILABLE' } }],
    );
  });

  it('a stream that ends before its last event is not complete, and gets no [DONE]', () => {
    const cut = (provider: 'anthropic' | 'gemini' | 'bedrock', stream: Buffer, keep: number) =>
      translateInPieces(() => adapterFor(provider).translateStream(exchangeFor(provider)), stream.subarray(0, keep), []);
    for (const [provider, stream] of [
      ['anthropic', bytes(ANTHROPIC_STREAM)],
      ['gemini', bytes(GEMINI_STREAM)],
      ['bedrock', BEDROCK_STREAM],
    ] as const) {
      const { text, translator } = cut(provider, stream, Math.floor(stream.length * 0.6));
      assert.equal(translator.complete, false, provider);
      assert.equal(chunksOf(text).done, false, provider);
    }
  });

  it('refuses a corrupt Bedrock frame (CRC) instead of translating it', () => {
    const damaged = Buffer.from(BEDROCK_STREAM);
    damaged[40] = (damaged[40] ?? 0) ^ 0xff;
    const { text, translator } = translateInPieces(() => adapterFor('bedrock').translateStream(exchangeFor('bedrock')), damaged, []);
    assert.equal(translator.failed, true);
    assert.deepEqual((chunksOf(text).errors[0]?.json as { error: { code: string } } | undefined)?.error.code, 'upstream_invalid_response');
  });

  it('leaves out the usage chunk when the client did not ask for it', () => {
    const out = chunksOf(
      translateInPieces(() => adapterFor('anthropic').translateStream(exchangeFor('anthropic', { includeUsage: false })), bytes(ANTHROPIC_STREAM), []).text,
    );
    assert.equal(out.usage, undefined);
    assert.equal(out.done, true);
  });

  it('passes OpenAI-shaped streams through untouched, noting [DONE] even when split across chunks', () => {
    const stream =
      'data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}\n\ndata: [DONE]\n\n';
    for (let cut = 1; cut < stream.length; cut++) {
      const { text, translator } = translateInPieces(() => adapterFor('azure-openai').translateStream(exchangeFor('azure-openai')), bytes(stream), [cut]);
      assert.equal(text, stream);
      assert.equal(translator.complete, true, `split at ${cut}`);
    }
  });
});

describe('the Messages front door stream: OpenAI chunks in, Anthropic events out', () => {
  const OPENAI_STREAM = [
    {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4.1',
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    },
    {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4.1',
      choices: [{ index: 0, delta: { content: 'Let me check.' }, finish_reason: null }],
    },
    {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4.1',
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
          finish_reason: null,
        },
      ],
    },
    {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4.1',
      choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] }, finish_reason: null }],
    },
    { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4.1', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4.1',
      choices: [],
      usage: { prompt_tokens: 50, completion_tokens: 12, total_tokens: 62, prompt_tokens_details: { cached_tokens: 20 } },
    },
  ]
    .map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`)
    .join('')
    .concat('data: [DONE]\n\n');

  it('opens the message, a text block, a tool_use block with input_json_delta, and closes with stop reason and usage', () => {
    const text = assertSameForEverySplit(() => translateOpenAIStreamToAnthropic('claude-sonnet-4-6'), bytes(OPENAI_STREAM));
    const events = parseSse(text);
    assert.deepEqual(
      events.map((e) => e.event),
      [
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ],
    );
    assert.deepEqual(
      events.map((e) => e.json?.type),
      events.map((e) => e.event),
      'each data names its own event',
    );
    assert.deepEqual(events[4]?.json, {
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'call_a', name: 'get_weather', input: {} },
    });
    assert.deepEqual(events[5]?.json, { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":"Paris"}' } });
    assert.deepEqual(events[7]?.json, {
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 30, output_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 20 },
    });
    assert.equal((events[0]?.json?.message as { model: string }).model, 'gpt-4.1');
  });

  it("turns the gateway's event: error into Anthropic's", () => {
    const stream = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] })}\n\nevent: error\ndata: {"error":{"type":"upstream_stream_interrupted","message":"the upstream closed the stream"}}\n\n`;
    const { text, translator } = translateInPieces(() => translateOpenAIStreamToAnthropic('m'), bytes(stream), []);
    const last = parseSse(text).at(-1);
    assert.equal(last?.event, 'error');
    assert.deepEqual(last?.json, { type: 'error', error: { type: 'api_error', message: 'the upstream closed the stream' } });
    assert.equal(translator.failed, true);
  });
});

/** An exception message of the event stream, as Bedrock sends a throttled stream. */
function codecException(type: string, message: string): Uint8Array {
  return new EventStreamCodec(toUtf8, fromUtf8).encode({
    headers: {
      ':message-type': { type: 'string', value: 'exception' },
      ':exception-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

describe('stream translation bounds', () => {
  it('refuses an upstream event that grows past 16 MiB without its end, instead of buffering it', () => {
    const translator = adapterFor('anthropic').translateStream(exchangeFor('anthropic'));
    const piece = Buffer.alloc(1024 * 1024, 'a');
    let out = translator.push(Buffer.from('event: content_block_delta\ndata: '));
    for (let i = 0; i < 17 && !translator.failed; i++) out += translator.push(piece);
    assert.equal(translator.failed, true);
    assert.match(chunksOf(out).errors[0]?.data ?? '', /exceeded 16777216 bytes/);
  });
});
