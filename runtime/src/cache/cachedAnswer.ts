// A stored answer: the bytes the client was sent, in the chunks they were written in (a stream replays as it came),
// with what a replay needs (status, content type, the pauses between chunks) and what accounting needs (usage, cost).
// In Redis it is one binary value: a 4-byte header length, the JSON header, then the chunks back to back.
import type { UsageTokens } from '../gateway/context';

export type AnswerKind = 'json' | 'sse' | 'other';

export interface CachedAnswer {
  status: number;
  contentType: string;
  contentEncoding?: string;
  kind: AnswerKind;
  chunks: Buffer[];
  /** Milliseconds before each chunk since the one before it (the first: since the head), for a paced replay. */
  gapsMs: number[];
  usage?: UsageTokens;
  /** What the answer cost when it was fetched (US dollars), when its model has a price. */
  costUsd?: number;
  /** The model that answered (a provider target's): what a replay behind the Messages front door names. */
  model?: string;
  /** Epoch milliseconds when it was stored (its `age`). */
  storedAt: number;
}

interface Header {
  s: number;
  t: string;
  e?: string;
  k: AnswerKind;
  l: number[];
  g: number[];
  u?: UsageTokens;
  c?: number;
  m?: string;
  at: number;
}

export function answerKindOf(contentType: string): AnswerKind {
  if (contentType.includes('text/event-stream')) return 'sse';
  return contentType.includes('json') ? 'json' : 'other';
}

/** Bytes an answer takes in a store (its body, plus a small allowance for the rest). */
export function answerSize(answer: CachedAnswer): number {
  let size = 256 + answer.contentType.length;
  for (const chunk of answer.chunks) size += chunk.length;
  return size;
}

export function encodeAnswer(answer: CachedAnswer): Buffer {
  const header: Header = {
    s: answer.status,
    t: answer.contentType,
    k: answer.kind,
    l: answer.chunks.map((chunk) => chunk.length),
    g: answer.gapsMs,
    at: answer.storedAt,
    ...(answer.contentEncoding ? { e: answer.contentEncoding } : {}),
    ...(answer.usage ? { u: answer.usage } : {}),
    ...(answer.costUsd !== undefined ? { c: answer.costUsd } : {}),
    ...(answer.model !== undefined ? { m: answer.model } : {}),
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length, 0);
  return Buffer.concat([length, head, ...answer.chunks]);
}

/** The answer in `value`, or undefined when it is not one this version wrote (it is then treated as absent). */
export function decodeAnswer(value: Buffer): CachedAnswer | undefined {
  if (value.length < 4) return undefined;
  const headLength = value.readUInt32BE(0);
  if (4 + headLength > value.length) return undefined;
  let header: Header;
  try {
    header = JSON.parse(value.toString('utf8', 4, 4 + headLength)) as Header;
  } catch {
    return undefined;
  }
  if (!Array.isArray(header.l) || typeof header.s !== 'number' || typeof header.t !== 'string') return undefined;
  const chunks: Buffer[] = [];
  let offset = 4 + headLength;
  for (const length of header.l) {
    if (offset + length > value.length) return undefined;
    chunks.push(value.subarray(offset, offset + length));
    offset += length;
  }
  return {
    status: header.s,
    contentType: header.t,
    kind: header.k,
    chunks,
    gapsMs: Array.isArray(header.g) ? header.g : [],
    storedAt: header.at,
    ...(header.e ? { contentEncoding: header.e } : {}),
    ...(header.u ? { usage: header.u } : {}),
    ...(typeof header.c === 'number' ? { costUsd: header.c } : {}),
    ...(typeof header.m === 'string' ? { model: header.m } : {}),
  };
}
