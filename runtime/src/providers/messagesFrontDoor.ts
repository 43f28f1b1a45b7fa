// The second front door: clients of Anthropic's Messages API (POST /v1/messages) reach any provider through the same
// OpenAI-shaped middle. A Messages request becomes an OpenAI chat request (strictly: what has no equivalent is a
// TranslationError naming it); the OpenAI answer, error or chunk stream (messagesFrontDoorStream.ts) becomes
// Anthropic's. Deliberate choices: `cache_control` hints are dropped (OpenAI-shaped providers cache on their own);
// a tool_result with is_error: true is sent as a tool message whose text starts with "Error: ".
import { randomUUID } from 'node:crypto';
import { asObject, type Json } from './openaiRequest';
import { errorTypeForStatus, parseJson } from './openaiShapes';
import { TranslationError } from './types';

const FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'output_config',
  'thinking',
  'service_tier',
]);
const IMAGE_SOURCES = new Set(['base64', 'url']);

export function anthropicMessagesToOpenAI(raw: unknown): Json {
  const body = asObject(raw, 'body');
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined && value !== null && !FIELDS.has(key))
      throw new TranslationError(key, "has no equivalent behind the gateway's OpenAI-shaped translation");
  }
  if (typeof body.model !== 'string' || body.model === '') throw new TranslationError('model', 'is required');
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1)
    throw new TranslationError('max_tokens', 'must be a positive integer');
  if (body.thinking !== undefined && (body.thinking as Json | null)?.type !== 'disabled')
    throw new TranslationError('thinking', 'extended thinking cannot be translated for other providers');
  if (body.service_tier !== undefined && body.service_tier !== 'auto') throw new TranslationError('service_tier', 'only "auto" can be translated');
  const out: Json = { model: body.model, max_completion_tokens: body.max_tokens, messages: [...systemMessages(body.system), ...conversation(body.messages)] };
  for (const key of ['temperature', 'top_p', 'top_k']) if (typeof body[key] === 'number') out[key] = body[key];
  if (body.stop_sequences !== undefined) out.stop = body.stop_sequences;
  const tools = toolsOf(body.tools);
  if (tools) out.tools = tools;
  Object.assign(out, toolChoiceOf(body.tool_choice));
  const user = (body.metadata as { user_id?: unknown } | undefined)?.user_id;
  if (typeof user === 'string') out.user = user;
  Object.assign(out, outputConfigOf(body.output_config));
  if (body.stream === true) Object.assign(out, { stream: true, stream_options: { include_usage: true } });
  return out;
}

function systemMessages(system: unknown): Json[] {
  if (system === undefined || system === null) return [];
  if (typeof system === 'string') return [{ role: 'system', content: system }];
  if (!Array.isArray(system)) throw new TranslationError('system', 'must be a string or a list of text blocks');
  return [{ role: 'system', content: system.map((block, index) => textBlock(block, `system[${index}]`)).join('\n\n') }];
}

function textBlock(raw: unknown, field: string): string {
  const block = asObject(raw, field);
  if (block.type !== 'text' || typeof block.text !== 'string') throw new TranslationError(`${field}.type`, 'must be a text block here');
  if (Array.isArray(block.citations) && block.citations.length > 0) throw new TranslationError(`${field}.citations`, 'cannot be translated');
  return block.text;
}

function conversation(messages: unknown): Json[] {
  if (!Array.isArray(messages) || messages.length === 0) throw new TranslationError('messages', 'must be a non-empty list');
  return messages.flatMap((raw, index) => {
    const field = `messages[${index}]`;
    const message = asObject(raw, field);
    if (message.role !== 'user' && message.role !== 'assistant') throw new TranslationError(`${field}.role`, 'must be "user" or "assistant"');
    const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (!Array.isArray(blocks)) throw new TranslationError(`${field}.content`, 'must be a string or a list of blocks');
    return message.role === 'user' ? userMessages(blocks, `${field}.content`) : [assistantMessage(blocks, `${field}.content`)];
  });
}

/** A user turn: its tool results as tool messages first, then the rest as one user message. */
function userMessages(blocks: unknown[], field: string): Json[] {
  const tools: Json[] = [];
  const parts: Json[] = [];
  blocks.forEach((raw, index) => {
    const at = `${field}[${index}]`;
    const block = asObject(raw, at);
    if (block.type === 'text') parts.push({ type: 'text', text: textBlock(block, at) });
    else if (block.type === 'image') parts.push({ type: 'image_url', image_url: { url: imageUrl(block.source, `${at}.source`) } });
    else if (block.type === 'tool_result') {
      if (typeof block.tool_use_id !== 'string') throw new TranslationError(`${at}.tool_use_id`, 'is required');
      const text =
        typeof block.content === 'string'
          ? block.content
          : Array.isArray(block.content)
            ? block.content.map((part, n) => textBlock(part, `${at}.content[${n}]`)).join('')
            : '';
      tools.push({ role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error === true ? `Error: ${text}` : text });
    } else throw new TranslationError(`${at}.type`, `"${String(block.type)}" blocks cannot be translated for other providers`);
  });
  return parts.length > 0 ? [...tools, { role: 'user', content: parts }] : tools;
}

function imageUrl(raw: unknown, field: string): string {
  const source = asObject(raw, field);
  if (!IMAGE_SOURCES.has(String(source.type))) throw new TranslationError(`${field}.type`, 'only base64 and url image sources can be translated');
  if (source.type === 'url') return String(source.url);
  return `data:${String(source.media_type)};base64,${String(source.data)}`;
}

