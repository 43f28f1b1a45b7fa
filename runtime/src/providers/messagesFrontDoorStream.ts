// OpenAI chunks -> Anthropic's event stream for Messages API clients, event by event: the first chunk opens the
// message (message_start), content opens a text block, each new tool call a tool_use block whose argument pieces
// become input_json_delta; [DONE] closes with message_delta (stop reason and the usage chunk's counts) and
// message_stop. An `event: error` (a provider's error or a cut stream) becomes Anthropic's `event: error`.
import { anthropicErrorType, anthropicMessageId, anthropicStopReason, anthropicUsageOf } from './messagesFrontDoor';
import type { Json } from './openaiRequest';
import { parseJson } from './openaiShapes';
import { sseData, SseTranslator, type SseEvent } from './sse';
import type { StreamTranslator } from './types';

export function translateOpenAIStreamToAnthropic(requestedModel: string): StreamTranslator {
  return new MessagesStream(requestedModel);
}

class MessagesStream extends SseTranslator {
  private started = false;
  private blocks = 0;
  private open: { index: number; tool: number | undefined } | undefined;
  private readonly blockOfTool = new Map<number, number>();
  private finish: unknown;
  private openAIUsage: Json | undefined;

  constructor(private readonly model: string) {
    super('upstream');
  }

  protected event(event: SseEvent): string {
    if (event.data === '[DONE]') return this.close();
    const data = parseJson(event.data) as Json | undefined;
    const error = data?.error as { message?: unknown; type?: unknown; guardrail?: unknown } | undefined;
    if (event.event === 'error' || error) {
      const message = typeof error?.message === 'string' ? error.message : 'the upstream stream failed';
      // A guardrail's refusal keeps the guardrail's name, as the gateway's own error body does.
      if (typeof error?.guardrail === 'string') return this.fail(502, message, null, error.guardrail);
      return this.fail(error?.type === 'overloaded_error' ? 529 : 500, message);
    }
    if (!data) return this.fail(502, 'the upstream sent an event that is not JSON');
    let out = this.start(data);
    if (data.usage) this.openAIUsage = data.usage as Json;
    const choice = (Array.isArray(data.choices) ? data.choices[0] : undefined) as { delta?: Json; finish_reason?: unknown } | undefined;
    const delta = choice?.delta ?? {};
    if (typeof delta.content === 'string' && delta.content !== '') {
      if (this.open?.tool !== undefined || !this.open) out += this.openBlock({ type: 'text', text: '' }, undefined);
      out += sseData({ type: 'content_block_delta', index: this.open?.index, delta: { type: 'text_delta', text: delta.content } }, 'content_block_delta');
    }
    for (const call of (Array.isArray(delta.tool_calls) ? delta.tool_calls : []) as {
      index?: unknown;
      id?: unknown;
      function?: { name?: unknown; arguments?: unknown };
    }[]) {
      const tool = Number(call.index ?? 0);
      if (typeof call.id === 'string') {
        out += this.openBlock({ type: 'tool_use', id: call.id, name: String(call.function?.name ?? ''), input: {} }, tool);
        this.blockOfTool.set(tool, this.open?.index ?? 0);
      }
      const args = call.function?.arguments;
      const index = this.blockOfTool.get(tool);
      if (typeof args === 'string' && args !== '' && index !== undefined)
        out += sseData({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args } }, 'content_block_delta');
    }
    if (choice?.finish_reason !== undefined && choice.finish_reason !== null) {
      this.finish = choice.finish_reason;
      out += this.closeBlock();
    }
    return out;
  }

  private start(chunk: Json): string {
    if (this.started) return '';
    this.started = true;
    const message = {
      id: anthropicMessageId(chunk.id),
      type: 'message',
      role: 'assistant',
      model: typeof chunk.model === 'string' && chunk.model !== '' ? chunk.model : this.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: anthropicUsageOf(undefined),
    };
    return sseData({ type: 'message_start', message }, 'message_start');
  }

  private openBlock(block: Json, tool: number | undefined): string {
    const out = this.closeBlock();
    this.open = { index: this.blocks++, tool };
    return out + sseData({ type: 'content_block_start', index: this.open.index, content_block: block }, 'content_block_start');
  }

  private closeBlock(): string {
    if (!this.open) return '';
    const index = this.open.index;
    this.open = undefined;
    return sseData({ type: 'content_block_stop', index }, 'content_block_stop');
  }

  private close(): string {
    this.complete = true;
    const out = this.start({}) + this.closeBlock();
    return (
      out +
      sseData(
        { type: 'message_delta', delta: { stop_reason: anthropicStopReason(this.finish), stop_sequence: null }, usage: anthropicUsageOf(this.openAIUsage) },
        'message_delta',
      ) +
      sseData({ type: 'message_stop' }, 'message_stop')
    );
  }

  /** Anthropic's error event has a type and a message; the code has nowhere to go. */
  protected fail(status: number, message: string, _code?: string | null, guardrail?: string): string {
    this.failed = true;
    return sseData({ type: 'error', error: { type: anthropicErrorType(status), message, ...(guardrail ? { guardrail } : {}) } }, 'error');
  }
}
