// Known model names per provider, with prices per million tokens where known. Used by the config model to warn about a
// model a provider does not have (and the editor to complete them), by metrics to bound the model label, and later for
// cost figures. Written 2026-12-03. Names come from the model unions of the
// providers' SDKs installed here (versions below); Bedrock's from AWS's model-ID documentation. Prices come from the
// providers' public price pages as the author last knew them (2025, standard tier, prompts under any long-context
// threshold); a model released after that has no price here rather than a guessed one. No network was reachable
// when this was written, so nothing here was checked against the live pages: check before billing anyone.
import type { ProviderName } from './providers';

export interface ModelPrice {
  /** US dollars per million input tokens. */
  inputPerMTok?: number;
  outputPerMTok?: number;
  /** Input tokens read from the provider's prompt cache. */
  cachedInputPerMTok?: number;
}

export interface KnownModel extends ModelPrice {
  name: string;
  kind: 'chat' | 'embedding';
}

export interface ProviderModels {
  writtenOn: string;
  source: string;
  pricesSource: string;
  models: KnownModel[];
}

const chat = (name: string, input?: number, output?: number, cached?: number): KnownModel => ({ name, kind: 'chat', ...price(input, output, cached) });
const embedding = (name: string, input?: number): KnownModel => ({ name, kind: 'embedding', ...price(input, undefined, undefined) });
const unpriced = (...names: string[]): KnownModel[] => names.map((name) => chat(name));

function price(input: number | undefined, output: number | undefined, cached: number | undefined): ModelPrice {
  return {
    ...(input !== undefined ? { inputPerMTok: input } : {}),
    ...(output !== undefined ? { outputPerMTok: output } : {}),
    ...(cached !== undefined ? { cachedInputPerMTok: cached } : {}),
  };
}

const OPENAI_MODELS: KnownModel[] = [
  ...unpriced(
    'gpt-5.6-sol',
    'gpt-5.6-terra',
    'gpt-5.6-luna',
    'gpt-5.4',
    'gpt-5.4-mini',
    'gpt-5.4-nano',
    'gpt-5.4-mini-2026-03-17',
    'gpt-5.4-nano-2026-03-17',
    'gpt-5.3-chat-latest',
  ),
  ...unpriced(
    'gpt-5.2',
    'gpt-5.2-2025-12-11',
    'gpt-5.2-chat-latest',
    'gpt-5.2-pro',
    'gpt-5.2-pro-2025-12-11',
    'gpt-5.1',
    'gpt-5.1-2025-11-13',
    'gpt-5.1-codex',
    'gpt-5.1-mini',
    'gpt-5.1-chat-latest',
  ),
  chat('gpt-5', 1.25, 10, 0.125),
  chat('gpt-5-2025-08-07', 1.25, 10, 0.125),
  chat('gpt-5-mini', 0.25, 2, 0.025),
  chat('gpt-5-mini-2025-08-07', 0.25, 2, 0.025),
  chat('gpt-5-nano', 0.05, 0.4, 0.005),
  chat('gpt-5-nano-2025-08-07', 0.05, 0.4, 0.005),
  chat('gpt-5-chat-latest', 1.25, 10, 0.125),
  chat('gpt-4.1', 2, 8, 0.5),
  chat('gpt-4.1-2025-04-14', 2, 8, 0.5),
  chat('gpt-4.1-mini', 0.4, 1.6, 0.1),
  chat('gpt-4.1-mini-2025-04-14', 0.4, 1.6, 0.1),
  chat('gpt-4.1-nano', 0.1, 0.4, 0.025),
  chat('gpt-4.1-nano-2025-04-14', 0.1, 0.4, 0.025),
  chat('o4-mini', 1.1, 4.4, 0.275),
  chat('o4-mini-2025-04-16', 1.1, 4.4, 0.275),
  chat('o3', 2, 8, 0.5),
  chat('o3-2025-04-16', 2, 8, 0.5),
  chat('o3-mini', 1.1, 4.4, 0.55),
  chat('o3-mini-2025-01-31', 1.1, 4.4, 0.55),
  chat('o1', 15, 60, 7.5),
  chat('o1-2024-12-17', 15, 60, 7.5),
  ...unpriced('o1-preview', 'o1-preview-2024-09-12', 'o1-mini', 'o1-mini-2024-09-12'),
  chat('gpt-4o', 2.5, 10, 1.25),
  chat('gpt-4o-2024-11-20', 2.5, 10, 1.25),
  chat('gpt-4o-2024-08-06', 2.5, 10, 1.25),
  chat('gpt-4o-2024-05-13', 5, 15),
  ...unpriced(
    'gpt-4o-audio-preview',
    'gpt-4o-audio-preview-2024-10-01',
    'gpt-4o-audio-preview-2024-12-17',
    'gpt-4o-audio-preview-2025-06-03',
    'gpt-4o-mini-audio-preview',
    'gpt-4o-mini-audio-preview-2024-12-17',
  ),
  ...unpriced(
    'gpt-4o-search-preview',
    'gpt-4o-mini-search-preview',
    'gpt-4o-search-preview-2025-03-11',
    'gpt-4o-mini-search-preview-2025-03-11',
    'chatgpt-4o-latest',
    'codex-mini-latest',
  ),
  chat('gpt-4o-mini', 0.15, 0.6, 0.075),
  chat('gpt-4o-mini-2024-07-18', 0.15, 0.6, 0.075),
  chat('gpt-4-turbo', 10, 30),
  chat('gpt-4-turbo-2024-04-09', 10, 30),
  ...unpriced('gpt-4-0125-preview', 'gpt-4-turbo-preview', 'gpt-4-1106-preview', 'gpt-4-vision-preview'),
  chat('gpt-4', 30, 60),
  ...unpriced('gpt-4-0314', 'gpt-4-0613', 'gpt-4-32k', 'gpt-4-32k-0314', 'gpt-4-32k-0613'),
  chat('gpt-3.5-turbo', 0.5, 1.5),
  chat('gpt-3.5-turbo-0125', 0.5, 1.5),
  ...unpriced('gpt-3.5-turbo-16k', 'gpt-3.5-turbo-0301', 'gpt-3.5-turbo-0613', 'gpt-3.5-turbo-1106', 'gpt-3.5-turbo-16k-0613'),
  embedding('text-embedding-3-small', 0.02),
  embedding('text-embedding-3-large', 0.13),
  embedding('text-embedding-ada-002', 0.1),
];