function assistantMessage(blocks: unknown[], field: string): Json {
  let text = '';
  const calls: Json[] = [];
  blocks.forEach((raw, index) => {
    const at = `${field}[${index}]`;
    const block = asObject(raw, at);
    if (block.type === 'text') text += textBlock(block, at);
    else if (block.type === 'tool_use')
      calls.push({ id: String(block.id), type: 'function', function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) } });
    else throw new TranslationError(`${at}.type`, `"${String(block.type)}" blocks cannot be translated for other providers`);
  });
  return { role: 'assistant', content: text === '' && calls.length > 0 ? null : text, ...(calls.length > 0 ? { tool_calls: calls } : {}) };
}

function toolsOf(raw: unknown): Json[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new TranslationError('tools', 'must be a list');
  return raw.map((item, index) => {
    const tool = asObject(item, `tools[${index}]`);
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom')
      throw new TranslationError(`tools[${index}].type`, `"${String(tool.type)}" is an Anthropic server tool, which other providers do not have`);
    if (typeof tool.name !== 'string') throw new TranslationError(`tools[${index}].name`, 'is required');
    const fn: Json = { name: tool.name, parameters: asObject(tool.input_schema, `tools[${index}].input_schema`) };
    if (typeof tool.description === 'string') fn.description = tool.description;
    if (tool.strict === true) fn.strict = true;
    return { type: 'function', function: fn };
  });
}

function toolChoiceOf(raw: unknown): Json {
  if (raw === undefined || raw === null) return {};
  const choice = asObject(raw, 'tool_choice');
  const serial = choice.disable_parallel_tool_use === true ? { parallel_tool_calls: false } : {};
  switch (choice.type) {
    case 'auto':
      return { tool_choice: 'auto', ...serial };
    case 'any':
      return { tool_choice: 'required', ...serial };
    case 'none':
      return { tool_choice: 'none' };
    case 'tool':
      return { tool_choice: { type: 'function', function: { name: String(choice.name) } }, ...serial };
    default:
      throw new TranslationError('tool_choice.type', 'must be auto, any, tool or none');
  }
}

function outputConfigOf(raw: unknown): Json {
  if (raw === undefined || raw === null) return {};
  const config = asObject(raw, 'output_config');
  const out: Json = {};
  const format = config.format as { type?: unknown; schema?: unknown } | undefined | null;
  if (format) {
    if (format.type !== 'json_schema') throw new TranslationError('output_config.format.type', 'only json_schema can be translated');
    out.response_format = {
      type: 'json_schema',
      json_schema: { name: 'output', schema: asObject(format.schema, 'output_config.format.schema'), strict: true },
    };
  }
  if (config.effort !== undefined && config.effort !== null) out.reasoning_effort = config.effort;
  return out;
}

const STOP_REASONS: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
  function_call: 'tool_use',
};

export function anthropicStopReason(finish: unknown): string {
  return STOP_REASONS[String(finish)] ?? 'end_turn';
}

/** OpenAI's usage in Anthropic's terms: input_tokens leaves the cached prompt tokens out. */
export function anthropicUsageOf(usage: Json | undefined): Json {
  const count = (value: unknown): number => (typeof value === 'number' ? value : 0);
  const cached = count((usage?.prompt_tokens_details as Json | undefined)?.cached_tokens);
  return {
    input_tokens: Math.max(0, count(usage?.prompt_tokens) - cached),
    output_tokens: count(usage?.completion_tokens),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

/** Anthropic-looking ids that keep the upstream's id (to find the request in its logs): msg_ plus its letters. */
export function anthropicMessageId(openAIId: unknown): string {
  if (typeof openAIId === 'string' && openAIId.startsWith('msg_')) return openAIId;
  const kept = typeof openAIId === 'string' ? openAIId.replace(/[^A-Za-z0-9_]/g, '') : '';
  return `msg_${kept || randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

/** A chat completion as an Anthropic message. */
export function openAIAnswerToAnthropic(raw: unknown, requestedModel: string): Json {
  const answer = asObject(raw, 'answer');
  const choice = (Array.isArray(answer.choices) ? answer.choices[0] : undefined) as { message?: Json; finish_reason?: unknown } | undefined;
  const message = choice?.message ?? {};
  const content: Json[] = [];
  if (typeof message.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content });
  for (const call of (Array.isArray(message.tool_calls) ? message.tool_calls : []) as { id?: unknown; function?: { name?: unknown; arguments?: unknown } }[]) {
    const input = parseJson(typeof call.function?.arguments === 'string' && call.function.arguments !== '' ? call.function.arguments : '{}');
    content.push({ type: 'tool_use', id: String(call.id), name: String(call.function?.name), input: input && typeof input === 'object' ? input : {} });
  }
  return {
    id: anthropicMessageId(answer.id),
    type: 'message',
    role: 'assistant',
    model: typeof answer.model === 'string' ? answer.model : requestedModel,
    content,
    stop_reason: anthropicStopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: anthropicUsageOf(answer.usage as Json | undefined),
  };
}

/** Anthropic's error type for a status (the same table the OpenAI-shaped errors use). */
export function anthropicErrorType(status: number): string {
  return errorTypeForStatus(status);
}

/** An OpenAI-shaped error body (a provider's, translated, or the gateway's own) as Anthropic's, status kept. */
export function openAIErrorToAnthropic(status: number, body: string): Json {
  const error = (parseJson(body) as { error?: { message?: unknown } } | undefined)?.error;
  return {
    type: 'error',
    error: {
      type: anthropicErrorType(status),
      message: typeof error?.message === 'string' ? error.message : body.slice(0, 500) || `upstream answered ${status}`,
    },
  };
}
