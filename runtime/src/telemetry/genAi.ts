// What the OpenTelemetry GenAI semantic conventions want to know about a call to a model, read from what the gateway
// already has: the operation from the upstream path, the provider from the target (or from what the provider adapter
// recorded), and for routes that record content the answer parsed whole (OpenAI, Anthropic and Gemini shapes, plain
// JSON or SSE); other answers are only scanned (answerScan.ts).
import type { ProviderName } from '../../../common/src/config';
import type { AnswerSummary } from './answerScan';

/** `gen_ai.operation.name` for a request path, or undefined when it is not a known model API. */
export function operationOf(path: string): string | undefined {
  if (path.endsWith('/chat/completions') || path.endsWith('/messages') || /\/converse(-stream)?$/.test(path)) return 'chat';
  if (/:(stream)?generateContent$/i.test(path)) return 'generate_content';
  if (path.endsWith('/embeddings') || /:(batchEmbedContents|embedContent)$/.test(path)) return 'embeddings';
  if (path.endsWith('/completions')) return 'text_completion';
  if (path.endsWith('/responses')) return 'chat';
  return undefined;
}

/** `gen_ai.provider.name` of a provider target (the conventions' names; theirs where the conventions have none). */
const PROVIDER_NAMES: Record<ProviderName, string> = {
  openai: 'openai',
  'azure-openai': 'azure.ai.openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  bedrock: 'aws.bedrock',
  ollama: 'ollama',
  'openai-compatible': 'openai-compatible',
};

export function genAiProviderName(provider: ProviderName): string {
  return PROVIDER_NAMES[provider];
}

const MOCK_PROVIDERS: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  bedrock: 'aws.bedrock',
  'azure-openai': 'azure.ai.openai',
};

const HOST_PROVIDERS: [RegExp, string][] = [
  [/(^|\.)api\.openai\.com$/, 'openai'],
  [/(^|\.)api\.anthropic\.com$/, 'anthropic'],
  [/^generativelanguage\.googleapis\.com$/, 'gcp.gemini'],
  [/aiplatform\.googleapis\.com$/, 'gcp.vertex_ai'],
  [/^bedrock-runtime[.-].*amazonaws\.com$/, 'aws.bedrock'],
  [/\.openai\.azure\.com$/, 'azure.ai.openai'],
  [/(^|\.)api\.mistral\.ai$/, 'mistral_ai'],
  [/(^|\.)api\.groq\.com$/, 'groq'],
  [/(^|\.)api\.deepseek\.com$/, 'deepseek'],
  [/(^|\.)api\.x\.ai$/, 'x_ai'],
  [/(^|\.)api\.cohere\.(com|ai)$/, 'cohere'],
];

const providerByTarget = new Map<string, string | undefined>();

/** `gen_ai.provider.name` of a target URL (redacted is fine: only the scheme and host are read); cached per URL. */
export function providerOf(targetUrl: string): string | undefined {
  if (providerByTarget.has(targetUrl)) return providerByTarget.get(targetUrl);
  let provider: string | undefined;
  try {
    const url = new URL(targetUrl);
    provider = url.protocol === 'mock:' ? MOCK_PROVIDERS[url.host] : HOST_PROVIDERS.find(([host]) => host.test(url.hostname))?.[1];
  } catch {
    provider = undefined;
  }
  if (providerByTarget.size < 1000) providerByTarget.set(targetUrl, provider);
  return provider;
}

type Json = Record<string, unknown>;

/** Reads a JSON answer, or every `data:` event of an SSE one; undefined when the body is neither. */
export function summarizeAnswer(body: Buffer, contentType: string | undefined): AnswerSummary | undefined {
  const summary: AnswerSummary = { finishReasons: [], text: '' };
  if (contentType?.includes('text/event-stream')) {
    for (const data of sseData(body.toString('utf8'))) {
      const value = parseObject(data);
      if (value) fold(summary, value, true);
    }
    return summary;
  }
  if (!contentType?.includes('json')) return undefined;
  const value = parseObject(body.toString('utf8'));
  if (!value) return undefined;
  fold(summary, value, false);
  return summary;
}

function* sseData(text: string): Generator<string> {
  for (const event of text.split(/\r?\n\r?\n/)) {
    const lines = event.split(/\r?\n/).filter((line) => line.startsWith('data:'));
    if (lines.length > 0) yield lines.map((line) => line.slice(5).trimStart()).join('\n');
  }
}

function parseObject(text: string): Json | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined; // [DONE], or not JSON
  }
}

/** One answer object (or one streamed event) into the summary: OpenAI, Anthropic and Gemini shapes. */
function fold(summary: AnswerSummary, value: Json, streamed: boolean): void {
  const message = obj(value.message); // Anthropic's message_start
  const model = str(value.model) ?? str(message?.model) ?? str(value.modelVersion);
  if (model) summary.responseModel ??= model;
  const id = str(value.id) ?? str(message?.id) ?? str(value.responseId);
  if (id) summary.responseId ??= id;
  for (const choice of arr(value.choices)) {
    const c = obj(choice);
    addReason(summary, str(c?.finish_reason));
    const text = streamed ? str(obj(c?.delta)?.content) : (str(obj(c?.message)?.content) ?? str(c?.text));
    if (text) summary.text += text;
  }
  addReason(summary, str(value.stop_reason) ?? str(obj(value.delta)?.stop_reason)); // Anthropic
  for (const block of arr(value.content)) summary.text += str(obj(block)?.text) ?? '';
  const delta = obj(value.delta);
  if (str(delta?.type) === 'text_delta') summary.text += str(delta?.text) ?? '';
  for (const candidate of arr(value.candidates)) {
    const c = obj(candidate);
    addReason(summary, str(c?.finishReason)); // Gemini
    for (const part of arr(obj(c?.content)?.parts)) summary.text += str(obj(part)?.text) ?? '';
  }
  const usage = obj(value.usage) ?? obj(message?.usage);
  const input = num(usage?.prompt_tokens) ?? num(usage?.input_tokens) ?? num(obj(value.usageMetadata)?.promptTokenCount);
  const output = num(usage?.completion_tokens) ?? num(usage?.output_tokens) ?? num(obj(value.usageMetadata)?.candidatesTokenCount);
  if (input !== undefined) summary.inputTokens = input;
  if (output !== undefined) summary.outputTokens = output;
}

function addReason(summary: AnswerSummary, reason: string | undefined): void {
  if (reason && !summary.finishReasons.includes(reason)) summary.finishReasons.push(reason);
}

const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