const OPENAI_SOURCE = 'ChatModel and EmbeddingModel unions of the openai SDK 6.49.0 (2026-07-23)';
const PRICES_2025 = 'public price pages as last known to the author (2025); later models unpriced';

export const MODEL_LISTS: Record<ProviderName, ProviderModels> = {
  openai: { writtenOn: '2026-12-03', source: OPENAI_SOURCE, pricesSource: `https://openai.com/api/pricing, ${PRICES_2025}`, models: OPENAI_MODELS },
  // Azure routes to deployments its users name; the models behind them are OpenAI's.
  'azure-openai': {
    writtenOn: '2026-12-03',
    source: `${OPENAI_SOURCE}; Azure deployments carry their own names`,
    pricesSource: `OpenAI's list prices (Azure's global standard deployments charged the same in 2025), ${PRICES_2025}`,
    models: OPENAI_MODELS,
  },
  anthropic: {
    writtenOn: '2026-12-03',
    source: 'Model union of @anthropic-ai/sdk 1.16.0 (2026-12-01), and the 2025 models of the price page it no longer names',
    pricesSource: `https://www.anthropic.com/pricing, ${PRICES_2025}`,
    models: [
      ...unpriced(
        'claude-fable-5-2',
        'claude-mythos-5-2',
        'claude-haiku-5-5',
        'claude-sonnet-5-5',
        'claude-fable-5-1',
        'claude-opus-5-5',
        'claude-mythos-5-1',
        'claude-sonnet-5',
        'claude-fable-5',
        'claude-mythos-5',
        'claude-opus-5',
      ),
      ...unpriced('claude-opus-4-8', 'claude-opus-4-7', 'claude-mythos-preview', 'claude-opus-4-6', 'claude-sonnet-4-6'),
      chat('claude-haiku-4-5', 1, 5, 0.1),
      chat('claude-haiku-4-5-20251001', 1, 5, 0.1),
      chat('claude-opus-4-5', 5, 25, 0.5),
      chat('claude-opus-4-5-20251101', 5, 25, 0.5),
      // Listed on the 2025 price pages, no longer in the SDK's union (perhaps retired since; a request names them as before).
      chat('claude-sonnet-4-5', 3, 15, 0.3),
      chat('claude-sonnet-4-5-20250929', 3, 15, 0.3),
      chat('claude-sonnet-4-0', 3, 15, 0.3),
      chat('claude-sonnet-4-20250514', 3, 15, 0.3),
      chat('claude-opus-4-1', 15, 75, 1.5),
      chat('claude-opus-4-1-20250805', 15, 75, 1.5),
      chat('claude-opus-4-0', 15, 75, 1.5),
      chat('claude-opus-4-20250514', 15, 75, 1.5),
      chat('claude-3-7-sonnet-latest', 3, 15, 0.3),
      chat('claude-3-7-sonnet-20250219', 3, 15, 0.3),
      chat('claude-3-5-haiku-latest', 0.8, 4, 0.08),
      chat('claude-3-5-haiku-20241022', 0.8, 4, 0.08),
      chat('claude-3-haiku-20240307', 0.25, 1.25, 0.03),
    ],
  },
  gemini: {
    writtenOn: '2026-12-03',
    source: 'Model union (Model_2) and the embedding models named in @google/genai 2.32.0',
    pricesSource: `https://ai.google.dev/gemini-api/docs/pricing, ${PRICES_2025}; cached prices left out (they changed during 2025)`,
    models: [
      chat('gemini-2.5-pro', 1.25, 10),
      chat('gemini-2.5-flash', 0.3, 2.5),
      chat('gemini-2.5-flash-lite', 0.1, 0.4),
      ...unpriced(
        'gemini-flash-latest',
        'gemini-flash-lite-latest',
        'gemini-pro-latest',
        'gemini-2.5-flash-image',
        'gemini-3-flash-preview',
        'gemini-3.1-pro-preview',
        'gemini-3.1-pro-preview-customtools',
      ),
      ...unpriced(
        'gemini-3.1-flash-lite',
        'gemini-3.1-flash-lite-image',
        'gemini-3-pro-image',
        'gemini-3.1-flash-image',
        'gemini-3.5-flash',
        'gemini-3.5-flash-lite',
        'gemini-3.6-flash',
        'gemini-3.7-flash',
        'gemini-3.8-flash',
        'gemini-4-argon',
      ),
      ...unpriced('gemma-4-26b-a4b-it', 'gemma-4-31b-it', 'gemini-2.0-flash', 'gemini-2.0-flash-001'),
      embedding('gemini-embedding-001', 0.15),
      embedding('gemini-embedding-2'),
      embedding('text-embedding-004'),
    ],
  },
  bedrock: {
    writtenOn: '2026-12-03',
    source: 'AWS Bedrock model IDs as documented in 2025 (the Bedrock SDK has no model list); cross-region prefixes (us., eu., apac., global.) are accepted',
    pricesSource: `https://aws.amazon.com/bedrock/pricing (on-demand, us-east-1), ${PRICES_2025}`,
    models: [
      chat('anthropic.claude-sonnet-4-5-20250929-v1:0', 3, 15, 0.3),
      chat('anthropic.claude-haiku-4-5-20251001-v1:0', 1, 5, 0.1),
      chat('anthropic.claude-opus-4-1-20250805-v1:0', 15, 75, 1.5),
      chat('anthropic.claude-sonnet-4-20250514-v1:0', 3, 15, 0.3),
      chat('anthropic.claude-3-7-sonnet-20250219-v1:0', 3, 15, 0.3),
      chat('anthropic.claude-3-5-haiku-20241022-v1:0', 0.8, 4, 0.08),
      chat('amazon.nova-premier-v1:0', 2.5, 12.5),
      chat('amazon.nova-pro-v1:0', 0.8, 3.2),
      chat('amazon.nova-lite-v1:0', 0.06, 0.24),
      chat('amazon.nova-micro-v1:0', 0.035, 0.14),
      ...unpriced('meta.llama3-3-70b-instruct-v1:0', 'meta.llama4-maverick-17b-instruct-v1:0', 'mistral.mistral-large-2407-v1:0', 'deepseek.r1-v1:0'),
      embedding('amazon.titan-embed-text-v2:0', 0.02),
      embedding('amazon.titan-embed-text-v1', 0.1),
      embedding('cohere.embed-english-v3', 0.1),
      embedding('cohere.embed-multilingual-v3', 0.1),
    ],
  },
  ollama: {
    writtenOn: '2026-12-03',
    source: 'popular names of the Ollama library (https://ollama.com/library) as known in 2025; any pulled model works',
    pricesSource: 'none: Ollama runs locally, without per-token prices',
    models: [
      ...unpriced('llama3.3', 'llama3.2', 'llama3.1', 'qwen3', 'qwen2.5', 'qwen2.5-coder', 'mistral', 'gemma3', 'phi4', 'deepseek-r1', 'gpt-oss'),
      embedding('nomic-embed-text'),
      embedding('mxbai-embed-large'),
    ],
  },
  'openai-compatible': { writtenOn: '2026-12-03', source: 'none: each server serves its own models', pricesSource: 'none', models: [] },
};

const BEDROCK_REGION_PREFIX = /^(us|eu|apac|jp|au|ca|us-gov|global)\./;

/** Each list by name, made on first use (metrics look a model up per request). */
const byName = new Map<ProviderName, Map<string, KnownModel>>();

/** The known model of this name, if any (Bedrock's cross-region prefixes and Gemini's "models/" ignored). */
export function knownModel(provider: ProviderName, name: string): KnownModel | undefined {
  const bare = provider === 'bedrock' ? name.replace(BEDROCK_REGION_PREFIX, '') : provider === 'gemini' ? name.replace(/^models\//, '') : name;
  let index = byName.get(provider);
  if (!index) byName.set(provider, (index = new Map(MODEL_LISTS[provider].models.map((model) => [model.name, model]))));
  return index.get(bare);
}

/** Whether a name can be checked at all: providers whose users name models freely (Azure deployments, OpenAI-compatible servers, Ollama pulls) are never warned about. */
export function modelListIsClosed(provider: ProviderName): boolean {
  return provider === 'openai' || provider === 'anthropic' || provider === 'gemini' || provider === 'bedrock';
}
