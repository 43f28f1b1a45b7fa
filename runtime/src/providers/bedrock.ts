// Amazon Bedrock, the request side: an OpenAI chat request becomes the Converse API
// ({url}/model/{modelId}/converse or /converse-stream; default url https://bedrock-runtime.{region}.amazonaws.com),
// embeddings become InvokeModel for Titan Text Embeddings (one text a request) or Cohere Embed. Signed with SigV4
// (@smithy/signature-v4) from the target's AWS credentials, or sent with a Bedrock API key as Bearer when the target
// has apiKey. bedrockAnswer.ts reads what comes back.
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { translateBedrockAnswer, translateBedrockError, translateBedrockStream } from './bedrockAnswer';
import { newExchange, trimSlash, upstreamHeaders } from './openai';
import {
  asObject,
  checkFields,
  conversationOf,
  embeddingInputsOf,
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
import { TranslationError, type ProviderAdapter, type ProviderTarget, type TranslatedRequest, type UpstreamRequest } from './types';

export const BEDROCK_DEFAULT_REGION = 'us-east-1';
/** Cohere Embed needs an input type; OpenAI's embeddings are most often of documents to search. */
export const COHERE_DEFAULT_INPUT_TYPE = 'search_document';
const CHAT_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'tools',
  'tool_choice',
  'response_format',
  'reasoning_effort',
  'user',
  'stream',
  'stream_options',
]);
const EMBEDDING_FIELDS = new Set(['model', 'input', 'dimensions', 'encoding_format']);
const IMAGE_FORMATS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };
const EFFORTS = new Set(['low', 'medium', 'high', 'xhigh']);

export const bedrockAdapter: ProviderAdapter = {
  provider: 'bedrock',
  async buildRequest(operation, rawBody, target, now = new Date()): Promise<TranslatedRequest> {
    const body = asObject(rawBody, 'body');
    const model = modelOf(body, target);
    const exchange = newExchange('bedrock', operation, body, model, now);
    const action = operation === 'embeddings' ? 'invoke' : exchange.stream ? 'converse-stream' : 'converse';
    const upstream = operation === 'embeddings' ? embeddingBody(body, model) : converseBody(body);
    const region = target.region ?? BEDROCK_DEFAULT_REGION;
    const url = `${trimSlash(target.url ?? `https://bedrock-runtime.${region}.amazonaws.com`)}/model/${encodeURIComponent(model)}/${action}`;
    const request: UpstreamRequest = {
      method: 'POST',
      url,
      headers: upstreamHeaders(target, target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {}),
      body: JSON.stringify(upstream),
    };
    if (!target.apiKey) request.headers = await signedHeaders(request, target, region, now);
    return { request, exchange };
  },
  translateAnswer: translateBedrockAnswer,
  translateStream: (exchange) => translateBedrockStream(exchange),
  translateError: translateBedrockError,
};

/** SigV4 over the request as it will be sent (host from the URL, the body's hash), service "bedrock". */
export async function signedHeaders(request: UpstreamRequest, target: ProviderTarget, region: string, now: Date): Promise<Record<string, string>> {
  if (!target.aws) throw new Error('a bedrock target needs AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) or an apiKey (a Bedrock API key)');
  const url = new URL(request.url);
  const signer = new SignatureV4({ credentials: target.aws, region, service: 'bedrock', sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: url.pathname,
      query: {},
      headers: { ...request.headers, host: url.host },
      body: request.body,
    },
    { signingDate: now },
  );
  return signed.headers;
}

