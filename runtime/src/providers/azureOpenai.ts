// Azure OpenAI: OpenAI's body and answers, sent to {url}/openai/deployments/{deployment}/{operation}?api-version=...
// with the key in `api-key`. `url` is the resource endpoint (https://NAME.openai.azure.com), required; the deployment
// defaults to the model. Answers keep Azure's content filter results (OpenAI clients ignore them).
import { asObject, modelOf } from './openaiRequest';
import { newExchange, openAIShapedError, parseAnswer, PassThroughStream, perTarget, trimSlash, upstreamHeaders } from './openai';
import type { Operation, ProviderAdapter, TranslatedRequest } from './types';

/** The newest generally available data-plane version at the time of writing; `apiVersion` on the target overrides it. */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

const PATHS: Record<Operation, string> = { chat: 'chat/completions', embeddings: 'embeddings' };

const keyHeaders = perTarget((target) => Object.freeze(upstreamHeaders(target, target.apiKey ? { 'api-key': target.apiKey } : {})));

export const azureOpenAIAdapter: ProviderAdapter = {
  provider: 'azure-openai',
  buildRequest(operation, rawBody, target, now = new Date()): TranslatedRequest {
    if (!target.url) throw new Error('an azure-openai target needs a url: the resource endpoint, https://NAME.openai.azure.com');
    const body = { ...asObject(rawBody, 'body') };
    const model = modelOf(body, { model: target.model ?? target.deployment });
    body.model = model;
    const deployment = target.deployment ?? model;
    const version = encodeURIComponent(target.apiVersion ?? AZURE_DEFAULT_API_VERSION);
    const url = `${trimSlash(target.url).replace(/\/openai$/, '')}/openai/deployments/${encodeURIComponent(deployment)}/${PATHS[operation]}?api-version=${version}`;
    const request = {
      method: 'POST' as const,
      url,
      headers: keyHeaders(target),
      body: JSON.stringify(body),
    };
    return { request, exchange: newExchange('azure-openai', operation, body, model, now) };
  },
  translateAnswer: (_exchange, body) => parseAnswer(body, 'Azure OpenAI'),
  translateStream: () => new PassThroughStream(),
  translateError: openAIShapedError('Azure OpenAI'),
};
