// Tokens of text a model wrote, for answers that do not report their `usage` (a stream without
// `stream_options.include_usage`). OpenAI-family models are counted with their own tokenizer (gpt-tokenizer: o200k
// for gpt-4o, gpt-4.1, gpt-5, o1/o3/o4; cl100k for gpt-4 and gpt-3.5); any other model, or a gateway run from the
// extension's bundle (which leaves the tokenizer's tables out), gets the documented estimate: one token per four
// characters (README, "Token limits"). The tables are loaded by the first answer that needs counting (~0.3 s, 55-70 MB
// for o200k), after it reached the client; its token reservation holds meanwhile, so nothing is over-admitted.

export type EncodingName = 'o200k_base' | 'cl100k_base';
type Counter = (text: string) => number;

export const CHARS_PER_ESTIMATED_TOKEN = 4;

const loading = new Map<EncodingName, Promise<Counter | undefined>>();

/** The tokenizer of a family, loading it on first use; undefined when it is not installed (the extension's bundle). */
export function counterFor(encoding: EncodingName): Promise<Counter | undefined> {
  let counter = loading.get(encoding);
  if (!counter) {
    const module = encoding === 'o200k_base' ? import('gpt-tokenizer/encoding/o200k_base') : import('gpt-tokenizer/encoding/cl100k_base');
    counter = module.then(
      (tokenizer): Counter =>
        (text) =>
          tokenizer.countTokens(text),
      () => undefined, // not installed (the extension's bundle): the estimate counts
    );
    loading.set(encoding, counter);
  }
  return counter;
}

const O200K = /^(gpt-4o|gpt-4\.\d|gpt-[5-9]|o[1-9]|chatgpt-|codex-|gpt-oss|gpt-realtime|gpt-audio)/;
const CL100K = /^(gpt-4($|-)|gpt-3\.5|gpt-35|text-embedding-(ada-002|3))/;

/** The tokenizer family of a model name, when it is an OpenAI model gpt-tokenizer counts. */
export function encodingOf(model: string | undefined): EncodingName | undefined {
  const name = model?.toLowerCase();
  if (!name) return undefined;
  if (O200K.test(name)) return 'o200k_base';
  return CL100K.test(name) ? 'cl100k_base' : undefined;
}

/** Tokens in `text` as `model` counts them, or the estimate when its tokenizer is unknown or not installed. */
export async function countTokens(text: string, model: string | undefined): Promise<number> {
  const encoding = encodingOf(model);
  const counter = encoding ? await counterFor(encoding) : undefined;
  return counter ? counter(text) : Math.ceil(text.length / CHARS_PER_ESTIMATED_TOKEN);
}
