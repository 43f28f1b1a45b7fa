// A small embedding model behind an OpenAI-compatible `POST /v1/embeddings` on loopback, for the semantic cache's
// tests. The built-in mock's embeddings are sums of character codes: every English sentence lands near every other, so
// they cannot tell a paraphrase from an unrelated prompt. This one embeds meaning the simple way: words lower-cased,
// stop words dropped, a light suffix stemmer, a small synonym table mapping words to concepts, and each concept hashed
// into one of 256 dimensions with its count as weight. Paraphrases that share concepts point the same way; prompts
// about other things are nearly orthogonal. It counts the requests it answers and keeps the texts it was sent.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const DIMENSIONS = 256;
const STOP_WORDS = new Set(
  'a an and are as at be can could do does for from how i in is it me my of on or please should the to was what whats when where which who why will with would you your user assistant system s'.split(
    ' ',
  ),
);
/** Words that mean the same thing here, each mapped to one concept. */
const SYNONYMS: Record<string, string> = {
  recover: 'reset',
  restore: 'reset',
  change: 'reset',
  passcode: 'password',
  passphrase: 'password',
  pwd: 'password',
  login: 'account',
  signin: 'account',
  profile: 'account',
  town: 'city',
  metropolis: 'city',
  nation: 'country',
};

function stem(word: string): string {
  for (const suffix of ['ing', 'ed', 'es', 'ly', 's']) {
    if (word.length > suffix.length + 3 && word.endsWith(suffix)) return word.slice(0, -suffix.length);
  }
  return word;
}

export function embedText(text: string): number[] {
  const vector = new Array<number>(DIMENSIONS).fill(0);
  for (const raw of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (raw === '' || STOP_WORDS.has(raw)) continue;
    const concept = SYNONYMS[raw] ?? SYNONYMS[stem(raw)] ?? stem(raw);
    vector[hash(concept) % DIMENSIONS]! += 1;
  }
  return vector;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export interface EmbeddingUpstream {
  url: string;
  readonly requests: number;
  /** Every text it was asked to embed, in order. */
  readonly inputs: string[];
  close(): Promise<void>;
}

export async function startEmbeddingUpstream(): Promise<EmbeddingUpstream> {
  let requests = 0;
  const inputs: string[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found","type":"not_found"}}');
        return;
      }
      requests += 1;
      const { input, model } = JSON.parse(raw) as { input: string | string[]; model?: string };
      const texts = Array.isArray(input) ? input : [input];
      inputs.push(...texts);
      const data = texts.map((text, index) => ({ object: 'embedding', index, embedding: embedText(text) }));
      const tokens = texts.join(' ').split(/\s+/).length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data, model: model ?? 'bag-of-concepts', usage: { prompt_tokens: tokens, total_tokens: tokens } }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return requests;
    },
    inputs,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
