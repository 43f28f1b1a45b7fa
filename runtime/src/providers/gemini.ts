// Google's Gemini API, the request side: an OpenAI chat request becomes {url}/v1beta/models/{model}:generateContent
// (or :streamGenerateContent?alt=sse), embeddings become :embedContent (one text) or :batchEmbedContents (several),
// the key in `x-goog-api-key` (default url https://generativelanguage.googleapis.com). geminiAnswer.ts reads what
// comes back. Tool schemas and response schemas go as JSON Schema (parametersJsonSchema, responseJsonSchema).
import { geminiEmbeddings, translateGeminiAnswer, translateGeminiError, translateGeminiStream } from './geminiAnswer';
import { newExchange, perTarget, trimSlash, upstreamHeaders } from './openai';
import {
  asObject,
  checkFields,
  conversationOf,
  embeddingInputsOf,
  functionToolsOf,
  maxTokensOf,
  modelOf,
  numberOf,
  parseDataUrl,
  responseFormatOf,
  stopOf,
  toolChoiceOf,
  type Block,
  type Json,
} from './openaiRequest';
import { parseJson } from './openaiShapes';
import { TranslationError, type ProviderAdapter, type ProviderTarget, type TranslatedRequest } from './types';

const CHAT_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'top_k',
  'stop',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'tools',
  'tool_choice',
  'response_format',
  'reasoning_effort',
  'stream',
  'stream_options',
]);
const EMBEDDING_FIELDS = new Set(['model', 'input', 'dimensions', 'encoding_format']);
const GENERATION_KEYS: [string, string][] = [
  ['temperature', 'temperature'],
  ['top_p', 'topP'],
  ['top_k', 'topK'],
  ['seed', 'seed'],
  ['presence_penalty', 'presencePenalty'],
  ['frequency_penalty', 'frequencyPenalty'],
];
const THINKING_LEVELS: Record<string, string> = { minimal: 'MINIMAL', low: 'LOW', medium: 'MEDIUM', high: 'HIGH' };

const keyHeaders = perTarget((target) => Object.freeze(upstreamHeaders(target, target.apiKey ? { 'x-goog-api-key': target.apiKey } : {})));

export const geminiAdapter: ProviderAdapter = {
  provider: 'gemini',
  buildRequest(operation, rawBody, target, now = new Date()): TranslatedRequest {
    const body = asObject(rawBody, 'body');
    const model = modelOf(body, target).replace(/^models\//, '');
    const exchange = newExchange('gemini', operation, body, model, now);
    const headers = keyHeaders(target);
    if (operation === 'embeddings') {
      checkFields(body, EMBEDDING_FIELDS, 'Gemini');
      const texts = embeddingInputsOf(body);
      const dimensions = numberOf(body, 'dimensions');
      const request = (text: string): Json => ({ content: { parts: [{ text }] }, ...(dimensions !== undefined ? { outputDimensionality: dimensions } : {}) });
      const upstream =
        typeof body.input === 'string' ? request(texts[0] ?? '') : { requests: texts.map((text) => ({ model: `models/${model}`, ...request(text) })) };
      const method = typeof body.input === 'string' ? 'embedContent' : 'batchEmbedContents';
      return { request: { method: 'POST', url: modelUrl(target, model, method), headers, body: JSON.stringify(upstream) }, exchange };
    }
    checkFields(body, CHAT_FIELDS, 'Gemini');
    const url = modelUrl(target, model, exchange.stream ? 'streamGenerateContent' : 'generateContent') + (exchange.stream ? '?alt=sse' : '');
    return { request: { method: 'POST', url, headers, body: JSON.stringify(generateContentBody(body)) }, exchange };
  },
  translateAnswer: (exchange, text) => (exchange.operation === 'embeddings' ? geminiEmbeddings(exchange, text) : translateGeminiAnswer(exchange, text)),
  translateStream: (exchange) => translateGeminiStream(exchange),
  translateError: translateGeminiError,
};

function modelUrl(target: ProviderTarget, model: string, method: string): string {
  const base = trimSlash(target.url ?? 'https://generativelanguage.googleapis.com').replace(/\/v1(beta)?$/, '');
  return `${base}/${target.apiVersion ?? 'v1beta'}/models/${encodeURIComponent(model)}:${method}`;
}

function generateContentBody(body: Json): Json {
  const conversation = conversationOf(body);
  const upstream: Json = {
    contents: conversation.turns.map((turn) => ({ role: turn.role === 'assistant' ? 'model' : 'user', parts: turn.blocks.map(geminiPart) })),
  };
  if (conversation.system.length > 0) upstream.systemInstruction = { parts: [{ text: conversation.system.join('\n\n') }] };
  const generation: Json = {};
  for (const [from, to] of GENERATION_KEYS) {
    const value = numberOf(body, from);
    if (value !== undefined) generation[to] = value;
  }
  const maxTokens = maxTokensOf(body);
  if (maxTokens !== undefined) generation.maxOutputTokens = maxTokens;
  const stop = stopOf(body);
  if (stop) generation.stopSequences = stop;
  const format = responseFormatOf(body);
  if (format) generation.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') generation.responseJsonSchema = format.schema;
  if (body.reasoning_effort !== undefined && body.reasoning_effort !== null) {
    const level = THINKING_LEVELS[String(body.reasoning_effort)];
    if (!level)
      throw new TranslationError('reasoning_effort', `"${String(body.reasoning_effort)}" has no Gemini thinking level (minimal, low, medium, high have)`);
    generation.thinkingConfig = { thinkingLevel: level };
  }
  if (Object.keys(generation).length > 0) upstream.generationConfig = generation;
  const tools = functionToolsOf(body);
  tools.forEach((tool, index) => {
    if (tool.strict) throw new TranslationError(`tools[${index}].function.strict`, 'Gemini has no strict mode for function calls');
  });
  if (tools.length > 0)
    upstream.tools = [
      {
        functionDeclarations: tools.map((tool) => ({
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          parametersJsonSchema: tool.parameters,
        })),
      },
    ];
  if (body.parallel_tool_calls === false && tools.length > 0)
    throw new TranslationError('parallel_tool_calls', 'Gemini cannot be told to call one function at a time');
  const choice = toolChoiceOf(body, tools);
  if (choice !== undefined) {
    const mode =
      choice === 'auto'
        ? { mode: 'AUTO' }
        : choice === 'none'
          ? { mode: 'NONE' }
          : choice === 'required'
            ? { mode: 'ANY' }
            : { mode: 'ANY', allowedFunctionNames: [choice.name] };
    upstream.toolConfig = { functionCallingConfig: mode };
  }
  return upstream;
}

function geminiPart(block: Block): Json {
  switch (block.kind) {
    case 'text':
      return { text: block.text };
    case 'toolCall':
      return { functionCall: { name: block.name, args: block.input } };
    case 'toolResult': {
      // Gemini wants an object: a JSON object result goes as it is, anything else under "content".
      const parsed = parseJson(block.text);
      return {
        functionResponse: { name: block.name, response: parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : { content: block.text } },
      };
    }
    case 'image': {
      const data = block.data ?? parseDataUrl(block.url);
      if (!data) throw new TranslationError(block.field, 'Gemini takes images inline: send a base64 data: URL');
      return { inlineData: { mimeType: data.mimeType, data: data.base64 } };
    }
  }
}
