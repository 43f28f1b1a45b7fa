// OpenAI-compatible response bodies, deterministic so tests can assert on them.

const MOCK_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'text-embedding-3-small', 'mock-predict'];
const MOCK_REPLY = 'Hello from the AI gateway mock backend. This reply is deterministic.';
const CREATED = 1_700_000_000;

export interface ChatRequest {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
  input?: unknown;
  prompt?: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** A rough token count (4 characters a token), enough for usage-based limits to have something to count. */
function countTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return Math.max(1, Math.ceil(text.length / 4));
}

export function replyWords(): string[] {
  return MOCK_REPLY.split(/(?<= )/);
}

export function usageFor(request: ChatRequest): Usage {
  const prompt = countTokens(request.messages ?? request.prompt ?? request.input ?? '');
  const completion = replyWords().length;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function modelOf(request: ChatRequest, fallback: string): string {
  return typeof request.model === 'string' ? request.model : fallback;
}

export function chatCompletion(id: string, request: ChatRequest): object {
  return {
    id,
    object: 'chat.completion',
    created: CREATED,
    model: modelOf(request, 'gpt-4o-mini'),
    choices: [{ index: 0, message: { role: 'assistant', content: MOCK_REPLY }, logprobs: null, finish_reason: 'stop' }],
    usage: usageFor(request),
  };
}

export function chatChunk(id: string, model: string, delta: object, finishReason: string | null): object {
  return { id, object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] };
}

export function usageChunk(id: string, model: string, usage: Usage): object {
  return { id, object: 'chat.completion.chunk', created: CREATED, model, choices: [], usage };
}

export function textCompletion(id: string, request: ChatRequest): object {
  return {
    id,
    object: 'text_completion',
    created: CREATED,
    model: modelOf(request, 'gpt-3.5-turbo-instruct'),
    choices: [{ index: 0, text: MOCK_REPLY, logprobs: null, finish_reason: 'stop' }],
    usage: usageFor(request),
  };
}

/** Same input, same vector: an 8-dimension embedding derived from the text's characters. */
export function embeddings(request: ChatRequest): object {
  const inputs = Array.isArray(request.input) ? request.input : [request.input ?? ''];
  const data = inputs.map((input, index) => ({ object: 'embedding', index, embedding: vectorOf(String(input)) }));
  const prompt = countTokens(request.input ?? '');
  return { object: 'list', data, model: modelOf(request, 'text-embedding-3-small'), usage: { prompt_tokens: prompt, total_tokens: prompt } };
}

function vectorOf(text: string): number[] {
  const vector = new Array<number>(8).fill(0);
  for (let index = 0; index < text.length; index++) vector[index % 8] = (vector[index % 8] ?? 0) + text.charCodeAt(index);
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  return vector.map((value) => Number((value / norm).toFixed(6)));
}

export function modelList(): object {
  return { object: 'list', data: MOCK_MODELS.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'ai-gateway-mock' })) };
}

export function prediction(request: Record<string, unknown>): object {
  const input = request.input ?? request.inputs ?? request.data ?? null;
  return { model: 'mock-predict', prediction: { label: 'positive', score: 0.87 }, input };
}
