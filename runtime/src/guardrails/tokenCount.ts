// Prompt size for `maxPromptTokens`: OpenAI models are counted with their family's tokenizer (gpt-tokenizer:
// o200k_base for GPT-4o, GPT-4.1, GPT-5 and the o-series; cl100k_base for GPT-4, GPT-3.5 and the text-embedding
// models); other models are estimated as UTF-8 bytes / 4. BPE is quadratic on one long run without spaces, so a run
// longer than MAX_RUN is counted in MAX_RUN-character pieces (a slight overcount, linear time).
import type { TextSlot } from './openaiTexts';

type CountTokens = (text: string) => number;
type Encoding = 'o200k_base' | 'cl100k_base';

const MAX_RUN = 64;
/** OpenAI's per-message overhead in chat formats: role and separators, and the reply's priming. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

const loaded = new Map<Encoding, CountTokens>();

/** Loads a tokenizer (about 200 ms, at config load, never on a request). */
export function loadEncoding(encoding: Encoding): CountTokens {
  let count = loaded.get(encoding);
  if (!count) {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when a route limits prompt tokens */
    const module = (encoding === 'o200k_base' ? require('gpt-tokenizer/cjs/encoding/o200k_base') : require('gpt-tokenizer/cjs/encoding/cl100k_base')) as {
      countTokens: CountTokens;
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    count = module.countTokens;
    loaded.set(encoding, count);
  }
  return count;
}

const O200K_FAMILIES = ['gpt-4o', 'gpt-4.1', 'gpt-4.5', 'gpt-5', 'chatgpt-4o', 'o1', 'o3', 'o4', 'gpt-oss'];
const CL100K_FAMILIES = ['gpt-4', 'gpt-3.5', 'text-embedding-', 'davinci-002', 'babbage-002'];

export function encodingOf(model: string | undefined): Encoding | undefined {
  if (model === undefined) return undefined;
  const name = model.toLowerCase();
  if (O200K_FAMILIES.some((family) => name.startsWith(family))) return 'o200k_base';
  if (CL100K_FAMILIES.some((family) => name.startsWith(family))) return 'cl100k_base';
  return undefined;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 9 || code === 13;
}

/** Tokens of `text`, counted piece by piece: each piece ends before a space, and no run without spaces exceeds MAX_RUN. */
export function countLinear(text: string, count: CountTokens): number {
  let total = 0;
  let pieceStart = 0;
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isSpace(code)) {
      runStart = i + 1;
      if (i - pieceStart >= 1024) {
        total += count(text.slice(pieceStart, i));
        pieceStart = i;
      }
    } else if (i - runStart >= MAX_RUN) {
      total += count(text.slice(pieceStart, i));
      pieceStart = runStart = i;
    }
  }
  return pieceStart < text.length ? total + count(text.slice(pieceStart)) : total;
}

/** The prompt's tokens: its texts plus OpenAI's chat overhead; estimated for models without a known tokenizer. */
export function promptTokens(slots: readonly TextSlot[], messages: number, count: CountTokens | undefined): number {
  let tokens = messages > 0 ? messages * TOKENS_PER_MESSAGE + REPLY_PRIMING : 0;
  for (const slot of slots) tokens += count ? countLinear(slot.text, count) : Math.ceil(Buffer.byteLength(slot.text) / 4);
  return tokens;
}
