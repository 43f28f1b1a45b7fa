// Anthropic's Messages API (`mock://anthropic`): POST /v1/messages plain and streamed (message_start,
// content_block_start/delta/stop, ping, message_delta, message_stop), tool use, prompt-cache usage, the request
// checks Anthropic makes (x-api-key, anthropic-version, required and unknown fields, tool_use/tool_result pairing),
// and its error bodies (529 overloaded_error included).
import { randomUUID } from 'node:crypto';
import { planReply, type MockReply, type MockToolChoice, type MockTurn } from './conversation';
import { forcedStatus } from './options';
import { headerValue, sendJson, sendStream, sseEvent, type JsonBody, type MockExchange } from './wire';

const MODELS = ['claude-opus-4-5', 'claude-sonnet-4-6', 'claude-haiku-4-5'];
const KNOWN_FIELDS = new Set([
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
  'thinking',
  'output_config',
  'service_tier',
  'container',
  'mcp_servers',
  'cache_control',
  'inference_geo',
  'speed',
  'context_management',
  'diagnostics',
]);
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

class InvalidRequest extends Error {}

export async function serveAnthropic(ex: MockExchange): Promise<void> {
  const { knobs } = ex;
  const headers = { 'request-id': `req_mock_${randomUUID().replace(/-/g, '')}` };
  const fail = (status: number, message: string): void => sendJson(ex.res, status, anthropicError(status, message), knobs, headers);
  const key = headerValue(ex.req, 'x-api-key') ?? headerValue(ex.req, 'authorization')?.replace(/^Bearer /, '');
  if (!key) return fail(401, 'x-api-key header is required');
  if (ex.options.apiKey !== undefined && key !== ex.options.apiKey) return fail(401, 'invalid x-api-key');
  if (!headerValue(ex.req, 'anthropic-version')) return fail(400, 'anthropic-version: header is required');
  const forced = forcedStatus(knobs);
  if (forced !== undefined) return fail(forced, forced === 529 ? 'Overloaded' : `mock backend answered ${forced} as asked`);
  if (ex.method === 'GET' && ex.path === '/v1/models') {
    const data = MODELS.map((id) => ({ type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z' }));
    return sendJson(ex.res, 200, { data, has_more: false, first_id: MODELS[0], last_id: MODELS.at(-1) }, knobs, headers);
  }
  if (ex.method !== 'POST' || (ex.path !== '/v1/messages' && ex.path !== '/v1/messages/count_tokens'))
    return fail(404, `mock backend has no ${ex.method} ${ex.path}`);
  let turn: MockTurn;
  try {
    turn = checkRequest(ex.body, ex.path === '/v1/messages');
  } catch (err) {
    return fail(400, (err as Error).message);
  }
  const reply = planReply(turn, knobs.cachedTokens);
  if (ex.path === '/v1/messages/count_tokens') return sendJson(ex.res, 200, { input_tokens: reply.usage.prompt }, knobs, headers);
  const model = String(ex.body?.model);
  const message = messageOf(model, reply);
  if (ex.body?.stream !== true) return sendJson(ex.res, 200, message, knobs, headers);
  return sendStream(ex.res, 'text/event-stream; charset=utf-8', streamEvents(message, reply), knobs, undefined, headers);
}

interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ({ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: object })[];
  stop_reason: string;
  stop_sequence: string | null;
  usage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number; service_tier: string };
}

function messageOf(model: string, reply: MockReply): Message {
  const content: Message['content'] = [];
  // Claude usually says what it is about to do before a tool call: the text block comes first.
  if (reply.toolCall)
    content.push(
      { type: 'text', text: `Calling ${reply.toolCall.name}.` },
      { type: 'tool_use', id: `toolu_mock_${randomUUID().slice(0, 8)}`, name: reply.toolCall.name, input: reply.toolCall.arguments },
    );
  else if (reply.text !== '') content.push({ type: 'text', text: reply.text });
  const stopReason = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', stop_sequence: 'stop_sequence' }[reply.finish];
  return {
    id: `msg_mock_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: reply.stopSequence ?? null,
    // input_tokens counts only what was not read from the cache.
    usage: {
      input_tokens: reply.usage.prompt - reply.usage.cached,
      output_tokens: reply.usage.completion,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: reply.usage.cached,
      service_tier: 'standard',
    },
  };
}

function streamEvents(message: Message, reply: MockReply): string[] {
  const events = [
    sseEvent(
      { type: 'message_start', message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...message.usage, output_tokens: 1 } } },
      'message_start',
    ),
  ];
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push(sseEvent({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, 'content_block_start'));
      if (index === 0) events.push(sseEvent({ type: 'ping' }, 'ping'));
      const pieces = reply.toolCall ? [block.text] : reply.deltas;
      for (const text of pieces) events.push(sseEvent({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }, 'content_block_delta'));
    } else {
      events.push(sseEvent({ type: 'content_block_start', index, content_block: { ...block, input: {} } }, 'content_block_start'));
      for (const partial_json of ['', ...(reply.toolCall?.argumentDeltas ?? [])])
        events.push(sseEvent({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }, 'content_block_delta'));
    }
    events.push(sseEvent({ type: 'content_block_stop', index }, 'content_block_stop'));
  });
  events.push(
    sseEvent(
      {
        type: 'message_delta',
        delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence },
        usage: { output_tokens: message.usage.output_tokens },
      },
      'message_delta',
    ),
  );
  events.push(sseEvent({ type: 'message_stop' }, 'message_stop'));
  return events;
}

/** Anthropic's own checks, as far as a translator could get them wrong; the turn the reply depends on. */
function checkRequest(body: JsonBody | undefined, needsMaxTokens: boolean): MockTurn {
  if (!body) throw new InvalidRequest('The request body is not valid JSON.');
  for (const key of Object.keys(body)) if (!KNOWN_FIELDS.has(key)) throw new InvalidRequest(`${key}: Extra inputs are not permitted`);
  if (typeof body.model !== 'string' || body.model === '') throw new InvalidRequest('model: Field required');
  if (needsMaxTokens && (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 0))
    throw new InvalidRequest('max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new InvalidRequest('messages: at least one message is required');
  if (
    body.system !== undefined &&
    typeof body.system !== 'string' &&
    !(Array.isArray(body.system) && body.system.every((b: JsonBody) => b?.type === 'text' && typeof b.text === 'string'))
  ) {
    throw new InvalidRequest('system: Input should be a valid string or a list of text blocks');
  }
  for (const name of ['temperature', 'top_p'] as const) {
    const value = body[name];
    if (value !== undefined && (typeof value !== 'number' || value < 0 || value > 1))
      throw new InvalidRequest(`${name}: Input should be less than or equal to 1`);
  }
  if (body.stop_sequences !== undefined && !(Array.isArray(body.stop_sequences) && body.stop_sequences.every((s) => typeof s === 'string')))
    throw new InvalidRequest('stop_sequences: Input should be a valid list of strings');
  const toolResult = checkMessages(body.messages as unknown[]);
  const tools = checkTools(body.tools);
  return {
    prompt: { system: body.system, messages: body.messages },
    tools,
    toolChoice: toolChoiceOf(body.tool_choice, tools.length),
    toolResult,
    maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : undefined,
    stop: body.stop_sequences,
  };
}

/** Checks roles and blocks; tool_use ids must be answered by tool_result blocks in the very next message. Returns the
 * text of the tool result the conversation ends with, if it does. */
function checkMessages(messages: unknown[]): string | undefined {
  let pendingToolUses: string[] = [];
  let lastToolResult: string | undefined;
  messages.forEach((value, index) => {
    const message = value as { role?: unknown; content?: unknown };
    if (message?.role !== 'user' && message?.role !== 'assistant') throw new InvalidRequest(`messages.${index}.role: Input should be 'user' or 'assistant'`);
    const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (!Array.isArray(blocks)) throw new InvalidRequest(`messages.${index}.content: Input should be a valid string or list`);
    const answered = new Set<string>();
    const toolUses: string[] = [];
    lastToolResult = undefined;
    blocks.forEach((raw, at) => {
      const block = raw as JsonBody;
      const where = `messages.${index}.content.${at}`;
      switch (block?.type) {
        case 'text':
          if (typeof block.text !== 'string') throw new InvalidRequest(`${where}.text: Field required`);
          break;
        case 'image':
          checkImage(block.source as JsonBody | undefined, where);
          break;
        case 'tool_use':
          if (message.role !== 'assistant') throw new InvalidRequest(`${where}: tool_use blocks can only be in assistant messages`);
          if (typeof block.id !== 'string' || typeof block.name !== 'string' || !block.input || typeof block.input !== 'object')
            throw new InvalidRequest(`${where}: tool_use needs id, name and an input object`);
          toolUses.push(block.id);
          break;
        case 'tool_result':
          if (message.role !== 'user') throw new InvalidRequest(`${where}: tool_result blocks can only be in user messages`);
          if (typeof block.tool_use_id !== 'string' || !pendingToolUses.includes(block.tool_use_id)) {
            throw new InvalidRequest(
              `${where}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
            );
          }
          answered.add(block.tool_use_id);
          lastToolResult =
            typeof block.content === 'string'
              ? block.content
              : Array.isArray(block.content)
                ? block.content.map((part: JsonBody) => String(part?.text ?? '')).join('')
                : '';
          break;
        default:
          throw new InvalidRequest(`${where}.type: Input tag '${String(block?.type)}' found using 'type' does not match any of the expected tags`);
      }
    });
    const missing = pendingToolUses.filter((id) => !answered.has(id));
    if (missing.length > 0)
      throw new InvalidRequest(
        `messages.${index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
    pendingToolUses = toolUses;
  });
  return lastToolResult;
}

function checkImage(source: JsonBody | undefined, where: string): void {
  if (source?.type === 'url' && typeof source.url === 'string' && /^https?:\/\//.test(source.url)) return;
  if (source?.type !== 'base64' || typeof source.data !== 'string') throw new InvalidRequest(`${where}.source: expected a base64 or url image source`);
  if (!IMAGE_TYPES.has(String(source.media_type)))
    throw new InvalidRequest(`${where}.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(source.data) || source.data.length % 4 !== 0) throw new InvalidRequest(`${where}.source.data: invalid base64 data`);
}

function checkTools(value: unknown): { name: string; schema: unknown }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidRequest('tools: Input should be a valid list');
  return value.map((raw, index) => {
    const tool = raw as JsonBody;
    if (typeof tool?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name))
      throw new InvalidRequest(`tools.${index}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
    if ((tool.input_schema as JsonBody | undefined)?.type !== 'object') throw new InvalidRequest(`tools.${index}.input_schema.type: Input should be 'object'`);
    return { name: tool.name, schema: tool.input_schema };
  });
}

function toolChoiceOf(value: unknown, toolCount: number): MockToolChoice {
  if (value === undefined) return 'auto';
  const choice = value as { type?: unknown; name?: unknown };
  if (toolCount === 0 && choice.type !== 'none') throw new InvalidRequest('tool_choice may only be specified while providing tools.');
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      if (typeof choice.name === 'string') return { name: choice.name };
      throw new InvalidRequest('tool_choice.tool.name: Field required');
    default:
      throw new InvalidRequest(
        `tool_choice: Input tag '${String(choice.type)}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'`,
      );
  }
}

export function anthropicError(status: number, message: string): object {
  return { type: 'error', error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message } };
}
