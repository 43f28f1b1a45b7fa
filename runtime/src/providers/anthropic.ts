// Anthropic's Messages API, the request side: an OpenAI chat request becomes POST {url}/v1/messages with `x-api-key`
// and `anthropic-version` (default url https://api.anthropic.com); anthropicAnswer.ts reads what comes back. Anthropic
// requires max_tokens: when the client sends none, ANTHROPIC_DEFAULT_MAX_TOKENS is used.
import { translateAnthropicAnswer, translateAnthropicError, translateAnthropicStream } from './anthropicAnswer';
import { newExchange, perTarget, trimSlash, upstreamHeaders } from './openai';
import {
  asObject,
  checkFields,
  conversationOf,
  functionToolsOf,
  maxTokensOf,
  modelOf,
  numberOf,
  responseFormatOf,
  stopOf,
  toolChoiceOf,
  type Block,
  type Json,
} from './openaiRequest';
import { TranslationError, type ProviderAdapter, type ProviderTarget, type TranslatedRequest } from './types';

export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;
export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const EFFORTS = new Set(['low', 'medium', 'high', 'xhigh']);
const TRANSLATED = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'top_k',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'user',
  'reasoning_effort',
  'stream',
  'stream_options',
]);

const SAMPLING = ['temperature', 'top_p', 'top_k'] as const;

/** The URL and headers every request to a target is sent with. */
const endpointOf = perTarget((target: ProviderTarget) => {
  const credential: Record<string, string> = { 'anthropic-version': target.apiVersion ?? ANTHROPIC_DEFAULT_VERSION };
  if (target.apiKey) credential['x-api-key'] = target.apiKey;
  return {
    url: `${trimSlash(target.url ?? 'https://api.anthropic.com').replace(/\/v1$/, '')}/v1/messages`,
    headers: Object.freeze(upstreamHeaders(target, credential)),
  };
});

export const anthropicAdapter: ProviderAdapter = {
  provider: 'anthropic',
  buildRequest(operation, rawBody, target, now = new Date()): TranslatedRequest {
    if (operation === 'embeddings') throw new TranslationError('model', 'Anthropic has no embeddings API: route embeddings to another provider');
    const body = asObject(rawBody, 'body');
    const model = modelOf(body, target);
    const upstream = messagesBody(body, model);
    const { url, headers } = endpointOf(target);
    return {
      request: { method: 'POST', url, headers, body: JSON.stringify(upstream) },
      exchange: newExchange('anthropic', operation, body, model, now),
    };
  },
  translateAnswer: translateAnthropicAnswer,
  translateStream: (exchange) => translateAnthropicStream(exchange),
  translateError: translateAnthropicError,
};

function messagesBody(body: Json, model: string): Json {
  checkFields(body, TRANSLATED, 'Anthropic');
  const conversation = conversationOf(body);
  const upstream: Json = {
    model,
    max_tokens: maxTokensOf(body) ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages: conversation.turns.map((turn) => ({ role: turn.role, content: orderToolResultsFirst(turn.blocks).map(anthropicBlock) })),
  };
  if (conversation.system.length > 0) upstream.system = conversation.system.join('\n\n');
  for (const key of SAMPLING) {
    const value = numberOf(body, key);
    if (value !== undefined) upstream[key] = value;
  }
  const stop = stopOf(body);
  if (stop) upstream.stop_sequences = stop;
  const tools = functionToolsOf(body);
  if (tools.length > 0)
    upstream.tools = tools.map((tool) => ({
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      input_schema: tool.parameters,
      ...(tool.strict ? { strict: true } : {}),
    }));
  const choice = toolChoiceOf(body, tools);
  const serial = body.parallel_tool_calls === false && tools.length > 0;
  if (choice !== undefined || serial) {
    const base: Json =
      choice === undefined || choice === 'auto'
        ? { type: 'auto' }
        : choice === 'required'
          ? { type: 'any' }
          : choice === 'none'
            ? { type: 'none' }
            : { type: 'tool', name: choice.name };
    upstream.tool_choice = serial && base.type !== 'none' ? { ...base, disable_parallel_tool_use: true } : base;
  }
  let output: Json | undefined;
  const format = responseFormatOf(body);
  if (format?.type === 'json_object')
    throw new TranslationError('response_format', 'Anthropic needs a schema for JSON output: use { "type": "json_schema", "json_schema": { "schema": ... } }');
  if (format?.type === 'json_schema') output = { format: { type: 'json_schema', schema: format.schema } };
  if (body.reasoning_effort !== undefined && body.reasoning_effort !== null) {
    if (!EFFORTS.has(String(body.reasoning_effort)))
      throw new TranslationError('reasoning_effort', `"${String(body.reasoning_effort)}" has no Anthropic effort level (low, medium, high, xhigh have)`);
    (output ??= {}).effort = body.reasoning_effort;
  }
  if (output) upstream.output_config = output;
  if (typeof body.user === 'string') upstream.metadata = { user_id: body.user };
  if (body.stream === true) upstream.stream = true;
  return upstream;
}

/** Anthropic wants a user turn's tool results before anything else in it. */
function orderToolResultsFirst(blocks: Block[]): Block[] {
  if (!blocks.some((block) => block.kind === 'toolResult')) return blocks;
  return [...blocks.filter((block) => block.kind === 'toolResult'), ...blocks.filter((block) => block.kind !== 'toolResult')];
}

function anthropicBlock(block: Block): Json {
  switch (block.kind) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'toolCall':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
    case 'toolResult':
      return { type: 'tool_result', tool_use_id: block.id, content: block.text };
    case 'image':
      if (block.data) {
        if (!IMAGE_TYPES.has(block.data.mimeType))
          throw new TranslationError(block.field, `Anthropic takes image/jpeg, image/png, image/gif and image/webp, not ${block.data.mimeType}`);
        return { type: 'image', source: { type: 'base64', media_type: block.data.mimeType, data: block.data.base64 } };
      }
      if (/^https?:\/\//i.test(block.url)) return { type: 'image', source: { type: 'url', url: block.url } };
      throw new TranslationError(block.field, 'must be an http(s) URL or a base64 data: URL');
  }
}
