// The usage tap reads token counts from responses as they stream through. Its fast paths (finding the top-level
// `usage` member from the end, reading that object's integers without JSON.parse) must always agree with the plain
// reading: JSON.parse of the whole body, then usage.prompt_tokens / completion_tokens / total_tokens.
import assert from 'node:assert/strict';
import { createUsageTap, readUsageObject } from '../../runtime/src/gateway/upstream/usageTap';

function reference(text: string): { promptTokens: number; completionTokens: number; totalTokens: number; cachedTokens?: number } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!body || typeof body !== 'object' || !('usage' in body)) return undefined;
  const usage = body.usage as Record<string, unknown> | null;
  if (!usage || typeof usage !== 'object') return undefined;
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0;
  const completion = typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0;
  const total = typeof usage.total_tokens === 'number' ? usage.total_tokens : prompt + completion;
  const details = usage.prompt_tokens_details as Record<string, unknown> | null | undefined;
  const cached = details && typeof details === 'object' ? details.cached_tokens : undefined;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total, ...(typeof cached === 'number' ? { cachedTokens: cached } : {}) };
}

function tapped(text: string, chunkSize = Infinity): ReturnType<typeof reference> {
  const tap = createUsageTap('application/json; charset=utf-8')!;
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += Math.min(chunkSize, bytes.length)) tap.push(bytes.subarray(at, at + chunkSize));
  return tap.result();
}

const USAGE_VALUES = [
  '{"prompt_tokens":10,"completion_tokens":11,"total_tokens":21}',
  '{ "prompt_tokens" : 7 ,\n "completion_tokens": 0, "total_tokens": 7 }',
  '{"prompt_tokens":12,"completion_tokens":30}',
  '{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"accepted_prediction_tokens":0}}',
  '{"prompt_tokens_details":{"prompt_tokens":999},"prompt_tokens":3,"completion_tokens":4}',
  '{"prompt_tokens":40,"completion_tokens":4,"prompt_tokens_details":{"cached_tokens":32}}',
  '{"prompt_tokens_details":{"cached_tokens":5},"prompt_tokens":40,"prompt_tokens_details":null}',
  '{"prompt_tokens":40,"prompt_tokens_details":{"cached_tokens":"32"}}',
  '{"prompt_tokens":1,"prompt_tokens":2,"completion_tokens":5}',
  '{"prompt_tokens":"12","completion_tokens":null,"total_tokens":true}',
  '{"prompt_tokens":1.5,"completion_tokens":2e1}',
  '{"prompt_tokens":-0,"completion_tokens":-4}',
  '{"note":"a \\"quoted\\" } brace, [ and \\\\","prompt_tokens":8,"completion_tokens":9}',
  '{"pr\\u006fmpt_tokens":8,"completion_tokens":9}',
  '{"prompt_tokens":90071992547409930,"completion_tokens":1}',
  '{"prompt_tokens":[1,2],"completion_tokens":{"a":[{}]},"total_tokens":3}',
  '{}',
  'null',
  '[]',
  '"usage"',
  '12',
];

describe('usage tap', function () {
  it('reads the same token counts as JSON.parse, whatever the usage object holds', function () {
    for (const usage of USAGE_VALUES) {
      for (const body of [
        `{"id":"x","choices":[{"message":{"content":"hi"}}],"usage":${usage}}`,
        `{"usage":${usage},"id":"usage comes first"}`,
        `{"data":{"usage":{"prompt_tokens":77}},"usage":${usage}}\n`,
        `{"choices":[{"message":{"content":"\\"usage\\": {\\"prompt_tokens\\": 5}"}}],"usage":${usage} }`,
      ]) {
        assert.deepEqual(tapped(body), reference(body), body);
        assert.deepEqual(tapped(body, 7), reference(body), `${body} in 7-byte chunks`);
      }
    }
  });

  it('reads nothing from a body that is not JSON or has no usage', function () {
    for (const body of ['{"usage":{"prompt_tokens":1}', 'not json "usage": {"prompt_tokens": 1}}', '{"id":"no usage"}', '']) {
      assert.deepEqual(tapped(body), reference(body), body);
    }
  });

  it('reads integers straight from the raw usage object, and leaves anything unusual to JSON.parse', function () {
    assert.deepEqual(readUsageObject(Buffer.from('{"prompt_tokens":10,"completion_tokens":11,"total_tokens":21}')), {
      promptTokens: 10,
      completionTokens: 11,
      totalTokens: 21,
    });
    assert.deepEqual(readUsageObject(Buffer.from('{"completion_tokens":4,"cached":{"prompt_tokens":50}}')), {
      promptTokens: 0,
      completionTokens: 4,
      totalTokens: 4,
    });
    assert.equal(readUsageObject(Buffer.from('{"prompt_tokens":1.5}')), undefined, 'a fraction is left to JSON.parse');
    assert.equal(readUsageObject(Buffer.from('{"pr\\u006fmpt_tokens":1}')), undefined, 'an escaped key is left to JSON.parse');
    assert.equal(readUsageObject(Buffer.from('{"prompt_tokens":1,}')), undefined, 'not JSON: left to JSON.parse');
  });

  it('takes the last usage chunk of an SSE stream', function () {
    const tap = createUsageTap('text/event-stream')!;
    tap.push(Buffer.from('data: {"choices":[{"delta":{"content":"Hel"}}],"usage":null}\n\ndata: {"choices":[],"usage":{"prompt_tokens":4,'));
    tap.push(Buffer.from('"completion_tokens":2,"total_tokens":6}}\n\ndata: [DONE]\n\n'));
    assert.deepEqual(tap.result(), { promptTokens: 4, completionTokens: 2, totalTokens: 6 });
  });
});
