// OpenAI's wire format (`mock://openai`): Chat Completions (plain, streamed, tool calls), Completions, Embeddings
// (float or base64), the model list, and the /predict demo endpoint.
import { randomUUID } from 'node:crypto';
import { planReply } from './conversation';
import * as bodies from './openaiBodies';
import { forcedStatus } from './options';
import { headerValue, sendJson, sendStream, sseEvent, type MockExchange } from './wire';

export async function serveOpenAI(ex: MockExchange): Promise<void> {
  const { knobs } = ex;
  if (ex.options.apiKey !== undefined && headerValue(ex.req, 'authorization') !== `Bearer ${ex.options.apiKey}`) {
    return sendJson(ex.res, 401, openAIError(401, 'Incorrect API key provided.', 'invalid_api_key'), knobs);
  }
  const forced = forcedStatus(knobs);
  if (forced !== undefined) return sendJson(ex.res, forced, openAIError(forced, `mock backend answered ${forced} as asked`), knobs);
  const request = (ex.body ?? {}) as bodies.ChatRequest;
  switch (`${ex.method} ${ex.path}`) {
    case 'POST /v1/chat/completions':
      return chatAnswer(ex, bodies.modelOf(request, 'gpt-4o-mini'));
    case 'POST /v1/completions':
      return sendJson(ex.res, 200, bodies.textCompletion(`mock-${randomUUID()}`, request), knobs);
    case 'POST /v1/embeddings':
      return sendJson(ex.res, 200, bodies.embeddings(request), knobs);
    case 'GET /v1/models':
      return sendJson(ex.res, 200, bodies.modelList(), knobs);
    case 'POST /predict':
      return sendJson(ex.res, 200, bodies.prediction(request as Record<string, unknown>), knobs);
    default:
      return sendJson(ex.res, 404, openAIError(404, `mock backend has no ${ex.method} ${ex.path}`), knobs);
  }
}

/** A chat completion, plain or streamed; `decorate` adds a provider's extra members (Azure's content filter results). */
export function chatAnswer(
  ex: MockExchange,
  model: string,
  decorate?: { answer(body: object): object; chunk(body: object): object; firstChunks: object[] },
): Promise<void> {
  const request = (ex.body ?? {}) as bodies.ChatRequest;
  const reply = planReply(bodies.turnOf(request), ex.knobs.cachedTokens);
  const id = `chatcmpl-mock-${randomUUID()}`;
  const toolCallId = reply.toolCall ? `call_mock_${randomUUID().slice(0, 8)}` : '';
  if (request.stream === true) {
    const chunks = bodies.chatChunks(id, model, reply, toolCallId, request.stream_options?.include_usage === true);
    const events = [...(decorate?.firstChunks ?? []), ...chunks.map((chunk) => decorate?.chunk(chunk) ?? chunk)].map((chunk) => sseEvent(chunk));
    return sendStream(ex.res, 'text/event-stream', events, ex.knobs, 'data: [DONE]\n\n');
  }
  const answer = bodies.chatCompletion(id, model, reply, toolCallId);
  sendJson(ex.res, 200, decorate?.answer(answer) ?? answer, ex.knobs);
  return Promise.resolve();
}

export function openAIError(status: number, message: string, code: string | null = null): object {
  const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : status === 404 ? 'not_found_error' : 'invalid_request_error';
  return { error: { message, type, param: null, code: code ?? (status === 429 ? 'rate_limit_exceeded' : null) } };
}
