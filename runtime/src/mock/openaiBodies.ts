// OpenAI-compatible response bodies, deterministic so tests can assert on them.
import { countTokens, replyWords, type MockReply, type MockToolChoice, type MockTurn } from './conversation';

export { MOCK_REPLY, countTokens, replyWords } from './conversation';

export const MOCK_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'text-embedding-3-small', 'mock-predict'];
const CREATED = 1_700_000_000;

export interface ChatRequest {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
  input?: unknown;
  prompt?: unknown;
  tools?: unknown;
  tool_choice?: unknown;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  stop?: unknown;
  encoding_format?: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
}

/** Reads what the reply depends on from an OpenAI Chat Completions request. */
export function turnOf(request: ChatRequest): MockTurn {
  const messages = Array.isArray(request.messages) ? (request.messages as { role?: unknown; content?: unknown }[]) : [];
  const last = messages.at(-1);
  const tools = Array.isArray(request.tools) ? (request.tools as { function?: { name?: unknown; parameters?: unknown } }[]) : [];
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  return {
    prompt: request.messages ?? request.prompt ?? request.input ?? '',
    tools: tools.flatMap((tool) => (typeof tool.function?.name === 'string' ? [{ name: tool.function.name, schema: tool.function.parameters }] : [])),
    toolChoice: toolChoiceOf(request.tool_choice),
    toolResult: last?.role === 'tool' ? textOf(last.content) : undefined,
    maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
    stop:
      typeof request.stop === 'string'
        ? [request.stop]
        : Array.isArray(request.stop)
          ? request.stop.filter((s): s is string => typeof s === 'string')
          : undefined,
  };
}

function toolChoiceOf(value: unknown): MockToolChoice {
  if (value === 'none' || value === 'required') return value;
  const name = (value as { function?: { name?: unknown } } | undefined)?.function?.name;
  return typeof name === 'string' ? { name } : 'auto';
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part: { text?: unknown }) => (typeof part.text === 'string' ? part.text : '')).join('');
  return '';
}

export function usageOf(reply: MockReply): Usage {
  const usage: Usage = {
    prompt_tokens: reply.usage.prompt,
    completion_tokens: reply.usage.completion,
    total_tokens: reply.usage.prompt + reply.usage.completion,
  };
  // Only when asked for (x-mock-cached-tokens): the plain usage object keeps the gateway's usage tap on its fast path.
  if (reply.usage.cached > 0) usage.prompt_tokens_details = { cached_tokens: reply.usage.cached };
  return usage;
}

export function finishReasonOf(reply: MockReply): string {
  return reply.finish === 'stop_sequence' ? 'stop' : reply.finish;
}

export function modelOf(request: ChatRequest, fallback: string): string {
  return typeof request.model === 'string' ? request.model : fallback;
}

export function chatCompletion(id: string, model: string, reply: MockReply, toolCallId: string): object {
  const message = reply.toolCall
    ? {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: toolCallId, type: 'function', function: { name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.arguments) } }],
      }
    : { role: 'assistant', content: reply.text };
  return {
    id,
    object: 'chat.completion',
    created: CREATED,
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(reply) }],
    usage: usageOf(reply),
  };
}

/** The chunks of a streamed chat completion (without [DONE]). */
export function chatChunks(id: string, model: string, reply: MockReply, toolCallId: string, includeUsage: boolean): object[] {
  const chunks: object[] = [];
  if (reply.toolCall) {
    const call = reply.toolCall;
    chunks.push(
      chatChunk(
        id,
        model,
        { role: 'assistant', content: null, tool_calls: [{ index: 0, id: toolCallId, type: 'function', function: { name: call.name, arguments: '' } }] },
        null,
      ),
    );
    for (const piece of call.argumentDeltas) chunks.push(chatChunk(id, model, { tool_calls: [{ index: 0, function: { arguments: piece } }] }, null));
  } else {
    chunks.push(chatChunk(id, model, { role: 'assistant', content: '' }, null));
    for (const word of reply.deltas) chunks.push(chatChunk(id, model, { content: word }, null));
  }
  chunks.push(chatChunk(id, model, {}, finishReasonOf(reply)));
  if (includeUsage) chunks.push(usageChunk(id, model, usageOf(reply)));
  return chunks;
}

export function chatChunk(id: string, model: string, delta: object, finishReason: string | null): object {
  return { id, object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
}

export function usageChunk(id: string, model: string, usage: Usage): object {
  return { id, object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage };
}

export function textCompletion(id: string, request: ChatRequest): object {
  const prompt = countTokens(request.prompt ?? '');
  const completion = replyWords().length;
  return {
    id,
    object: 'text_completion',
    created: CREATED,
    model: modelOf(request, 'gpt-3.5-turbo-instruct'),
    choices: [{ index: 0, text: replyWords().join(''), logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

/** Same input, same vector; `encoding_format: "base64"` answers base64 of little-endian float32, as OpenAI does. */
export function embeddings(request: ChatRequest): object {
  const inputs = Array.isArray(request.input) ? request.input : [request.input ?? ''];
  const base64 = request.encoding_format === 'base64';
  const data = inputs.map((input, index) => {
    const vector = embeddingVector(String(input));
    return { object: 'embedding', index, embedding: base64 ? float32Base64(vector) : vector };
  });
  const prompt = countTokens(request.input ?? '');
  return { object: 'list', data, model: modelOf(request, 'text-embedding-3-small'), usage: { prompt_tokens: prompt, total_tokens: prompt } };
}

/** An 8-dimension embedding derived from the text's characters (or `dimensions` of them). */
export function embeddingVector(text: string, dimensions = 8): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (let index = 0; index < text.length; index++) vector[index % dimensions] = (vector[index % dimensions] ?? 0) + text.charCodeAt(index);
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  return vector.map((value) => Number((value / norm).toFixed(6)));
}

export function float32Base64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

export function modelList(): object {
  return { object: 'list', data: MOCK_MODELS.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'ai-gateway-mock' })) };
}

export function prediction(request: Record<string, unknown>): object {
  const input = request.input ?? request.inputs ?? request.data ?? null;
  return { model: 'mock-predict', prediction: { label: 'positive', score: 0.87 }, input };
}
