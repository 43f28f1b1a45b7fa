// Gemini's answers -> OpenAI's: a GenerateContentResponse (whole, or one per SSE event), embeddings and errors.
// Gemini says STOP for function calls too: a candidate with function calls finishes with "tool_calls". Its stream has
// no end event: the finish, usage chunk and [DONE] go out when the upstream ends after a finishReason.
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
import { SseTranslator, type SseEvent } from './sse';
import { UpstreamAnswerError, type Exchange, type StreamTranslator, type TranslatedError } from './types';

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT']);

interface CandidateParts {
  text: string;
  reasoning: string;
  calls: { name: string; args: unknown; id?: string }[];
}

function candidateOf(response: Json): Json | undefined {
  return Array.isArray(response.candidates) ? (response.candidates[0] as Json | undefined) : undefined;
}

function partsOf(candidate: Json | undefined): CandidateParts {
  const out: CandidateParts = { text: '', reasoning: '', calls: [] };
  const parts = (candidate?.content as { parts?: Json[] } | undefined)?.parts ?? [];
  for (const part of parts) {
    const call = part.functionCall as { name?: unknown; args?: unknown; id?: unknown } | undefined;
    if (call) out.calls.push({ name: String(call.name), args: call.args ?? {}, ...(typeof call.id === 'string' ? { id: call.id } : {}) });
    else if (typeof part.text === 'string') {
      if (part.thought === true) out.reasoning += part.text;
      else out.text += part.text;
    }
  }
  return out;
}

function geminiFinish(reason: unknown, calledTools: boolean, blocked: boolean): FinishReason {
  if (blocked || FILTERED.has(String(reason))) return 'content_filter';
  if (reason === 'MAX_TOKENS') return 'length';
  return calledTools ? 'tool_calls' : 'stop';
}

/** promptTokenCount includes cached tokens; thinking tokens count as completion tokens, as OpenAI counts reasoning. */
function geminiUsage(usage: Json | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  const count = (key: string): number => (typeof usage[key] === 'number' ? usage[key] : 0);
  const thoughts = count('thoughtsTokenCount');
  return {
    prompt: count('promptTokenCount'),
    completion: count('candidatesTokenCount') + thoughts,
    cached: count('cachedContentTokenCount'),
    ...(thoughts > 0 ? { reasoning: thoughts } : {}),
  };
}

function toolCallId(exchange: Exchange, index: number, given?: string): string {
  return given ?? `call_${exchange.id.replace(/^chatcmpl-/, '')}_${index}`;
}

export function translateGeminiAnswer(exchange: Exchange, text: string): object {
  const response = parseAnswer(text, 'Gemini');
  const candidate = candidateOf(response);
  const blocked = !candidate && (response.promptFeedback as Json | undefined)?.blockReason !== undefined;
  if (!candidate && !blocked) throw new UpstreamAnswerError('Gemini answered without a candidate');
  const parts = partsOf(candidate);
  const toolCalls: ToolCallOut[] = parts.calls.map((call, index) => ({
    id: toolCallId(exchange, index, call.id),
    name: call.name,
    arguments: JSON.stringify(call.args),
  }));
  return chatCompletion({
    id: typeof response.responseId === 'string' ? response.responseId : exchange.id,
    model: typeof response.modelVersion === 'string' ? response.modelVersion : exchange.model,
    created: exchange.created,
    text: parts.text === '' && (toolCalls.length > 0 || blocked) ? null : parts.text,
    reasoning: parts.reasoning || undefined,
    toolCalls,
    finish: geminiFinish(candidate?.finishReason, toolCalls.length > 0, blocked),
    usage: geminiUsage(response.usageMetadata as Json | undefined),
  });
}

export function geminiEmbeddings(exchange: Exchange, text: string): object {
  const response = parseAnswer(text, 'Gemini');
  const single = (response.embedding as { values?: unknown } | undefined)?.values;
  const many = Array.isArray(response.embeddings) ? (response.embeddings as { values?: unknown }[]).map((item) => item.values) : undefined;
  const vectors = single !== undefined ? [single] : many;
  if (!vectors || !vectors.every((vector) => Array.isArray(vector) && vector.every((value) => typeof value === 'number')))
    throw new UpstreamAnswerError('Gemini answered without embeddings');
  // Gemini's embedding answers carry no token count unless a usageMetadata is there.
  const tokens = (response.usageMetadata as { promptTokenCount?: unknown } | undefined)?.promptTokenCount;
  return embeddingList(exchange, vectors, typeof tokens === 'number' ? tokens : 0);
}

export function translateGeminiError(status: number, text: string): TranslatedError {
  const error = (parseJson(text) as { error?: { message?: unknown; status?: unknown } } | undefined)?.error;
  const message = typeof error?.message === 'string' ? error.message : text.slice(0, 500) || `Gemini answered ${status}`;
  return upstreamError('Gemini', status, message, typeof error?.status === 'string' ? error.status : null);
}

export function translateGeminiStream(exchange: Exchange): StreamTranslator {
  return new GeminiStream(exchange);
}

class GeminiStream extends SseTranslator {
  private readonly writer: ChunkWriter;

  get usage(): TokenUsage | undefined {
    return this.writer.finalUsage;
  }
  private toolCalls = 0;
  private finishReason: unknown;
  private blocked = false;
  private upstreamUsage: Json | undefined;
  private started = false;

  constructor(private readonly exchange: Exchange) {
    super('Gemini');
    this.writer = new ChunkWriter(exchange);
  }

  override end(): string {
    const rest = super.end();
    if (this.failed || (this.finishReason === undefined && !this.blocked)) return rest;
    this.complete = true;
    return rest + this.writer.finish(geminiFinish(this.finishReason, this.toolCalls > 0, this.blocked)) + this.writer.done(geminiUsage(this.upstreamUsage));
  }

  protected event(event: SseEvent): string {
    const response = parseJson(event.data) as Json | undefined;
    if (!response || typeof response !== 'object') return this.fail(502, 'the Gemini stream sent an event that is not JSON', 'upstream_invalid_response');
    const error = response.error as { message?: unknown; code?: unknown; status?: unknown } | undefined;
    if (error)
      return this.fail(
        typeof error.code === 'number' ? error.code : 500,
        String(error.message ?? 'Gemini reported an error mid-stream'),
        typeof error.status === 'string' ? error.status : null,
      );
    if (typeof response.responseId === 'string') this.writer.id = response.responseId;
    if (typeof response.modelVersion === 'string') this.writer.model = response.modelVersion;
    if (response.usageMetadata) this.upstreamUsage = response.usageMetadata as Json;
    const candidate = candidateOf(response);
    if (!candidate && (response.promptFeedback as Json | undefined)?.blockReason !== undefined) this.blocked = true;
    if (candidate?.finishReason !== undefined) this.finishReason = candidate.finishReason;
    const parts = partsOf(candidate);
    let out = this.started ? '' : this.writer.role();
    this.started = true;
    out += this.writer.reasoning(parts.reasoning) + this.writer.content(parts.text);
    for (const call of parts.calls) {
      const index = this.toolCalls++;
      out += this.writer.toolStart(index, toolCallId(this.exchange, index, call.id), call.name, JSON.stringify(call.args));
    }
    return out;
  }

  protected fail(status: number, message: string, code: string | null): string {
    this.failed = true;
    return streamError(translatedError(status, message, code).body);
  }
}
