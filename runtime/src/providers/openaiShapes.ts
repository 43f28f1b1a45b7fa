// OpenAI's answer shapes, written by every translator: chat completions, `chat.completion.chunk` SSE events (role,
// content, tool-call pieces, finish, usage, [DONE]), embedding lists (float or base64 float32) and errors.
import { sseData } from './sse';
import type { Exchange, OpenAIErrorBody, TranslatedError } from './types';

export interface TokenUsage {
  /** All prompt tokens, cached ones included. */
  prompt: number;
  completion: number;
  cached: number;
  /** Of `completion`, the tokens spent reasoning, when the provider says. */
  reasoning?: number;
}

export interface ToolCallOut {
  id: string;
  name: string;
  arguments: string;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export function openAIUsage(usage: TokenUsage): object {
  const out: Record<string, unknown> = {
    prompt_tokens: usage.prompt,
    completion_tokens: usage.completion,
    total_tokens: usage.prompt + usage.completion,
    prompt_tokens_details: { cached_tokens: usage.cached },
  };
  if (usage.reasoning !== undefined) out.completion_tokens_details = { reasoning_tokens: usage.reasoning };
  return out;
}

export interface CompletionParts {
  id: string;
  model: string;
  created: number;
  text: string | null;
  reasoning?: string;
  toolCalls: ToolCallOut[];
  finish: FinishReason;
  usage: TokenUsage | undefined;
}

export function chatCompletion(parts: CompletionParts): object {
  const message: Record<string, unknown> = { role: 'assistant', content: parts.text, refusal: null };
  if (parts.reasoning) message.reasoning_content = parts.reasoning;
  if (parts.toolCalls.length > 0)
    message.tool_calls = parts.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  const completion: Record<string, unknown> = {
    id: parts.id,
    object: 'chat.completion',
    created: parts.created,
    model: parts.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: parts.finish }],
  };
  if (parts.usage) completion.usage = openAIUsage(parts.usage);
  return completion;
}

/** Writes one stream's chunks; the first delta carries the assistant role. */
export class ChunkWriter {
  id: string;
  model: string;
  /** The usage the stream ended with (set by `done`), whether or not the client asked to be sent it. */
  finalUsage: TokenUsage | undefined;
  private roleSent = false;

  constructor(private readonly exchange: Exchange) {
    this.id = exchange.id;
    this.model = exchange.model;
  }

  role(): string {
    return this.delta({});
  }

  content(text: string): string {
    return text === '' ? '' : this.delta({ content: text });
  }

  reasoning(text: string): string {
    return text === '' ? '' : this.delta({ reasoning_content: text });
  }

  toolStart(index: number, id: string, name: string, args = ''): string {
    return this.delta({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: args } }] });
  }

  toolArguments(index: number, args: string): string {
    return args === '' ? '' : this.delta({ tool_calls: [{ index, function: { arguments: args } }] });
  }

  finish(reason: FinishReason): string {
    return this.chunk([{ index: 0, delta: this.roleSent ? {} : this.withRole({}), logprobs: null, finish_reason: reason }]);
  }

  /** The usage chunk (only when the client asked for it) and [DONE]; the usage is kept for the gateway's counts. */
  done(usage: TokenUsage | undefined): string {
    this.finalUsage = usage;
    const usageChunk = this.exchange.includeUsage ? this.chunk([], { usage: usage ? openAIUsage(usage) : null }) : '';
    return `${usageChunk}data: [DONE]\n\n`;
  }

  private delta(delta: Record<string, unknown>): string {
    return this.chunk([{ index: 0, delta: this.roleSent ? delta : this.withRole(delta), logprobs: null, finish_reason: null }]);
  }

  private withRole(delta: Record<string, unknown>): Record<string, unknown> {
    this.roleSent = true;
    return { role: 'assistant', content: '', ...delta };
  }

  private chunk(choices: object[], extra: object = {}): string {
    return sseData({ id: this.id, object: 'chat.completion.chunk', created: this.exchange.created, model: this.model, choices, ...extra });
  }
}

export function embeddingList(exchange: Exchange, vectors: number[][], promptTokens: number, model = exchange.model): object {
  const data = vectors.map((vector, index) => ({
    object: 'embedding',
    index,
    embedding: exchange.encodingFormat === 'base64' ? float32Base64(vector) : vector,
  }));
  return { object: 'list', data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } };
}

/** OpenAI's base64 embeddings: little-endian float32, whatever the machine's byte order. */
export function float32Base64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

/** Error types by status: Anthropic's names, which OpenAI-shaped answers use too (OpenAI's own are looser). */
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  409: 'conflict_error',
  413: 'request_too_large',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function errorTypeForStatus(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** A provider's error in OpenAI's shape, its status kept; `code` carries the provider's own error name. */
export function translatedError(status: number, message: string, code: string | null): TranslatedError {
  return { status, body: { error: { message, type: errorTypeForStatus(status), code } }, retryable: status === 408 || status === 429 || status >= 500 };
}

/** A provider's answer to a request the gateway made with its own credential: a 401 or 403 is about that credential,
 * not the client's, and its text (which may quote part of the key) stays out of the answer; the code stays. */
export function upstreamError(provider: string, status: number, message: string, code: string | null): TranslatedError {
  const refused = status === 401 || status === 403;
  return translatedError(
    status,
    refused ? `${provider} refused the credential the gateway holds for this target (${status}${code ? ` ${code}` : ''})` : message,
    code,
  );
}

/** An error inside a stream, as the gateway sends stream errors (`event: error`). */
export function streamError(body: OpenAIErrorBody): string {
  return sseData(body, 'error');
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
