// Amazon Bedrock's Converse API (`mock://bedrock`): POST /model/{modelId}/converse and /converse-stream (AWS's binary
// event stream, encoded with @smithy/eventstream-codec), InvokeModel for Titan and Cohere embeddings, SigV4 checked
// against the test credentials, and Bedrock's errors (`x-amzn-ErrorType` + `{"message"}`).
import { randomUUID } from 'node:crypto';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { countTokens, planReply, type MockReply, type MockToolChoice, type MockTurn } from './conversation';
import { embeddingVector } from './openaiBodies';
import { forcedStatus } from './options';
import { checkAwsAuth } from './sigv4Check';
import { sendJson, sendStream, type JsonBody, type MockExchange } from './wire';

const MODEL_PATH = /^\/model\/([^/]+)\/(converse|converse-stream|invoke)$/;
const KNOWN_FIELDS = new Set([
  'messages',
  'system',
  'inferenceConfig',
  'toolConfig',
  'guardrailConfig',
  'additionalModelRequestFields',
  'promptVariables',
  'additionalModelResponseFieldPaths',
  'requestMetadata',
  'performanceConfig',
  'serviceTier',
  'outputConfig',
]);
const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);
const ERROR_TYPES: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};
const codec = new EventStreamCodec(toUtf8, fromUtf8);

class ValidationError extends Error {}

export async function serveBedrock(ex: MockExchange): Promise<void> {
  const { knobs } = ex;
  const requestId = randomUUID();
  const fail = (status: number, type: string, message: string): void =>
    sendJson(ex.res, status, { message }, knobs, {
      'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      'x-amzn-requestid': requestId,
    });
  const denied = await checkAwsAuth(ex);
  if (denied) return fail(denied.status, denied.type, denied.message);
  const forced = forcedStatus(knobs);
  if (forced !== undefined)
    return fail(
      forced,
      ERROR_TYPES[forced] ?? (forced >= 500 ? 'InternalServerException' : 'ValidationException'),
      forced === 429 ? 'Too many requests, please wait before trying again.' : `mock backend answered ${forced} as asked`,
    );
  const match = MODEL_PATH.exec(ex.path);
  if (!match || ex.method !== 'POST') return fail(404, 'UnknownOperationException', `mock backend has no ${ex.method} ${ex.path}`);
  const modelId = decodeURIComponent(match[1] ?? '');
  if (!ex.body) return fail(400, 'SerializationException', 'Unable to parse the request body as JSON.');
  const headers = { 'x-amzn-requestid': requestId };
  try {
    if (match[2] === 'invoke') return sendJson(ex.res, 200, invokeEmbeddings(modelId, ex.body), knobs, headers);
    const reply = planReply(checkRequest(ex.body), knobs.cachedTokens);
    const content = contentOf(reply);
    const usage = usageOf(reply);
    if (match[2] === 'converse') {
      return sendJson(
        ex.res,
        200,
        { output: { message: { role: 'assistant', content } }, stopReason: stopReasonOf(reply), usage, metrics: { latencyMs: knobs.latencyMs } },
        knobs,
        headers,
      );
    }
    return sendStream(ex.res, 'application/vnd.amazon.eventstream', streamFrames(content, reply, usage, knobs.latencyMs), knobs, undefined, headers);
  } catch (err) {
    if (err instanceof ValidationError) return fail(400, 'ValidationException', err.message);
    throw err;
  }
}

function contentOf(reply: MockReply): object[] {
  if (!reply.toolCall) return reply.text === '' ? [] : [{ text: reply.text }];
  return [
    { text: `Calling ${reply.toolCall.name}.` },
    { toolUse: { toolUseId: `tooluse_mock_${randomUUID().slice(0, 12)}`, name: reply.toolCall.name, input: reply.toolCall.arguments } },
  ];
}

function stopReasonOf(reply: MockReply): string {
  return { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', stop_sequence: 'stop_sequence' }[reply.finish];
}

/** inputTokens leaves out what was read from the prompt cache, as Bedrock reports it. */
function usageOf(reply: MockReply): object {
  const input = reply.usage.prompt - reply.usage.cached;
  const cache = reply.usage.cached > 0 ? { cacheReadInputTokens: reply.usage.cached, cacheWriteInputTokens: 0 } : {};
  return { inputTokens: input, outputTokens: reply.usage.completion, totalTokens: reply.usage.prompt + reply.usage.completion, ...cache };
}

/** Bedrock's events: text blocks start with their first delta; tool use blocks with contentBlockStart. */
function streamFrames(content: object[], reply: MockReply, usage: object, latencyMs: number): Uint8Array[] {
  const frames = [frame('messageStart', { role: 'assistant' })];
  content.forEach((block, contentBlockIndex) => {
    const toolUse = (block as { toolUse?: { toolUseId: string; name: string } }).toolUse;
    if (toolUse) {
      frames.push(frame('contentBlockStart', { contentBlockIndex, start: { toolUse: { toolUseId: toolUse.toolUseId, name: toolUse.name } } }));
      for (const input of reply.toolCall?.argumentDeltas ?? []) frames.push(frame('contentBlockDelta', { contentBlockIndex, delta: { toolUse: { input } } }));
    } else {
      const pieces = reply.toolCall ? [(block as { text: string }).text] : reply.deltas;
      for (const text of pieces) frames.push(frame('contentBlockDelta', { contentBlockIndex, delta: { text } }));
    }
    frames.push(frame('contentBlockStop', { contentBlockIndex }));
  });
  frames.push(frame('messageStop', { stopReason: stopReasonOf(reply) }));
  frames.push(frame('metadata', { usage, metrics: { latencyMs } }));
  return frames;
}

/** One event-stream message; like Bedrock's, each payload carries a `p` padding member clients ignore. */
export function frame(eventType: string, payload: object): Uint8Array {
  const body = fromUtf8(JSON.stringify({ ...payload, p: 'abcdefghijklmnopqrstuvwxyz'.slice(0, 1 + (eventType.length % 26)) }));
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body,
  });
}

