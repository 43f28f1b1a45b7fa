// A stored OpenAI-shaped answer in the other delivery: a streamed chat completion (or text completion) assembled into
// the one JSON answer it spells out, and a JSON answer cut into the stream of chunks OpenAI would have sent. Usage
// goes along: into the JSON answer, and as the stream's last chunk when the client asked for it (include_usage).
// Anything not in OpenAI's shapes is left alone (undefined): such an answer serves only requests like its own.

type Json = Record<string, unknown>;

interface ToolCallParts {
  id?: string;
  type?: string;
  name: string;
  arguments: string;
}

interface ChoiceParts {
  role?: string;
  content: string;
  hasContent: boolean;
  refusal?: string;
  text: string;
  toolCalls: Map<number, ToolCallParts>;
  finishReason: unknown;
}

/** The JSON data of each `data:` line of an SSE body ([DONE] left out); undefined if one is not JSON. */
export function sseDataOf(chunks: readonly Buffer[]): Json[] | undefined {
  const events: Json[] = [];
  for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]' || data === '') continue;
    try {
      const parsed: unknown = JSON.parse(data);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
      events.push(parsed as Json);
    } catch {
      return undefined;
    }
  }
  return events;
}

/** A streamed chat or text completion as its whole JSON answer. */
export function assembleStream(chunks: readonly Buffer[]): Buffer | undefined {
  const events = sseDataOf(chunks);
  const first = events?.[0];
  if (!events || !first) return undefined;
  const chat = first.object === 'chat.completion.chunk';
  if (!chat && first.object !== 'text_completion') return undefined;
  const choices = new Map<number, ChoiceParts>();
  let usage: unknown;
  for (const event of events) {
    if (event.usage) usage = event.usage;
    for (const raw of Array.isArray(event.choices) ? (event.choices as Json[]) : []) {
      const index = typeof raw.index === 'number' ? raw.index : 0;
      let parts = choices.get(index);
      if (!parts) choices.set(index, (parts = { content: '', hasContent: false, text: '', toolCalls: new Map(), finishReason: null }));
      if (raw.finish_reason !== null && raw.finish_reason !== undefined) parts.finishReason = raw.finish_reason;
      if (chat) addDelta(parts, (raw.delta ?? {}) as Json);
      else if (typeof raw.text === 'string') parts.text += raw.text;
    }
  }
  const ordered = [...choices.entries()].sort(([a], [b]) => a - b);
  const answer: Json = {
    id: first.id,
    object: chat ? 'chat.completion' : 'text_completion',
    created: first.created,
    model: first.model,
    ...(first.system_fingerprint !== undefined ? { system_fingerprint: first.system_fingerprint } : {}),
    choices: ordered.map(([index, parts]) =>
      chat
        ? { index, message: messageOf(parts), logprobs: null, finish_reason: parts.finishReason }
        : { index, text: parts.text, logprobs: null, finish_reason: parts.finishReason },
    ),
    ...(usage !== undefined ? { usage } : {}),
  };
  return Buffer.from(JSON.stringify(answer), 'utf8');
}

function addDelta(parts: ChoiceParts, delta: Json): void {
  if (typeof delta.role === 'string') parts.role = delta.role;
  if (typeof delta.content === 'string') {
    parts.content += delta.content;
    parts.hasContent = true;
  }
  if (typeof delta.refusal === 'string') parts.refusal = (parts.refusal ?? '') + delta.refusal;
  for (const call of Array.isArray(delta.tool_calls) ? (delta.tool_calls as Json[]) : []) {
    const index = typeof call.index === 'number' ? call.index : 0;
    const fn = (call.function ?? {}) as Json;
    let tool = parts.toolCalls.get(index);
    if (!tool) parts.toolCalls.set(index, (tool = { name: '', arguments: '' }));
    if (typeof call.id === 'string') tool.id = call.id;
    if (typeof call.type === 'string') tool.type = call.type;
    if (typeof fn.name === 'string') tool.name += fn.name;
    if (typeof fn.arguments === 'string') tool.arguments += fn.arguments;
  }
}

function messageOf(parts: ChoiceParts): Json {
  const toolCalls = [...parts.toolCalls.entries()].sort(([a], [b]) => a - b);
  return {
    role: parts.role ?? 'assistant',
    content: parts.hasContent && (parts.content !== '' || toolCalls.length === 0) ? parts.content : null,
    ...(parts.refusal !== undefined ? { refusal: parts.refusal } : {}),
    ...(toolCalls.length > 0
      ? { tool_calls: toolCalls.map(([, call]) => ({ id: call.id, type: call.type ?? 'function', function: { name: call.name, arguments: call.arguments } })) }
      : {}),
  };
}

/** A chat or text completion answer as the SSE chunks of its stream, `data: [DONE]` last. */
export function streamAnswer(body: readonly Buffer[], includeUsage: boolean): Buffer[] | undefined {
  let answer: Json;
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(body).toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    answer = parsed as Json;
  } catch {
    return undefined;
  }
  const chat = answer.object === 'chat.completion';
  if ((!chat && answer.object !== 'text_completion') || !Array.isArray(answer.choices)) return undefined;
  const base = {
    id: answer.id,
    object: chat ? 'chat.completion.chunk' : 'text_completion',
    created: answer.created,
    model: answer.model,
    ...(answer.system_fingerprint !== undefined ? { system_fingerprint: answer.system_fingerprint } : {}),
  };
  const events: Json[] = [];
  for (const choice of answer.choices as Json[]) {
    const index = typeof choice.index === 'number' ? choice.index : 0;
    const piece = chat
      ? { index, delta: deltaOf((choice.message ?? {}) as Json), logprobs: null, finish_reason: null }
      : { index, text: choice.text ?? '', logprobs: null, finish_reason: null };
    events.push({ ...base, choices: [piece] });
    events.push({
      ...base,
      choices: [
        chat
          ? { index, delta: {}, logprobs: null, finish_reason: choice.finish_reason ?? null }
          : { index, text: '', logprobs: null, finish_reason: choice.finish_reason ?? null },
      ],
    });
  }
  if (includeUsage && answer.usage !== undefined) events.push({ ...base, choices: [], usage: answer.usage });
  return [...events.map((event) => Buffer.from(`data: ${JSON.stringify(event)}\n\n`, 'utf8')), Buffer.from('data: [DONE]\n\n', 'utf8')];
}

function deltaOf(message: Json): Json {
  const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as Json[]) : [];
  return {
    role: message.role ?? 'assistant',
    content: message.content ?? null,
    ...(message.refusal !== undefined && message.refusal !== null ? { refusal: message.refusal } : {}),
    ...(calls.length > 0 ? { tool_calls: calls.map((call, index) => ({ index, ...call })) } : {}),
  };
}
