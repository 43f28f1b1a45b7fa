// Answers a request from a stored answer: in the form the request asks for (a stored stream assembled into JSON, or
// a stored JSON answer cut into OpenAI's chunks, when the shapes allow it), a stream in the chunks it was stored in,
// with the pauses it arrived with when the route paces replays, honouring back-pressure and a client that leaves. On a
// guarded route a stream is written through the request's answer guardrails (cache/guardedAnswer.ts).
import type { ServerResponse } from 'node:http';
import type { AnswerTransform } from '../guardrails/answerGuard';
import { serverTimingValue } from '../observability/serverTiming';
import type { GatewayContext } from '../gateway/context';
import type { UsageTap } from '../gateway/upstream/usageTap';
import type { CachedAnswer } from './cachedAnswer';
import type { CacheRequest } from './cacheKey';
import { assembleStream, streamAnswer } from './openaiStream';

/** A paced replay never waits longer than this between two chunks. */
const MAX_PACED_GAP_MS = 5_000;

export interface Servable {
  status: number;
  sse: boolean;
  contentType: string;
  contentEncoding?: string;
  chunks: Buffer[];
  gapsMs: number[];
}

/** The stored answer as this request wants it, or undefined when it cannot be given in that form. */
export function servableFor(answer: CachedAnswer, request: CacheRequest): Servable | undefined {
  const same: Servable = {
    status: answer.status,
    sse: answer.kind === 'sse',
    contentType: answer.contentType,
    ...(answer.contentEncoding ? { contentEncoding: answer.contentEncoding } : {}),
    chunks: answer.chunks,
    gapsMs: answer.gapsMs,
  };
  if (answer.kind === 'other' || (answer.kind === 'sse') === request.stream) return same;
  if (answer.contentEncoding) return undefined; // compressed bytes cannot be reshaped
  if (answer.kind === 'sse') {
    const json = assembleStream(answer.chunks);
    return json && { status: answer.status, sse: false, contentType: 'application/json', chunks: [json], gapsMs: [] };
  }
  const chunks = streamAnswer(answer.chunks, request.includeUsage);
  return chunks && { status: answer.status, sse: true, contentType: 'text/event-stream; charset=utf-8', chunks, gapsMs: [] };
}

export interface ReplayOutcome {
  /** `guardrail-blocked`: the answer guardrails ended the stream with their `event: error`. */
  kind: 'complete' | 'client-gone' | 'guardrail-blocked';
  bytes: number;
}

export function replayAnswer(
  ctx: GatewayContext,
  servable: Servable,
  ageSec: number,
  pace: boolean,
  transform?: AnswerTransform,
): ReplayOutcome | Promise<ReplayOutcome> {
  const res = ctx.res;
  const state = ctx.state;
  ctx.respond = false;
  if (res.destroyed) return { kind: 'client-gone', bytes: 0 };
  const headers: Record<string, string | number> = {
    'content-type': servable.contentType,
    ...state.answerHeaders,
    'x-request-id': state.requestId,
    'server-timing': serverTimingValue(state.timings),
    'x-gateway-cache': 'hit',
    age: ageSec,
  };
  if (servable.contentEncoding) headers['content-encoding'] = servable.contentEncoding;
  // The Traffic view and the span read a hit's answer as they read a proxied one.
  const captured = state.capture?.answer(servable.status, { 'content-type': servable.contentType }, undefined);
  if (!servable.sse) {
    for (const chunk of servable.chunks) captured?.push(chunk);
    headers['content-length'] = servable.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    res.writeHead(servable.status, headers);
    const bytes = headers['content-length'];
    if (servable.chunks.length === 1) res.end(servable.chunks[0]);
    else {
      for (const chunk of servable.chunks) res.write(chunk);
      res.end();
    }
    return { kind: 'complete', bytes };
  }
  headers['cache-control'] = 'no-cache';
  res.writeHead(servable.status, headers);
  res.flushHeaders();
  return writeStream(res, servable, pace, transform, captured);
}

async function writeStream(
  res: ServerResponse,
  servable: Servable,
  pace: boolean,
  transform: AnswerTransform | undefined,
  captured: UsageTap | undefined,
): Promise<ReplayOutcome> {
  let bytes = 0;
  for (let i = 0; i < servable.chunks.length; i++) {
    const gap = pace ? Math.min(servable.gapsMs[i] ?? 0, MAX_PACED_GAP_MS) : 0;
    if (gap > 0 && !(await waitOrClose(res, gap))) return { kind: 'client-gone', bytes };
    const chunk = transform ? Buffer.from(transform.push(servable.chunks[i]!)) : servable.chunks[i]!;
    bytes += chunk.length;
    captured?.push(chunk);
    if (transform?.stopped) {
      res.end(chunk); // the guardrail's error event is the last thing the client gets
      return { kind: 'guardrail-blocked', bytes };
    }
    if (chunk.length > 0 && !res.write(chunk) && !(await drainOrClose(res))) return { kind: 'client-gone', bytes };
  }
  const tail = transform ? await transform.end() : '';
  bytes += Buffer.byteLength(tail);
  if (tail !== '') captured?.push(Buffer.from(tail));
  res.end(tail);
  return { kind: transform?.stopped ? 'guardrail-blocked' : 'complete', bytes };
}

/** Resolves true after `ms`, false as soon as the client leaves. */
function waitOrClose(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}

function drainOrClose(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (drained: boolean): void => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(drained);
    };
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
