// Google's Gemini API (`mock://gemini`): /v1beta/models/{model}:generateContent, :streamGenerateContent (SSE with
// ?alt=sse, else a JSON array), :embedContent, :batchEmbedContents and :countTokens, the key in `x-goog-api-key` (or
// ?key=), function calls, cached-content usage, the request checks a translator could trip (roles, parts, unknown
// fields) and Google's error bodies (`{"error":{"code","message","status"}}`).
import { planReply, type MockReply, type MockToolChoice, type MockTurn } from './conversation';
import { embeddingVector } from './openaiBodies';
import { forcedStatus } from './options';
import { headerValue, sendJson, sendStream, type JsonBody, type MockExchange } from './wire';

const MODEL_PATH = /^\/(v1beta|v1)\/models\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents|countTokens)$/;
const TOP_FIELDS = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent', 'labels', 'model']);
const GENERATION_FIELDS = new Set([
  'temperature',
  'topP',
  'topK',
  'maxOutputTokens',
  'stopSequences',
  'candidateCount',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseLogprobs',
  'logprobs',
  'thinkingConfig',
  'responseModalities',
  'mediaResolution',
  'speechConfig',
]);
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};
const MODELS = ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-embedding-001'];

class InvalidArgument extends Error {}

export async function serveGemini(ex: MockExchange): Promise<void> {
  const { knobs } = ex;
  const fail = (status: number, message: string, details?: object[]): void => sendJson(ex.res, status, geminiError(status, message, details), knobs);
  const key = headerValue(ex.req, 'x-goog-api-key') ?? ex.query.get('key') ?? undefined;
  if (!key)
    return fail(
      403,
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    );
  if (ex.options.apiKey !== undefined && key !== ex.options.apiKey) {
    return fail(400, 'API key not valid. Please pass a valid API key.', [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
    ]);
  }
  const forced = forcedStatus(knobs);
  if (forced !== undefined)
    return fail(forced, forced === 429 ? 'Resource has been exhausted (e.g. check quota).' : `mock backend answered ${forced} as asked`);
  if (ex.method === 'GET' && /^\/(v1beta|v1)\/models$/.test(ex.path)) {
    return sendJson(
      ex.res,
      200,
      {
        models: MODELS.map((id) => ({
          name: `models/${id}`,
          displayName: id,
          supportedGenerationMethods: id.includes('embedding') ? ['embedContent'] : ['generateContent', 'countTokens'],
        })),
      },
      knobs,
    );
  }
  const match = MODEL_PATH.exec(ex.path);
  if (!match || ex.method !== 'POST') return fail(404, `mock backend has no ${ex.method} ${ex.path}`);
  const model = decodeURIComponent(match[2] ?? '');
  const method = match[3];
  if (!ex.body) return fail(400, 'Invalid JSON payload received.');
  try {
    if (method === 'embedContent') return sendJson(ex.res, 200, { embedding: embedding(ex.body) }, knobs);
    if (method === 'batchEmbedContents') return sendJson(ex.res, 200, { embeddings: batchEmbeddings(ex.body, model) }, knobs);
    const turn = checkRequest(ex.body);
    const reply = planReply(turn, knobs.cachedTokens);
    if (method === 'countTokens') return sendJson(ex.res, 200, { totalTokens: reply.usage.prompt }, knobs);
    const responseId = `mock${Date.now().toString(36)}`;
    if (method === 'generateContent')
      return sendJson(
        ex.res,
        200,
        { candidates: [candidate(parts(reply), reply)], usageMetadata: usageOf(reply, reply.usage.completion), modelVersion: model, responseId },
        knobs,
      );
    const chunks = streamChunks(reply, model, responseId);
    if (ex.query.get('alt') === 'sse')
      return sendStream(
        ex.res,
        'text/event-stream',
        chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`),
        knobs,
      );
    return sendStream(
      ex.res,
      'application/json; charset=UTF-8',
      chunks.map((chunk, index) => `${index === 0 ? '[' : ',\r\n'}${JSON.stringify(chunk)}`),
      knobs,
      ']',
    );
  } catch (err) {
    if (err instanceof InvalidArgument) return fail(400, err.message);
    throw err;
  }
}

function parts(reply: MockReply): object[] {
  if (reply.toolCall) return [{ functionCall: { name: reply.toolCall.name, args: reply.toolCall.arguments } }];
  return reply.text === '' ? [] : [{ text: reply.text }];
}

/** Gemini reports STOP for function calls and stop sequences alike. */
function candidate(partsOf: object[], reply: MockReply | undefined): object {
  const finish = reply === undefined ? {} : { finishReason: reply.finish === 'length' ? 'MAX_TOKENS' : 'STOP' };
  return { content: { parts: partsOf, role: 'model' }, ...finish, index: 0 };
}

function usageOf(reply: MockReply, candidates: number): object {
  const cached = reply.usage.cached > 0 ? { cachedContentTokenCount: reply.usage.cached } : {};
  return {
    promptTokenCount: reply.usage.prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: reply.usage.prompt + candidates,
    ...cached,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: reply.usage.prompt }],
  };
}

/** A chunk per word (or one for a function call, which Gemini never splits); usage in every chunk, growing. */
function streamChunks(reply: MockReply, model: string, responseId: string): object[] {
  const pieces: object[][] = reply.toolCall ? [parts(reply)] : reply.deltas.map((text) => [{ text }]);
  if (pieces.length === 0) pieces.push([]);
  return pieces.map((piece, index) => {
    const last = index === pieces.length - 1;
    const completion = reply.toolCall ? reply.usage.completion : last ? reply.usage.completion : index + 1;
    return { candidates: [candidate(piece, last ? reply : undefined)], usageMetadata: usageOf(reply, completion), modelVersion: model, responseId };
  });
}

function checkRequest(body: JsonBody): MockTurn {
  for (const key of Object.keys(body))
    if (!TOP_FIELDS.has(key)) throw new InvalidArgument(`Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
  const generation = (body.generationConfig ?? {}) as JsonBody;
  for (const key of Object.keys(generation))
    if (!GENERATION_FIELDS.has(key))
      throw new InvalidArgument(`Invalid JSON payload received. Unknown name "${key}" at 'generation_config': Cannot find field.`);
  if (!Array.isArray(body.contents) || body.contents.length === 0) throw new InvalidArgument('* GenerateContentRequest.contents: contents is not specified\n');
  let toolResult: string | undefined;
  body.contents.forEach((raw, index) => {
    const content = raw as { role?: unknown; parts?: unknown };
    if (content.role !== undefined && content.role !== 'user' && content.role !== 'model')
      throw new InvalidArgument(`Please use a valid role: user, model. (contents[${index}].role: ${String(content.role)})`);
    if (!Array.isArray(content.parts) || content.parts.length === 0)
      throw new InvalidArgument(`* GenerateContentRequest.contents[${index}].parts: contents.parts must not be empty.\n`);
    toolResult = undefined;
    content.parts.forEach((part: JsonBody, at) => {
      const kinds = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'].filter(
        (kind) => part?.[kind] !== undefined,
      );
      if (kinds.length !== 1)
        throw new InvalidArgument(
          `* GenerateContentRequest.contents[${index}].parts[${at}].data: required oneof field 'data' must have one initialized field\n`,
        );
      const inline = part.inlineData as JsonBody | undefined;
      if (inline && (typeof inline.mimeType !== 'string' || typeof inline.data !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(inline.data)))
        throw new InvalidArgument(`Invalid value at 'contents[${index}].parts[${at}].inline_data.data' (TYPE_BYTES), Base64 decoding failed`);
      const response = part.functionResponse as JsonBody | undefined;
      if (response !== undefined) {
        if (typeof response.name !== 'string' || !response.response || typeof response.response !== 'object')
          throw new InvalidArgument(`* GenerateContentRequest.contents[${index}].parts[${at}].function_response.name: Name cannot be empty.\n`);
        toolResult = JSON.stringify(response.response);
      }
    });
  });
  const tools = ((body.tools ?? []) as JsonBody[]).flatMap((tool) =>
    ((tool.functionDeclarations ?? []) as JsonBody[]).map((fn) => ({ name: String(fn.name), schema: fn.parametersJsonSchema ?? fn.parameters })),
  );
  const config = (body.toolConfig as { functionCallingConfig?: { mode?: unknown; allowedFunctionNames?: unknown } } | undefined)?.functionCallingConfig;
  return {
    prompt: { systemInstruction: body.systemInstruction, contents: body.contents },
    tools,
    toolChoice: toolChoiceOf(config?.mode, config?.allowedFunctionNames),
    toolResult,
    maxTokens: typeof generation.maxOutputTokens === 'number' ? generation.maxOutputTokens : undefined,
    stop: Array.isArray(generation.stopSequences) ? (generation.stopSequences as string[]) : undefined,
  };
}

function toolChoiceOf(mode: unknown, allowed: unknown): MockToolChoice {
  if (mode === 'NONE') return 'none';
  if (mode === 'ANY' || mode === 'VALIDATED') return Array.isArray(allowed) && allowed.length === 1 ? { name: String(allowed[0]) } : 'required';
  if (mode === undefined || mode === 'AUTO' || mode === 'MODE_UNSPECIFIED') return 'auto';
  throw new InvalidArgument(`Invalid value at 'tool_config.function_calling_config.mode', "${String(mode)}"`);
}

function embedding(request: JsonBody): { values: number[] } {
  const content = request.content as { parts?: { text?: unknown }[] } | undefined;
  if (!Array.isArray(content?.parts) || content.parts.length === 0) throw new InvalidArgument('* EmbedContentRequest.content: content is not specified\n');
  const text = content.parts.map((part) => String(part.text ?? '')).join('');
  const dimensions = typeof request.outputDimensionality === 'number' ? request.outputDimensionality : 8;
  return { values: embeddingVector(text, dimensions) };
}

function batchEmbeddings(body: JsonBody, model: string): { values: number[] }[] {
  if (!Array.isArray(body.requests) || body.requests.length === 0)
    throw new InvalidArgument('* BatchEmbedContentsRequest.requests: requests is not specified\n');
  return body.requests.map((request: JsonBody, index) => {
    if (request.model !== `models/${model}`)
      throw new InvalidArgument(`Model mismatch in requests[${index}]: "${String(request.model)}" is not "models/${model}" of the URL.`);
    return embedding(request);
  });
}

export function geminiError(status: number, message: string, details?: object[]): object {
  return {
    error: { code: status, message, status: STATUS_NAMES[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'), ...(details ? { details } : {}) },
  };
}