function checkRequest(body: JsonBody): MockTurn {
  for (const key of Object.keys(body))
    if (!KNOWN_FIELDS.has(key))
      throw new ValidationError(`Malformed input request: extraneous key [${key}] is not permitted, please reformat your input and try again.`);
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    throw new ValidationError('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  let pending: string[] = [];
  let toolResult: string | undefined;
  let usesTools = false;
  body.messages.forEach((raw, index) => {
    const message = raw as { role?: unknown; content?: unknown };
    const expected = index % 2 === 0 ? 'user' : 'assistant';
    if (index === 0 && message.role !== 'user')
      throw new ValidationError('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
    if (message.role !== expected)
      throw new ValidationError(
        'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.',
      );
    if (!Array.isArray(message.content) || message.content.length === 0)
      throw new ValidationError(
        `The content field in the Message object at messages.${index} is empty. Add a ContentBlock object to the content field and try again.`,
      );
    const uses: string[] = [];
    toolResult = undefined;
    for (const block of message.content as JsonBody[]) {
      const kinds = ['text', 'image', 'document', 'toolUse', 'toolResult', 'cachePoint', 'reasoningContent'].filter((kind) => block?.[kind] !== undefined);
      if (kinds.length !== 1) throw new ValidationError(`messages.${index}.content: each ContentBlock must set exactly one member.`);
      const image = block.image as { format?: unknown; source?: { bytes?: unknown } } | undefined;
      if (image && (!IMAGE_FORMATS.has(String(image.format)) || typeof image.source?.bytes !== 'string'))
        throw new ValidationError(`messages.${index}: image blocks need a format (png, jpeg, gif, webp) and source.bytes.`);
      const use = block.toolUse as { toolUseId?: unknown; name?: unknown } | undefined;
      if (use) {
        usesTools = true;
        uses.push(String(use.toolUseId));
      }
      const result = block.toolResult as { toolUseId?: unknown; content?: { text?: unknown; json?: unknown }[] } | undefined;
      if (result) {
        usesTools = true;
        if (!pending.includes(String(result.toolUseId)))
          throw new ValidationError(`The toolResult blocks at messages.${index}.content do not match a toolUse block of the previous turn.`);
        toolResult = (result.content ?? []).map((part) => (typeof part.text === 'string' ? part.text : JSON.stringify(part.json ?? ''))).join('');
      }
    }
    pending = uses;
  });
  const toolConfig = body.toolConfig as
    { tools?: { toolSpec?: { name?: unknown; inputSchema?: { json?: unknown } } }[]; toolChoice?: Record<string, { name?: unknown }> } | undefined;
  if (usesTools && !toolConfig) throw new ValidationError('The toolConfig field must be defined when using toolUse and toolResult content blocks.');
  const tools = (toolConfig?.tools ?? []).map((tool, index) => {
    if (typeof tool.toolSpec?.name !== 'string' || !tool.toolSpec.inputSchema || !('json' in tool.toolSpec.inputSchema))
      throw new ValidationError(`toolConfig.tools.${index}: a toolSpec needs a name and inputSchema.json.`);
    return { name: tool.toolSpec.name, schema: tool.toolSpec.inputSchema.json };
  });
  const inference = (body.inferenceConfig ?? {}) as { maxTokens?: unknown; stopSequences?: unknown };
  return {
    prompt: { system: body.system, messages: body.messages },
    tools,
    toolChoice: toolChoiceOf(toolConfig?.toolChoice),
    toolResult,
    maxTokens: typeof inference.maxTokens === 'number' ? inference.maxTokens : undefined,
    stop: Array.isArray(inference.stopSequences) ? (inference.stopSequences as string[]) : undefined,
  };
}

function toolChoiceOf(choice: Record<string, { name?: unknown }> | undefined): MockToolChoice {
  if (!choice || choice.auto) return 'auto';
  if (choice.any) return 'required';
  if (typeof choice.tool?.name === 'string') return { name: choice.tool.name };
  throw new ValidationError('toolConfig.toolChoice must be one of auto, any or tool.');
}

/** InvokeModel for the embedding models: Titan Text Embeddings (one text) and Cohere Embed (a list). */
function invokeEmbeddings(modelId: string, body: JsonBody): object {
  if (modelId.includes('titan-embed')) {
    if (typeof body.inputText !== 'string')
      throw new ValidationError('Malformed input request: #: required key [inputText] not found, please reformat your input and try again.');
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : 8;
    return { embedding: embeddingVector(body.inputText, dimensions), inputTextTokenCount: countTokens(body.inputText) };
  }
  if (modelId.includes('cohere.embed')) {
    if (!Array.isArray(body.texts) || typeof body.input_type !== 'string')
      throw new ValidationError('Malformed input request: #: required key [texts, input_type] not found, please reformat your input and try again.');
    return { id: randomUUID(), embeddings: body.texts.map((text) => embeddingVector(String(text))), texts: body.texts, response_type: 'embeddings_floats' };
  }
  throw new ValidationError(`The mock only embeds with Titan and Cohere models, not ${modelId}.`);
}
