// Shared by the provider tests: fixed exchanges, reading SSE text back into events, and the split invariance check
// (a stream translator must give the same text whatever chunks the upstream bytes arrive in).
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Exchange, ProviderName, StreamTranslator } from '../../runtime/src/providers';

export function exchangeFor(provider: ProviderName, overrides: Partial<Exchange> = {}): Exchange {
  return {
    provider,
    operation: 'chat',
    model: 'requested-model',
    stream: true,
    includeUsage: true,
    encodingFormat: 'float',
    id: 'chatcmpl-fixed0000',
    created: 1_790_000_000,
    ...overrides,
  };
}

export interface ParsedEvent {
  event: string | undefined;
  data: string;
  json: Record<string, unknown> | undefined;
}

export function parseSse(text: string): ParsedEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
      const data = lines
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(data) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      return { event, data, json };
    });
}

/** Feeds the bytes cut at the given offsets, then ends the stream. */
export function translateInPieces(make: () => StreamTranslator, bytes: Uint8Array, cuts: number[]): { text: string; translator: StreamTranslator } {
  const translator = make();
  let text = '';
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    text += translator.push(bytes.subarray(from, cut));
    from = cut;
  }
  text += translator.push(bytes.subarray(from));
  text += translator.end();
  return { text, translator };
}

/** Every one-cut split, one byte at a time, and random many-cut splits give the whole-push output. */
export function assertSameForEverySplit(make: () => StreamTranslator, bytes: Uint8Array): string {
  const whole = translateInPieces(make, bytes, []);
  for (let cut = 1; cut < bytes.length; cut++) assert.equal(translateInPieces(make, bytes, [cut]).text, whole.text, `split at byte ${cut}`);
  assert.equal(
    translateInPieces(
      make,
      bytes,
      Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
    ).text,
    whole.text,
    'one byte at a time',
  );
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 20 }),
      (cuts) => translateInPieces(make, bytes, cuts).text === whole.text,
    ),
    { numRuns: 200 },
  );
  return whole.text;
}

/** The OpenAI chunks of a translated stream, with what they carry. */
export function chunksOf(text: string): {
  content: string;
  toolCalls: Record<number, { id?: string; name?: string; arguments: string }>;
  finish: unknown[];
  usage: Record<string, unknown> | undefined;
  done: boolean;
  errors: ParsedEvent[];
  roles: number;
} {
  const events = parseSse(text);
  const out = {
    content: '',
    toolCalls: {} as Record<number, { id?: string; name?: string; arguments: string }>,
    finish: [] as unknown[],
    usage: undefined as Record<string, unknown> | undefined,
    done: false,
    errors: [] as ParsedEvent[],
    roles: 0,
  };
  for (const event of events) {
    if (event.event === 'error') out.errors.push(event);
    else if (event.data === '[DONE]') out.done = true;
    else {
      const chunk = event.json as {
        choices: {
          delta: { role?: string; content?: string; tool_calls?: { index: number; id?: string; function: { name?: string; arguments?: string } }[] };
          finish_reason: unknown;
        }[];
        usage?: Record<string, unknown>;
      };
      // Azure opens its streams with a chunk of prompt filter results only (object "", no choices); passed through.
      if ((event.json as { object?: string }).object === '' && chunk.choices.length === 0) continue;
      assert.equal((event.json as { object?: string }).object, 'chat.completion.chunk');
      if (chunk.usage) out.usage = chunk.usage;
      for (const choice of chunk.choices) {
        if (choice.delta.role) out.roles += 1;
        out.content += choice.delta.content ?? '';
        for (const call of choice.delta.tool_calls ?? []) {
          const seen = (out.toolCalls[call.index] ??= { arguments: '' });
          if (call.id) seen.id = call.id;
          if (call.function.name) seen.name = call.function.name;
          seen.arguments += call.function.arguments ?? '';
        }
        if (choice.finish_reason !== null) out.finish.push(choice.finish_reason);
      }
    }
  }
  return out;
}
