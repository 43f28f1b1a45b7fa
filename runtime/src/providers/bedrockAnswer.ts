// Bedrock's answers -> OpenAI's: a Converse answer, an InvokeModel embedding answer, an error (its name in
// x-amzn-errortype), and the ConverseStream binary event stream: each message is framed by its length prelude,
// decoded (and CRC-checked) by @smithy/eventstream-codec, and translated at once. metadata, Bedrock's last event,
// gives the usage chunk and [DONE].
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { parseAnswer } from './openai';
import {
  chatCompletion,
  ChunkWriter,
  embeddingList,
  parseJson,
  streamError,
  translatedError,
  upstreamError,
  type FinishReason,
  type TokenUsage,
  type ToolCallOut,
} from './openaiShapes';
import type { Json } from './openaiRequest';
import { UpstreamAnswerError, type Exchange, type StreamTranslator, type TranslatedError } from './types';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
/** A frame longer than this is refused rather than buffered (Bedrock's are a few KB). */
export const MAX_EVENT_FRAME_BYTES = 16 * 1024 * 1024;
const EXCEPTION_STATUS: Record<string, number> = {
  throttlingException: 429,
  serviceUnavailableException: 503,
  internalServerException: 500,
  validationException: 400,
  modelStreamErrorException: 424,
  modelTimeoutException: 408,
};

export function bedrockFinish(reason: unknown): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return 'stop'; // end_turn, stop_sequence
  }
}

/** Bedrock's inputTokens leaves out cache reads and writes; OpenAI's prompt_tokens counts them. */
export function bedrockUsage(usage: Json | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  const count = (key: string): number => (typeof usage[key] === 'number' ? usage[key] : 0);
  const cached = count('cacheReadInputTokens');
  return { prompt: count('inputTokens') + cached + count('cacheWriteInputTokens'), completion: count('outputTokens'), cached };
}

export function translateBedrockAnswer(exchange: Exchange, text: string): object {
  const answer = parseAnswer(text, 'Bedrock');
  if (exchange.operation === 'embeddings') return bedrockEmbeddings(exchange, answer);
  const content = ((answer.output as { message?: { content?: unknown } } | undefined)?.message?.content ?? undefined) as Json[] | undefined;
  if (!Array.isArray(content)) throw new UpstreamAnswerError('Bedrock answered without output.message.content');
  let reply = '';
  let reasoning = '';
  const toolCalls: ToolCallOut[] = [];
  for (const block of content) {
    if (typeof block.text === 'string') reply += block.text;
    const use = block.toolUse as { toolUseId?: unknown; name?: unknown; input?: unknown } | undefined;
    if (use) toolCalls.push({ id: String(use.toolUseId), name: String(use.name), arguments: JSON.stringify(use.input ?? {}) });
    const thought = (block.reasoningContent as { reasoningText?: { text?: unknown } } | undefined)?.reasoningText?.text;
    if (typeof thought === 'string') reasoning += thought;
  }
  return chatCompletion({
    id: exchange.id,
    model: exchange.model,
    created: exchange.created,
    text: reply === '' && toolCalls.length > 0 ? null : reply,
    reasoning: reasoning || undefined,
    toolCalls,
    finish: bedrockFinish(answer.stopReason),
    usage: bedrockUsage(answer.usage as Json | undefined),
  });
}

function bedrockEmbeddings(exchange: Exchange, answer: Json): object {
  if (Array.isArray(answer.embedding))
    return embeddingList(exchange, [answer.embedding as number[]], typeof answer.inputTextTokenCount === 'number' ? answer.inputTextTokenCount : 0);
  const cohere = Array.isArray(answer.embeddings) ? answer.embeddings : (answer.embeddings as { float?: unknown } | undefined)?.float;
  if (Array.isArray(cohere)) return embeddingList(exchange, cohere as number[][], 0);
  throw new UpstreamAnswerError('Bedrock answered without embeddings');
}

export function translateBedrockError(status: number, text: string, headers: Record<string, string | string[] | undefined> = {}): TranslatedError {
  const body = parseJson(text) as { message?: unknown; Message?: unknown; __type?: unknown } | undefined;
  const message =
    typeof body?.message === 'string' ? body.message : typeof body?.Message === 'string' ? body.Message : text.slice(0, 500) || `Bedrock answered ${status}`;
  const named = headers['x-amzn-errortype'] ?? body?.__type;
  const code = typeof named === 'string' ? (named.split(':')[0] ?? null) : null;
  return upstreamError('Bedrock', status, message, code);
}

