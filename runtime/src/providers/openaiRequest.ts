// Reading an OpenAI Chat Completions or Embeddings request for translation: strictly, so that a field a provider
// cannot be given is a TranslationError naming it, never dropped. The conversation comes out as provider-neutral
// turns (system text apart, user/assistant alternating, tool results as user blocks) that each adapter words.
import { TranslationError } from './types';

export type Json = Record<string, unknown>;

export type ToolCallBlock = { kind: 'toolCall'; id: string; name: string; input: Json };

export type Block =
  | { kind: 'text'; text: string }
  | { kind: 'image'; field: string; url: string; data: { mimeType: string; base64: string } | undefined }
  | ToolCallBlock
  | { kind: 'toolResult'; id: string; name: string; text: string };

export interface Turn {
  role: 'user' | 'assistant';
  blocks: Block[];
}

export interface Conversation {
  system: string[];
  turns: Turn[];
}

export interface FunctionTool {
  name: string;
  description: string | undefined;
  parameters: Json;
  strict: boolean;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat = { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Json; strict: boolean };

/** Values of untranslated fields that ask for nothing beyond the default, so they need no equivalent. */
const NEUTRAL: Record<string, (value: unknown) => boolean> = {
  n: (value) => value === 1,
  logprobs: (value) => value === false,
  store: (value) => value === false,
  parallel_tool_calls: (value) => value === true,
  service_tier: (value) => value === 'auto' || value === 'default',
  stream: () => true,
  stream_options: () => true,
};

export function asObject(value: unknown, field: string): Json {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new TranslationError(field, 'must be a JSON object');
  return value as Json;
}

/** Every field present must be one this provider translates, or carry a value that asks for nothing. */
export function checkFields(body: Json, translated: ReadonlySet<string>, provider: string): void {
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (value === null || value === undefined || translated.has(key) || NEUTRAL[key]?.(value)) continue;
    throw new TranslationError(key, `${provider} has no equivalent of this field, so the gateway cannot send it there`);
  }
}

export function modelOf(body: Json, target: { model?: string }, field = 'model'): string {
  if (target.model) return target.model;
  if (typeof body.model !== 'string' || body.model === '') throw new TranslationError(field, "is required (or set the target's model)");
  return body.model;
}

export function includeUsageOf(body: Json): boolean {
  return body.stream === true && (body.stream_options as Json | undefined)?.include_usage === true;
}

export function maxTokensOf(body: Json): number | undefined {
  const value = body.max_completion_tokens ?? body.max_tokens;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new TranslationError(body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens', 'must be a positive integer');
  return value;
}

export function stopOf(body: Json): string[] | undefined {
  const stop = body.stop;
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.every((item) => typeof item === 'string')) return stop;
  throw new TranslationError('stop', 'must be a string or a list of strings');
}

export function numberOf(body: Json, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw new TranslationError(key, 'must be a number');
  return value;
}

export function functionToolsOf(body: Json): FunctionTool[] {
  if (body.tools === undefined || body.tools === null) return [];
  if (!Array.isArray(body.tools)) throw new TranslationError('tools', 'must be a list');
  return body.tools.map((raw, index) => {
    const tool = asObject(raw, `tools[${index}]`);
    if (tool.type !== 'function')
      throw new TranslationError(`tools[${index}].type`, `"${String(tool.type)}" tools cannot be translated; only "function" tools can`);
    const fn = asObject(tool.function, `tools[${index}].function`);
    if (typeof fn.name !== 'string' || fn.name === '') throw new TranslationError(`tools[${index}].function.name`, 'is required');
    const parameters = fn.parameters === undefined ? { type: 'object', properties: {} } : asObject(fn.parameters, `tools[${index}].function.parameters`);
    return { name: fn.name, description: typeof fn.description === 'string' ? fn.description : undefined, parameters, strict: fn.strict === true };
  });
}

/** With no tools offered, "auto" and "none" both mean no tool call, so there is nothing to translate; "required" or a
 * named tool cannot be honoured and is an error. */
export function toolChoiceOf(body: Json, tools: FunctionTool[]): ToolChoice | undefined {
  const choice = body.tool_choice;
  if (choice === undefined || choice === null) return undefined;
  let parsed: ToolChoice;
  if (choice === 'auto' || choice === 'none' || choice === 'required') parsed = choice;
  else {
    const named = choice as { type?: unknown; function?: { name?: unknown } };
    if (named.type !== 'function' || typeof named.function?.name !== 'string')
      throw new TranslationError('tool_choice', 'must be "auto", "none", "required" or { "type": "function", "function": { "name" } }');
    parsed = { name: named.function.name };
  }
  if (tools.length > 0) {
    if (typeof parsed === 'object' && !tools.some((tool) => tool.name === parsed.name))
      throw new TranslationError('tool_choice', `names "${parsed.name}", which is not among the tools`);
    return parsed;
  }
  if (parsed === 'auto' || parsed === 'none') return undefined;
  throw new TranslationError('tool_choice', 'asks for a tool call but no tools are offered');
}

export function responseFormatOf(body: Json): ResponseFormat | undefined {
  if (body.response_format === undefined || body.response_format === null) return undefined;
  const format = asObject(body.response_format, 'response_format');
  if (format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type === 'json_schema') {
    const spec = asObject(format.json_schema, 'response_format.json_schema');
    return {
      type: 'json_schema',
      name: typeof spec.name === 'string' ? spec.name : 'output',
      schema: asObject(spec.schema ?? {}, 'response_format.json_schema.schema'),
      strict: spec.strict === true,
    };
  }
  throw new TranslationError('response_format.type', `"${String(format.type)}" is not a response format`);
}

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/]*={0,2})$/i;

