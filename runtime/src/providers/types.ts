// The contract between the proxy and the provider translators. The client speaks OpenAI's Chat Completions and
// Embeddings; an adapter builds the provider's request from that body and a target's settings, and turns the
// provider's answer (whole, streamed or an error) back into OpenAI's shape. Adapters are pure: no sockets, no
// process.env, no clock unless given one.

import { PROVIDER_NAMES, type ProviderName } from '../../../common/src/config';
import type { TokenUsage } from './openaiShapes';

export const PROVIDERS = PROVIDER_NAMES;
export type { ProviderName };

export type Operation = 'chat' | 'embeddings';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A provider target as the proxy resolved it when the config was applied (credentials read from their variables). */
export interface ProviderTarget {
  provider: ProviderName;
  /** Base URL; each provider has a public default except Azure (its resource endpoint) and openai-compatible. */
  url?: string;
  /** The model name sent upstream (an alias); the client's `model` when absent. Azure: the deployment's default. */
  model?: string;
  /** The held credential's value: Bearer (OpenAI, compatible, Bedrock API keys), x-api-key, api-key, x-goog-api-key. */
  apiKey?: string;
  /** Azure's `api-version`; Anthropic's `anthropic-version`. */
  apiVersion?: string;
  /** Azure: the deployment (default: the model). */
  deployment?: string;
  /** Bedrock: the AWS region (default: aws.region, then us-east-1). */
  region?: string;
  /** Bedrock: signs requests with SigV4 when no apiKey is set. */
  aws?: AwsCredentials;
  /** Extra upstream headers (after the credential, so they cannot replace it). */
  headers?: Record<string, string>;
}

/** The request to send upstream, complete: absolute URL, headers with the credential placed, body. The headers may be
 * shared by every request to the target (computed once per target): copy them to add any. */
export interface UpstreamRequest {
  method: 'POST';
  url: string;
  headers: Readonly<Record<string, string>>;
  body: string;
}

/** What translating the answer needs to know about the request. */
export interface Exchange {
  provider: ProviderName;
  operation: Operation;
  /** The model name sent upstream, reported back when the answer does not name one. */
  model: string;
  stream: boolean;
  /** `stream_options.include_usage`: end the stream with a usage chunk. */
  includeUsage: boolean;
  /** Embeddings: OpenAI's `encoding_format` the client asked for. */
  encodingFormat: 'float' | 'base64';
  /** Chunk and answer id when the provider gives none, and the `created` time (seconds). */
  id: string;
  created: number;
}

export interface TranslatedRequest {
  request: UpstreamRequest;
  exchange: Exchange;
}

/** Fed the upstream's streamed bytes in any split, returns OpenAI SSE text as soon as each upstream event is whole. */
export interface StreamTranslator {
  push(chunk: Uint8Array): string;
  /** The upstream ended: whatever is left to send (empty when the stream was not complete). */
  end(): string;
  /** The upstream's own end of the answer was seen (a stream that closes before it was cut). */
  readonly complete: boolean;
  /** The upstream reported an error inside the stream (sent on as `event: error`). */
  readonly failed: boolean;
  /** The usage the upstream reported by the end of the stream, whether or not the client asked for a usage chunk
   * (undefined where the translator passes OpenAI's own stream through: read it from the stream then). */
  readonly usage?: TokenUsage;
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null };
}

export interface TranslatedError {
  /** The provider's status, kept in its class (529 stays 529, so retry and failover see it). */
  status: number;
  body: OpenAIErrorBody;
  /** Worth another attempt (429, 5xx, 529 overloaded); the route's retryOn still decides. */
  retryable: boolean;
}

export interface ProviderAdapter {
  readonly provider: ProviderName;
  /** Throws TranslationError (a 400 naming the field) for anything this provider cannot be told. A promise only where
   * building is asynchronous (Bedrock's SigV4 signing): the others cost no microtask hop. */
  buildRequest(operation: Operation, body: unknown, target: ProviderTarget, now?: Date): TranslatedRequest | Promise<TranslatedRequest>;
  /** A 2xx JSON answer in OpenAI's shape; throws UpstreamAnswerError when the body is not the provider's format. */
  translateAnswer(exchange: Exchange, body: string): object;
  translateStream(exchange: Exchange): StreamTranslator;
  /** A non-2xx answer; `headers` as undici gives them (lower-case names), for providers that name errors there. */
  translateError(status: number, body: string, headers?: Record<string, string | string[] | undefined>): TranslatedError;
}

/** A request field this provider cannot be given: the proxy answers 400 with `toOpenAI()`. */
export class TranslationError extends Error {
  readonly status = 400;
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'TranslationError';
  }

  toOpenAI(): OpenAIErrorBody {
    return { error: { message: this.message, type: 'invalid_request_error', code: 'unsupported_parameter' } };
  }
}

/** A 2xx answer that is not what the provider sends: the proxy answers 502. */
export class UpstreamAnswerError extends Error {
  readonly status = 502;
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamAnswerError';
  }

  toOpenAI(): OpenAIErrorBody {
    return { error: { message: this.message, type: 'upstream_invalid_response', code: null } };
  }
}
