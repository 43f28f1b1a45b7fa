// Tokens of text a model wrote, for answers that do not report their `usage` (a stream without
// `stream_options.include_usage`). OpenAI-family models are counted with their own tokenizer (gpt-tokenizer);
// for any other model a documented estimate is used: one token per four characters (README, "Token limits").
// The tokenizers are loaded only when a token limit exists (their tables are large: ~0.3 s and ~70 MB for o200k).

type EncodingName = 'o200k_base' | 'cl100k_base';
type Counter = (text: string) => number;

export const CHARS_PER_ESTIMATED_TOKEN = 4;

const loading = new Map<EncodingName, Promise<Counter>>();
let modelEncodings: Promise<Record<string, string>> | undefined;

function counterFor(encoding: EncodingName): Promise<Counter> {
  let counter = loading.get(encoding);
  if (!counter) {
    // Loaded when first needed (or preloaded at config apply): most gateways never pay for the tables.
    const module = encoding === 'o200k_base' ? import('gpt-tokenizer/encoding/o200k_base') : import('gpt-tokenizer/encoding/cl100k_base');
    counter = module.then((tokenizer) => (text: string) => tokenizer.countTokens(text));
    loading.set(encoding, counter);
  }
  return counter;
}

/** The tokenizer family of a model name, when it is one gpt-tokenizer knows (OpenAI's models). */
export async function encodingOf(model: string | undefined): Promise<EncodingName | undefined> {
  if (!model) return undefined;
  const name = model.toLowerCase();
  modelEncodings ??= import('gpt-tokenizer/mapping').then((mapping) => mapping.modelToEncodingMap as Record<string, string>);
  const encodings = await modelEncodings;
  const mapped = encodings[name] ?? encodings[name.replace(/-\d{4}-\d{2}-\d{2}$/, '')];
  if (mapped === 'cl100k_base') return 'cl100k_base';
  if (mapped !== undefined) return mapped.startsWith('o200k') ? 'o200k_base' : undefined;
  // Models newer than the map (gpt-4o, gpt-4.1, gpt-5, o1, o3, o4, chatgpt-4o...) use o200k, the library's default.
  return /^(gpt-[4-9]|o[1-9]|chatgpt-|codex-|gpt-oss)/.test(name) ? 'o200k_base' : undefined;
}

/** Loads the tokenizer a token limit will use most (o200k: every current OpenAI model) ahead of the first request. */
export function preloadTokenizer(): void {
  counterFor('o200k_base').catch(() => loading.delete('o200k_base'));
}

/** Tokens in `text` as `model` counts them, or the estimate when the model's tokenizer is unknown. */
export async function countTokens(text: string, model: string | undefined): Promise<number> {
  const encoding = await encodingOf(model);
  return encoding ? (await counterFor(encoding))(text) : Math.ceil(text.length / CHARS_PER_ESTIMATED_TOKEN);
}
