// The span's reading of an answer without parsing it: what it finds must be what a parse of the same answer says.
import { strict as assert } from 'node:assert';
import { scanAnswer } from '../../runtime/src/telemetry/answerScan';

function scanned(text: string): Omit<ReturnType<typeof scanAnswer>, 'text'> {
  const { text: _text, ...summary } = scanAnswer(Buffer.from(text));
  return summary;
}

describe('telemetry: scanning an answer for its GenAI attributes', () => {
  it('reads an OpenAI chat answer', () => {
    const answer = JSON.stringify({
      id: 'chatcmpl-42',
      object: 'chat.completion',
      model: 'gpt-4o-mini-2024-07-18',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' },
        { index: 1, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'length' },
      ],
      usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
    });
    assert.deepEqual(scanned(answer), {
      responseId: 'chatcmpl-42',
      responseModel: 'gpt-4o-mini-2024-07-18',
      finishReasons: ['stop', 'length'],
      inputTokens: 9,
      outputTokens: 3,
    });
  });

  it('reads every event of an OpenAI stream: null finish reasons skipped, the last usage wins', () => {
    const events = [
      { id: 'c1', model: 'gpt-4o', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
      { id: 'c1', model: 'gpt-4o', choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] },
      {
        id: 'c1',
        model: 'gpt-4o',
        choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      },
    ];
    const stream = `${events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('')}data: [DONE]\n\n`;
    assert.deepEqual(scanned(stream), { responseId: 'c1', responseModel: 'gpt-4o', finishReasons: ['stop'], inputTokens: 5, outputTokens: 2 });
  });

  it('reads an Anthropic stream (the model in message_start, stop reason and output tokens in message_delta)', () => {
    const stream = [
      'event: message_start',
      `data: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', model: 'claude-sonnet-4-5', usage: { input_tokens: 12, output_tokens: 1 } } })}`,
      '',
      'event: content_block_delta',
      `data: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } })}`,
      '',
      'event: message_delta',
      `data: ${JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 8 } })}`,
      '',
    ].join('\n');
    assert.deepEqual(scanned(stream), {
      responseId: 'msg_1',
      responseModel: 'claude-sonnet-4-5',
      finishReasons: ['end_turn'],
      inputTokens: 12,
      outputTokens: 8,
    });
  });

  it('reads a Gemini answer, spaces around the colons included', () => {
    const answer = JSON.stringify(
      {
        candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 1, totalTokenCount: 5 },
        modelVersion: 'gemini-2.5-flash',
        responseId: 'r-9',
      },
      undefined,
      2,
    );
    assert.deepEqual(scanned(answer), { responseModel: 'gemini-2.5-flash', responseId: 'r-9', finishReasons: ['STOP'], inputTokens: 4, outputTokens: 1 });
  });

  it('takes no key from inside a string, and decodes escaped and non-ASCII values', () => {
    const answer = JSON.stringify({
      choices: [{ message: { content: 'say "model": "fake", "finish_reason": "evil", "completion_tokens": 99' }, finish_reason: 'stop' }],
      model: 'modèle "quoted"',
      usage: { completion_tokens: 3 },
    });
    assert.deepEqual(scanned(answer), { responseModel: 'modèle "quoted"', finishReasons: ['stop'], outputTokens: 3 });
  });

  it('reads what it can of an answer cut short, and nothing from a body that is not JSON', () => {
    assert.deepEqual(scanned('{"id":"x1","model":"gpt-4o","choices":[{"finish_reason":"st'), { responseId: 'x1', responseModel: 'gpt-4o', finishReasons: [] });
    assert.deepEqual(scanned('<html>502 Bad Gateway</html>'), { finishReasons: [] });
  });
});