function converseBody(body: Json): Json {
  checkFields(body, CHAT_FIELDS, 'Bedrock');
  const conversation = conversationOf(body);
  const upstream: Json = { messages: conversation.turns.map((turn) => ({ role: turn.role, content: turn.blocks.map(bedrockBlock) })) };
  if (conversation.system.length > 0) upstream.system = conversation.system.map((text) => ({ text }));
  const inference: Json = {};
  const maxTokens = maxTokensOf(body);
  if (maxTokens !== undefined) inference.maxTokens = maxTokens;
  for (const [from, to] of [
    ['temperature', 'temperature'],
    ['top_p', 'topP'],
  ] as const) {
    const value = numberOf(body, from);
    if (value !== undefined) inference[to] = value;
  }
  const stop = stopOf(body);
  if (stop) inference.stopSequences = stop;
  if (Object.keys(inference).length > 0) upstream.inferenceConfig = inference;
  const toolConfig = toolConfigOf(
    body,
    conversation.turns.some((turn) => turn.blocks.some((block) => block.kind === 'toolCall' || block.kind === 'toolResult')),
  );
  if (toolConfig) upstream.toolConfig = toolConfig;
  const output: Json = {};
  const format = responseFormatOf(body);
  if (format?.type === 'json_object')
    throw new TranslationError('response_format', 'Bedrock needs a schema for JSON output: use { "type": "json_schema", "json_schema": { "schema": ... } }');
  if (format?.type === 'json_schema')
    output.textFormat = { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(format.schema), name: format.name } } };
  if (body.reasoning_effort !== undefined && body.reasoning_effort !== null) {
    if (!EFFORTS.has(String(body.reasoning_effort)))
      throw new TranslationError('reasoning_effort', `"${String(body.reasoning_effort)}" has no Bedrock effort level (low, medium, high, xhigh have)`);
    output.effort = body.reasoning_effort;
  }
  if (Object.keys(output).length > 0) upstream.outputConfig = output;
  if (typeof body.user === 'string') upstream.requestMetadata = { user: body.user };
  return upstream;
}

function toolConfigOf(body: Json, historyUsesTools: boolean): Json | undefined {
  const tools = functionToolsOf(body);
  if (body.parallel_tool_calls === false && tools.length > 0)
    throw new TranslationError('parallel_tool_calls', 'Bedrock cannot be told to call one tool at a time');
  const choice = toolChoiceOf(body, tools);
  if (tools.length === 0) {
    if (historyUsesTools) throw new TranslationError('tools', 'Bedrock needs the tools defined when the conversation holds tool calls or results');
    return undefined;
  }
  if (choice === 'none') {
    if (historyUsesTools)
      throw new TranslationError(
        'tool_choice',
        'Bedrock has no "none": it needs the tools defined while the conversation holds tool calls, and then may call them',
      );
    return undefined; // no tools offered is how Bedrock is told not to call any
  }
  const specs = tools.map((tool, index) => {
    if (tool.strict) throw new TranslationError(`tools[${index}].function.strict`, 'Bedrock has no strict mode for tool calls');
    return { toolSpec: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), inputSchema: { json: tool.parameters } } };
  });
  const toolChoice = choice === undefined || choice === 'auto' ? undefined : choice === 'required' ? { any: {} } : { tool: { name: choice.name } };
  return { tools: specs, ...(toolChoice ? { toolChoice } : {}) };
}

function bedrockBlock(block: Block): Json {
  switch (block.kind) {
    case 'text':
      return { text: block.text };
    case 'toolCall':
      return { toolUse: { toolUseId: block.id, name: block.name, input: block.input } };
    case 'toolResult':
      return { toolResult: { toolUseId: block.id, content: [{ text: block.text }] } };
    case 'image': {
      const format = block.data ? IMAGE_FORMATS[block.data.mimeType] : undefined;
      if (!block.data) throw new TranslationError(block.field, 'Bedrock takes images inline: send a base64 data: URL');
      if (!format) throw new TranslationError(block.field, `Bedrock takes png, jpeg, gif and webp images, not ${block.data.mimeType}`);
      return { image: { format, source: { bytes: block.data.base64 } } };
    }
  }
}

function embeddingBody(body: Json, model: string): Json {
  checkFields(body, EMBEDDING_FIELDS, 'Bedrock');
  const texts = embeddingInputsOf(body);
  const dimensions = numberOf(body, 'dimensions');
  if (model.includes('titan-embed')) {
    if (texts.length !== 1) throw new TranslationError('input', 'Titan Text Embeddings embeds one text per request: send one string');
    return { inputText: texts[0], ...(dimensions !== undefined ? { dimensions } : {}) };
  }
  if (model.includes('cohere.embed')) {
    if (dimensions !== undefined) throw new TranslationError('dimensions', 'Cohere Embed on Bedrock has a fixed size');
    return { texts, input_type: COHERE_DEFAULT_INPUT_TYPE };
  }
  throw new TranslationError(
    'model',
    `embeddings on Bedrock are translated for Titan Text Embeddings (amazon.titan-embed-*) and Cohere Embed (cohere.embed-*), not ${model}`,
  );
}
