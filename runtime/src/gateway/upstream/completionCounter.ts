// What a token limit charges an answer that reports no `usage`: the completion text of an OpenAI-style stream,
// collected from its `choices[].delta` chunks when the client did not ask for `stream_options.include_usage` (kept
// up to a cap, only counted past it), else the answer's body bytes at the prompt's rate of four bytes a token.
// Made only for requests on a token-limited route.
import { BYTES_PER_PROMPT_TOKEN } from '../../security/tokenReservation';
import { CHARS_PER_ESTIMATED_TOKEN, countTokens } from './tokenCount';

/** Characters of completion text kept for the tokenizer; the rest of a longer answer is estimated. */
const MAX_KEPT_CHARS = 1 << 20;

interface DeltaChunk {
  choices?: { delta?: { content?: unknown; refusal?: unknown; reasoning_content?: unknown; tool_calls?: { function?: { arguments?: unknown } }[] } }[];
  model?: unknown;
}

export class CompletionCounter {
  private readonly parts: string[] = [];
  private kept = 0;
  private overflow = 0;
  private bytes = 0;
  private answeredModel: string | undefined;

  /** `readDeltas`: the answer is a stream that will not report usage, so its text is collected. */
  constructor(
    private readonly requestedModel: string | undefined,
    private readonly readDeltas: boolean,
  ) {}

  /** A chunk of the answer's body passed by (its size only). */
  received(bytes: number): void {
    this.bytes += bytes;
  }

  /** One SSE `data:` payload. */
  observe(payload: string): void {
    if (!this.readDeltas || !payload.includes('"delta"')) return;
    let chunk: DeltaChunk;
    try {
      chunk = JSON.parse(payload) as DeltaChunk;
    } catch {
      return;
    }
    if (typeof chunk.model === 'string') this.answeredModel ??= chunk.model;
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta;
      if (!delta) continue;
      this.add(delta.content);
      this.add(delta.refusal);
      this.add(delta.reasoning_content);
      for (const call of delta.tool_calls ?? []) this.add(call.function?.arguments);
    }
  }

  /** Completion tokens: of the streamed text (the model's tokenizer when known, else the estimate), else of the body. */
  async tokens(): Promise<number> {
    if (this.kept + this.overflow === 0) return Math.ceil(this.bytes / BYTES_PER_PROMPT_TOKEN);
    const model = this.requestedModel ?? this.answeredModel;
    return (await countTokens(this.parts.join(''), model)) + Math.ceil(this.overflow / CHARS_PER_ESTIMATED_TOKEN);
  }

  private add(text: unknown): void {
    if (typeof text !== 'string' || text === '') return;
    if (this.kept + text.length > MAX_KEPT_CHARS) {
      this.overflow += text.length;
      return;
    }
    this.parts.push(text);
    this.kept += text.length;
  }
}
