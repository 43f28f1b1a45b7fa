// OpenAI-shaped upstreams, passed through: OpenAI itself, any OpenAI-compatible server (vLLM, LM Studio, Together,
// Groq, ...) and Ollama's /v1 API. The body goes up as the client sent it (the model replaced by the target's alias);
// the answer comes back as it is. URL conventions: for `openai` and `openai-compatible`, `url` is the base URL an
// OpenAI SDK takes (it ends in /v1; default https://api.openai.com/v1); for `ollama`, the server's address (default
// http://127.0.0.1:11434), /v1 added.
import { randomUUID } from 'node:crypto';
import { parseJson, upstreamError } from './openaiShapes';
import { asObject, encodingFormatOf, includeUsageOf, modelOf } from './openaiRequest';
import {
  type Exchange,
  type Operation,
  type ProviderAdapter,
  type ProviderName,
  type ProviderTarget,
  type StreamTranslator,
  type TranslatedError,
  type TranslatedRequest,
  UpstreamAnswerError,
} from './types';

const PATHS: Record<Operation, string> = { chat: '/chat/completions', embeddings: '/embeddings' };
const LABELS = { openai: 'OpenAI', 'openai-compatible': 'The OpenAI-compatible server', ollama: 'Ollama' } as const;

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function newExchange(provider: ProviderName, operation: Operation, body: Record<string, unknown>, model: string, now: Date): Exchange {
  return new NewExchange(provider, operation, body, model, now);
}

/** An exchange whose fallback id is made only when asked for: most providers name their answers themselves. */
class NewExchange implements Exchange {
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly encodingFormat: 'float' | 'base64';
  readonly created: number;
  private ownId: string | undefined;

  constructor(
    readonly provider: ProviderName,
    readonly operation: Operation,
    body: Record<string, unknown>,
    readonly model: string,
    now: Date,
  ) {
    this.stream = operation === 'chat' && body.stream === true;
    this.includeUsage = includeUsageOf(body);
    this.encodingFormat = operation === 'embeddings' ? encodingFormatOf(body) : 'float';
    this.created = Math.floor(now.getTime() / 1000);
  }

  get id(): string {
    return (this.ownId ??= `chatcmpl-${randomUUID().replace(/-/g, '').slice(0, 24)}`);
  }
}

/**
 * What every request to one target shares (its URL, its headers with the credential placed), made on the target's
 * first request and kept with it: a target's settings are made once when the config is applied and never changed.
 */
export function perTarget<T>(make: (target: ProviderTarget) => T): (target: ProviderTarget) => T {
  const made = new WeakMap<ProviderTarget, T>();
  return (target) => {
    let value = made.get(target);
    if (value === undefined) {
      value = make(target);
      made.set(target, value);
    }
    return value;
  };
}

/** Content type plus the target's extra headers, then the credential (which no extra header can replace). */
export function upstreamHeaders(target: ProviderTarget, credential: Record<string, string>): Record<string, string> {
  if (target.headers === undefined) return { 'content-type': 'application/json', ...credential };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const taken = new Set(Object.keys(credential).map((name) => name.toLowerCase()));
  for (const [name, value] of Object.entries(target.headers ?? {})) if (!taken.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  return { ...headers, ...credential };
}

function baseUrlOf(provider: ProviderName, target: ProviderTarget): string {
  if (provider === 'ollama') return `${trimSlash(target.url ?? 'http://127.0.0.1:11434').replace(/\/v1$/, '')}/v1`;
  if (provider === 'openai') return trimSlash(target.url ?? 'https://api.openai.com/v1');
  if (!target.url) throw new Error('an openai-compatible target needs a url (the base URL its OpenAI SDK would take, e.g. http://host:8000/v1)');
  return trimSlash(target.url);
}

/** Passes OpenAI's SSE through untouched, noting whether `data: [DONE]` came. */
export class PassThroughStream implements StreamTranslator {
  private readonly decoder = new TextDecoder('utf-8');
  private tail = '';
  complete = false;
  failed = false;

  push(chunk: Uint8Array): string {
    const text = this.decoder.decode(chunk, { stream: true });
    const seen = this.tail + text;
    if (!this.complete && seen.includes('data: [DONE]')) this.complete = true;
    if (!this.failed && /(^|\n)event: error\r?\n/.test(seen)) this.failed = true;
    this.tail = seen.slice(-24); // enough to find a marker split across chunks
    return text;
  }

  end(): string {
    return this.decoder.decode();
  }
}

/** An OpenAI-shaped error body (`{"error":{"message","type","code"}}`, Azure's `code` as a string) kept, status kept. */
export function openAIShapedError(provider: string): (status: number, body: string) => TranslatedError {
  return (status, body) => {
    const error = (parseJson(body) as { error?: { message?: unknown; type?: unknown; code?: unknown } } | undefined)?.error;
    const message = typeof error?.message === 'string' ? error.message : body.slice(0, 500) || `upstream answered ${status}`;
    const translated = upstreamError(provider, status, message, error?.code === undefined || error.code === null ? null : String(error.code));
    if (typeof error?.type === 'string' && error.type !== '' && status !== 401 && status !== 403) translated.body.error.type = error.type;
    return translated;
  };
}

export function parseAnswer(body: string, provider: string): Record<string, unknown> {
  const parsed = parseJson(body);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UpstreamAnswerError(`${provider} answered with a body that is not a JSON object`);
  return parsed as Record<string, unknown>;
}

/** The headers of a target that takes its key as a Bearer token (or none). */
const bearerHeaders = perTarget((target) => Object.freeze(upstreamHeaders(target, target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {})));

function openAIShapedAdapter(provider: 'openai' | 'openai-compatible' | 'ollama'): ProviderAdapter {
  return {
    provider,
    buildRequest(operation, rawBody, target, now = new Date()): TranslatedRequest {
      const body = { ...asObject(rawBody, 'body') };
      const model = modelOf(body, target);
      body.model = model;
      // Ollama documents max_tokens; OpenAI's newer name means the same.
      if (provider === 'ollama' && body.max_completion_tokens !== undefined && body.max_tokens === undefined) {
        body.max_tokens = body.max_completion_tokens;
        delete body.max_completion_tokens;
      }
      const request = {
        method: 'POST' as const,
        url: `${baseUrlOf(provider, target)}${PATHS[operation]}`,
        headers: bearerHeaders(target),
        body: JSON.stringify(body),
      };
      return { request, exchange: newExchange(provider, operation, body, model, now) };
    },
    translateAnswer: (_exchange, body) => parseAnswer(body, provider),
    translateStream: () => new PassThroughStream(),
    translateError: openAIShapedError(LABELS[provider]),
  };
}

export const openaiAdapter = openAIShapedAdapter('openai');
export const openaiCompatibleAdapter = openAIShapedAdapter('openai-compatible');
export const ollamaAdapter = openAIShapedAdapter('ollama');
