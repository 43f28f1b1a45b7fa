// Prompt size for `maxPromptTokens`: OpenAI models are counted with their family's tokenizer (the gateway's
// gpt-tokenizer loader, gateway/upstream/tokenCount.ts); other models, or a gateway without the tokenizer's tables
// (the extension's bundle), get the documented estimate of one token per four characters. BPE is quadratic on one
// long run without spaces, so a run longer than MAX_RUN is counted in MAX_RUN-character pieces (a slight overcount,
// linear time).
import { CHARS_PER_ESTIMATED_TOKEN, counterFor, type EncodingName } from '../gateway/upstream/tokenCount';
import type { TextSlot } from './openaiTexts';

export type CountTokens = (text: string) => number;

const MAX_RUN = 64;
/** OpenAI's per-message overhead in chat formats: role and separators, and the reply's priming. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

/** The tokenizers of both families, loaded at config load (never on a request); `counter` once `ready` settled. */
export class Tokenizers {
  private readonly counters = new Map<EncodingName, CountTokens | undefined>();
  readonly ready: Promise<void>;
  loaded = false;

  constructor() {
    const families: EncodingName[] = ['o200k_base', 'cl100k_base'];
    this.ready = Promise.all(families.map((family) => counterFor(family).then((counter) => this.counters.set(family, counter)))).then(() => {
      this.loaded = true;
    });
  }

  counter(encoding: EncodingName | undefined): CountTokens | undefined {
    return encoding === undefined ? undefined : this.counters.get(encoding);
  }
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
  for (const slot of slots) tokens += count ? countLinear(slot.text, count) : Math.ceil(slot.text.length / CHARS_PER_ESTIMATED_TOKEN);
  return tokens;
}
