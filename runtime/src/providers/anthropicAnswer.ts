// Anthropic's answers -> OpenAI's: a whole message, an error body, and the event stream, event by event:
// message_start gives the role chunk, text and input_json deltas become content and tool-call argument pieces (tool
// calls numbered in order of appearance), message_delta the finish chunk, message_stop the usage chunk and [DONE];
// an `error` event is passed on as the gateway's `event: error`.
import { parseAnswer } from './openai';
import {
  chatCompletion,
  ChunkWriter,
  parseJson,
  streamError,
  translatedError,
  upstreamError,
  type FinishReason,
  type TokenUsage,
  type ToolCallOut,
} from './openaiShapes';
import type { Json } from './openaiRequest';
import { SseTranslator, type SseEvent } from './sse';
import { UpstreamAnswerError, type Exchange, type StreamTranslator, type TranslatedError } from './types';

export function translateAnthropicAnswer(exchange: Exchange, text: string): object {
  const message = parseAnswer(text, 'Anthropic');
  if (message.type !== 'message' || !Array.isArray(message.content)) throw new UpstreamAnswerError('Anthropic answered with something that is not a message');
  const toolCalls: ToolCallOut[] = [];
  let answer = '';
  let reasoning = '';
  for (const block of message.content as Json[]) {
    if (block.type === 'text') answer += String(block.text ?? '');
    else if (block.type === 'thinking') reasoning += String(block.thinking ?? '');
    else if (block.type === 'tool_use') toolCalls.push({ id: String(block.id), name: String(block.name), arguments: JSON.stringify(block.input ?? {}) });
  }
  return chatCompletion({
    id: typeof message.id === 'string' ? message.id : exchange.id,
    model: typeof message.model === 'string' ? message.model : exchange.model,
    created: exchange.created,
    text: answer === '' && toolCalls.length > 0 ? null : answer,
    reasoning: reasoning || undefined,
    toolCalls,
    finish: anthropicFinish(message.stop_reason),
    usage: anthropicUsage(message.usage as Json | undefined),
  });
}

export function translateAnthropicError(status: number, text: string): TranslatedError {
  const error = (parseJson(text) as { error?: { type?: unknown; message?: unknown } } | undefined)?.error;
  const message = typeof error?.message === 'string' ? error.message : text.slice(0, 500) || `Anthropic answered ${status}`;
  return upstreamError('Anthropic', status, message, typeof error?.type === 'string' ? error.type : null);
}

export function anthropicFinish(reason: unknown): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop'; // end_turn, stop_sequence, pause_turn
  }
}

/** Anthropic's input_tokens leaves out cache reads and writes; OpenAI's prompt_tokens counts them. */
export function anthropicUsage(usage: Json | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  const count = (key: string): number => (typeof usage[key] === 'number' ? usage[key] : 0);
  const cached = count('cache_read_input_tokens');
  return { prompt: count('input_tokens') + cached + count('cache_creation_input_tokens'), completion: count('output_tokens'), cached };
}

export function translateAnthropicStream(exchange: Exchange): StreamTranslator {
  return new AnthropicStream(exchange);
}

class AnthropicStream extends SseTranslator {
  private readonly writer: ChunkWriter;

  get usage(): TokenUsage | undefined {
    return this.writer.finalUsage;
  }
  private readonly toolIndexOfBlock = new Map<number, number>();
  private upstreamUsage: Json = {};

  constructor(exchange: Exchange) {
    super('Anthropic');
    this.writer = new ChunkWriter(exchange);
  }

  protected event(event: SseEvent): string {
    const data = parseJson(event.data) as Json | undefined;
    if (!data || typeof data !== 'object') return this.fail(502, 'the Anthropic stream sent an event that is not JSON', 'upstream_invalid_response');
    switch (data.type) {
      case 'message_start': {
        const message = (data.message ?? {}) as Json;
        if (typeof message.id === 'string') this.writer.id = message.id;
        if (typeof message.model === 'string') this.writer.model = message.model;
        this.upstreamUsage = { ...((message.usage as Json | undefined) ?? {}) };
        return this.writer.role();
      }
      case 'content_block_start': {
        const block = (data.content_block ?? {}) as Json;
        if (block.type === 'tool_use') {
          const index = this.toolIndexOfBlock.size;
          this.toolIndexOfBlock.set(Number(data.index), index);
          return this.writer.toolStart(index, String(block.id), String(block.name));
        }
        return block.type === 'text' ? this.writer.content(String(block.text ?? '')) : '';
      }
      case 'content_block_delta': {
        const delta = (data.delta ?? {}) as Json;
        if (delta.type === 'text_delta') return this.writer.content(String(delta.text ?? ''));
        if (delta.type === 'thinking_delta') return this.writer.reasoning(String(delta.thinking ?? ''));
        const tool = this.toolIndexOfBlock.get(Number(data.index));
        if (delta.type === 'input_json_delta' && tool !== undefined) return this.writer.toolArguments(tool, String(delta.partial_json ?? ''));
        return '';
      }
      case 'message_delta':
        this.upstreamUsage = { ...this.upstreamUsage, ...((data.usage as Json | undefined) ?? {}) };
        return this.writer.finish(anthropicFinish((data.delta as Json | undefined)?.stop_reason));
      case 'message_stop':
        this.complete = true;
        return this.writer.done(anthropicUsage(this.upstreamUsage));
      case 'error': {
        const error = (data.error ?? {}) as Json;
        const status = error.type === 'overloaded_error' ? 529 : error.type === 'rate_limit_error' ? 429 : 500;
        return this.fail(
          status,
          typeof error.message === 'string' ? error.message : 'Anthropic reported an error mid-stream',
          typeof error.type === 'string' ? error.type : null,
        );
      }
      default:
        return ''; // ping, content_block_stop, and event types added later
    }
  }

  protected fail(status: number, message: string, code: string | null): string {
    this.failed = true;
    return streamError(translatedError(status, message, code).body);
  }
}
