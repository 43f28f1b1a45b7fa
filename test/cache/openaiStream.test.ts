// A stored answer in the other delivery, against the built-in mock's own bodies: a streamed chat completion (text
// or tool call) assembles into the JSON answer the same request gets unstreamed, and a JSON answer cut into chunks
// assembles back into itself; the key ignores what does not change an answer.
import { strict as assert } from 'node:assert';
import { canonicalJson, exactKey, parseCacheRequest, promptText, type KeyParts } from '../../runtime/src/cache/cacheKey';
import { assembleStream, streamAnswer } from '../../runtime/src/cache/openaiStream';
import { chatChunks, chatCompletion } from '../../runtime/src/mock/openaiBodies';
import { planReply, type MockTurn } from '../../runtime/src/mock/conversation';

const replyFor = (turn: MockTurn): ReturnType<typeof planReply> => planReply(turn, 0);

const sse = (chunks: object[]): Buffer[] => [...chunks.map((c) => Buffer.from(`data: ${JSON.stringify(c)}\n\n`)), Buffer.from('data: [DONE]\n\n')];

describe('cache: OpenAI answers streamed and whole', () => {
  const turns: [string, MockTurn][] = [
    ['text', { prompt: 'hi', tools: [], toolChoice: 'auto' }],
    [
      'tool call',
      {
        prompt: 'weather?',
        tools: [{ name: 'get_weather', schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
        toolChoice: 'required',
      },
    ],
  ];
  for (const [name, turn] of turns) {
    it(`assembles a streamed ${name} answer into the whole answer`, () => {
      const reply = replyFor(turn);
      const whole = chatCompletion('chatcmpl-1', 'gpt-4o-mini', reply, 'call_1') as Record<string, unknown>;
      const assembled = JSON.parse(assembleStream(sse(chatChunks('chatcmpl-1', 'gpt-4o-mini', reply, 'call_1', true)))!.toString()) as Record<string, unknown>;
      assert.deepEqual(assembled, whole);
    });

    it(`streams a whole ${name} answer and assembles it back`, () => {
      const whole = chatCompletion('chatcmpl-2', 'gpt-4o-mini', replyFor(turn), 'call_2');
      const chunks = streamAnswer([Buffer.from(JSON.stringify(whole))], true)!;
      assert.equal(chunks.at(-1)!.toString(), 'data: [DONE]\n\n');
      assert.deepEqual(JSON.parse(assembleStream(chunks)!.toString()), whole);
      assert.ok(!streamAnswer([Buffer.from(JSON.stringify(whole))], false)!.some((c) => c.includes('"usage"')), 'usage only when asked for');
    });
  }

  it('leaves other shapes alone', () => {
    assert.equal(streamAnswer([Buffer.from('{"object":"list","data":[]}')], true), undefined);
    assert.equal(assembleStream([Buffer.from('event: message_start\ndata: {"type":"message_start"}\n\n')]), undefined);
    assert.equal(assembleStream([Buffer.from('data: not json\n\n')]), undefined);
  });

  it('keys requests the same whatever their key order, whitespace and delivery fields', () => {
    const parts: KeyParts = { fingerprint: 'f', route: 'chat', scope: 'consumer:a', method: 'POST', target: '/v1/chat/completions', headers: [] };
    const ignored = new Set(['stream', 'user', 'stream_options']);
    const key = (text: string): string => exactKey(parts, parseCacheRequest(Buffer.from(text))!, ignored);
    const base = key('{"model":"m","messages":[{"role":"user","content":"x"}]}');
    assert.equal(
      key('{ "messages": [ {"content":"x", "role":"user"} ], "model":"m", "stream": true, "user": "u", "stream_options": {"include_usage": true} }'),
      base,
    );
    assert.notEqual(key('{"model":"m","messages":[{"role":"user","content":"y"}]}'), base);
    assert.notEqual(
      exactKey({ ...parts, scope: 'consumer:b' }, parseCacheRequest(Buffer.from('{"model":"m","messages":[]}'))!, ignored),
      exactKey(parts, parseCacheRequest(Buffer.from('{"model":"m","messages":[]}'))!, ignored),
    );
    assert.equal(canonicalJson({ b: [2, { d: 1, c: null }], a: 'x' }), '{"a":"x","b":[2,{"c":null,"d":1}]}');
    assert.equal(parseCacheRequest(Buffer.from('[1,2]')), undefined);
  });

  it('embeds text prompts only', () => {
    assert.equal(
      promptText({
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        ],
      }),
      'system: be brief\nuser: hi',
    );
    assert.equal(promptText({ prompt: 'complete this' }), 'complete this');
    assert.equal(promptText({ messages: [{ role: 'assistant', content: null, tool_calls: [] }] }), undefined);
    assert.equal(promptText({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }), undefined);
  });
});