export function translateBedrockStream(exchange: Exchange): StreamTranslator {
  return new BedrockStream(exchange);
}

class BedrockStream implements StreamTranslator {
  private readonly writer: ChunkWriter;

  get usage(): TokenUsage | undefined {
    return this.writer.finalUsage;
  }
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private frameLength: number | undefined;
  private readonly toolIndexOfBlock = new Map<number, number>();
  complete = false;
  failed = false;

  constructor(exchange: Exchange) {
    this.writer = new ChunkWriter(exchange);
  }

  push(chunk: Uint8Array): string {
    if (this.complete || this.failed) return '';
    this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.pendingBytes += chunk.byteLength;
    let out = '';
    try {
      for (let frame = this.nextFrame(); frame; frame = this.nextFrame()) {
        out += this.message(codec.decode(frame));
        if (this.complete || this.failed) break;
      }
    } catch (err) {
      out += this.fail(502, `the Bedrock event stream could not be read: ${(err as Error).message}`, 'upstream_invalid_response');
    }
    return out;
  }

  end(): string {
    return '';
  }

  /** The next whole frame, once its bytes are all here (its first 4 bytes say how many); each byte is copied at most
   * once more, so arbitrary splits stay linear. */
  private nextFrame(): Buffer | undefined {
    if (this.frameLength === undefined) {
      if (this.pendingBytes < 4) return undefined;
      if ((this.pending[0] as Buffer).length < 4) this.pending = [Buffer.concat(this.pending, this.pendingBytes)];
      this.frameLength = (this.pending[0] as Buffer).readUInt32BE(0);
      if (this.frameLength < 16 || this.frameLength > MAX_EVENT_FRAME_BYTES) throw new Error(`a frame of ${this.frameLength} bytes`);
    }
    if (this.pendingBytes < this.frameLength) return undefined;
    const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    const frame = all.subarray(0, this.frameLength);
    const rest = all.subarray(this.frameLength);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    this.frameLength = undefined;
    return frame;
  }

  private message(message: { headers: Record<string, { value: unknown }>; body: Uint8Array }): string {
    const kind = message.headers[':message-type']?.value;
    const payload = (parseJson(toUtf8(message.body)) ?? {}) as Json;
    if (kind === 'exception') {
      const name = String(message.headers[':exception-type']?.value ?? 'internalServerException');
      return this.fail(
        EXCEPTION_STATUS[name] ?? 500,
        typeof payload.message === 'string' ? payload.message : name,
        name.charAt(0).toUpperCase() + name.slice(1),
      );
    }
    if (kind === 'error')
      return this.fail(
        500,
        String(message.headers[':error-message']?.value ?? 'Bedrock reported an error mid-stream'),
        String(message.headers[':error-code']?.value ?? 'InternalFailure'),
      );
    return this.event(String(message.headers[':event-type']?.value), payload);
  }

  private event(type: string, payload: Json): string {
    const index = Number(payload.contentBlockIndex);
    switch (type) {
      case 'messageStart':
        return this.writer.role();
      case 'contentBlockStart': {
        const use = (payload.start as { toolUse?: { toolUseId?: unknown; name?: unknown } } | undefined)?.toolUse;
        if (!use) return '';
        const tool = this.toolIndexOfBlock.size;
        this.toolIndexOfBlock.set(index, tool);
        return this.writer.toolStart(tool, String(use.toolUseId), String(use.name));
      }
      case 'contentBlockDelta': {
        const delta = (payload.delta ?? {}) as { text?: unknown; toolUse?: { input?: unknown }; reasoningContent?: { text?: unknown } };
        if (typeof delta.text === 'string') return this.writer.content(delta.text);
        const tool = this.toolIndexOfBlock.get(index);
        if (delta.toolUse && tool !== undefined) return this.writer.toolArguments(tool, String(delta.toolUse.input ?? ''));
        if (typeof delta.reasoningContent?.text === 'string') return this.writer.reasoning(delta.reasoningContent.text);
        return '';
      }
      case 'messageStop':
        return this.writer.finish(bedrockFinish(payload.stopReason));
      case 'metadata':
        this.complete = true;
        return this.writer.done(bedrockUsage(payload.usage as Json | undefined));
      default:
        return ''; // contentBlockStop, and event types added later
    }
  }

  private fail(status: number, message: string, code: string | null): string {
    this.failed = true;
    return streamError(translatedError(status, message, code).body);
  }
}