export function parseDataUrl(url: string): { mimeType: string; base64: string } | undefined {
  const match = DATA_URL.exec(url);
  return match ? { mimeType: (match[1] ?? '').toLowerCase(), base64: match[2] ?? '' } : undefined;
}

/** Message fields no provider has an equivalent for. */
const UNTRANSLATED_MESSAGE_FIELDS = ['name', 'audio', 'function_call'] as const;

/** The conversation of a Chat Completions request, in provider-neutral turns. */
export function conversationOf(body: Json): Conversation {
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new TranslationError('messages', 'must be a non-empty list');
  const system: string[] = [];
  const turns: Turn[] = [];
  const toolNames = new Map<string, string>();
  const add = (role: Turn['role'], blocks: Block[]): void => {
    const last = turns.at(-1);
    if (last?.role === role) last.blocks.push(...blocks);
    else turns.push({ role, blocks });
  };
  const messages: unknown[] = body.messages;
  for (let index = 0; index < messages.length; index++) {
    const field = `messages[${index}]`;
    const message = asObject(messages[index], field);
    for (const key of UNTRANSLATED_MESSAGE_FIELDS)
      if (message[key] !== undefined && message[key] !== null) throw new TranslationError(`${field}.${key}`, 'cannot be translated for this provider');
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(textOf(message.content, `${field}.content`));
        continue;
      case 'user':
        add('user', contentBlocks(message.content, `${field}.content`));
        continue;
      case 'assistant': {
        const blocks = message.content === null || message.content === undefined ? [] : contentBlocks(message.content, `${field}.content`, true);
        for (const call of toolCallsOf(message, field)) {
          toolNames.set(call.id, call.name);
          blocks.push(call);
        }
        if (blocks.length === 0) throw new TranslationError(`${field}.content`, 'an assistant message needs content or tool_calls');
        add('assistant', blocks);
        continue;
      }
      case 'tool': {
        const id = message.tool_call_id;
        const name = typeof id === 'string' ? toolNames.get(id) : undefined;
        if (typeof id !== 'string' || name === undefined)
          throw new TranslationError(`${field}.tool_call_id`, 'must name a tool call of an earlier assistant message');
        add('user', [{ kind: 'toolResult', id, name, text: textOf(message.content, `${field}.content`) }]);
        continue;
      }
      default:
        throw new TranslationError(`${field}.role`, `"${String(message.role)}" cannot be translated (system, developer, user, assistant and tool can)`);
    }
  }
  return { system, turns };
}

function toolCallsOf(message: Json, field: string): ToolCallBlock[] {
  if (message.tool_calls === undefined || message.tool_calls === null) return [];
  if (!Array.isArray(message.tool_calls)) throw new TranslationError(`${field}.tool_calls`, 'must be a list');
  return message.tool_calls.map((raw, index): ToolCallBlock => {
    const at = `${field}.tool_calls[${index}]`;
    const call = asObject(raw, at);
    const fn = asObject(call.function, `${at}.function`);
    if (call.type !== 'function' || typeof call.id !== 'string' || typeof fn.name !== 'string')
      throw new TranslationError(at, 'must be a function call with id and function.name');
    let input: unknown;
    try {
      input = JSON.parse(typeof fn.arguments === 'string' && fn.arguments !== '' ? fn.arguments : '{}');
    } catch {
      throw new TranslationError(`${at}.function.arguments`, 'is not valid JSON');
    }
    return { kind: 'toolCall', id: call.id, name: fn.name, input: asObject(input, `${at}.function.arguments`) };
  });
}

function contentBlocks(content: unknown, field: string, assistant = false): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{ kind: 'text', text: content }];
  if (!Array.isArray(content)) throw new TranslationError(field, 'must be a string or a list of content parts');
  return content.map((raw, index): Block => {
    const at = `${field}[${index}]`;
    const part = asObject(raw, at);
    if (part.type === 'text' && typeof part.text === 'string') return { kind: 'text', text: part.text };
    if (assistant && part.type === 'refusal' && typeof part.refusal === 'string') return { kind: 'text', text: part.refusal };
    if (!assistant && part.type === 'image_url') {
      const image = asObject(part.image_url, `${at}.image_url`);
      if (typeof image.url !== 'string') throw new TranslationError(`${at}.image_url.url`, 'is required');
      if (image.detail !== undefined && image.detail !== 'auto')
        throw new TranslationError(`${at}.image_url.detail`, `"${String(image.detail)}" has no equivalent here (leave it out or use "auto")`);
      return { kind: 'image', field: `${at}.image_url.url`, url: image.url, data: parseDataUrl(image.url) };
    }
    throw new TranslationError(`${at}.type`, `"${String(part.type)}" content parts cannot be translated here`);
  });
}

/** Content that may only be text (system prompts, tool results). */
function textOf(content: unknown, field: string): string {
  return contentBlocks(content, field, true)
    .map((block) => (block.kind === 'text' ? block.text : ''))
    .join('');
}

/** Embeddings `input` as a list of texts (token arrays cannot be translated). */
export function embeddingInputsOf(body: Json): string[] {
  const input = body.input;
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === 'string')) return input;
  throw new TranslationError('input', 'must be a string or a non-empty list of strings (token arrays cannot be translated)');
}

export function encodingFormatOf(body: Json): 'float' | 'base64' {
  if (body.encoding_format === undefined || body.encoding_format === null || body.encoding_format === 'float') return 'float';
  if (body.encoding_format === 'base64') return 'base64';
  throw new TranslationError('encoding_format', 'must be "float" or "base64"');
}
