// Streams the upstream body to the client chunk by chunk, honouring back-pressure. A cut mid-stream must not look
// like success: an SSE client gets `event: error` with a JSON reason, any other client sees the connection abort.
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { errorBody } from '../errors';
import { ABORT_CLIENT_GONE, ABORT_IDLE, ABORT_TOTAL_TIMEOUT, errorCode } from './retryPolicy';
import type { UsageTap } from './usageTap';

export type CutReason = 'upstream-error' | 'idle-timeout' | 'total-timeout';

export type RelayOutcome =
  | { kind: 'complete'; bytes: number }
  | { kind: 'cut'; reason: CutReason; message: string; bytes: number }
  | { kind: 'client-gone'; bytes: number };

export interface RelayInput {
  res: ServerResponse;
  body: Readable;
  sse: boolean;
  /** The attempt's controller: aborted by the client leaving, the total budget, or the idle timer armed here. */
  attempt: AbortController;
  idleTimeoutMs: number;
  tap?: UsageTap;
  route: string;
  requestId: string;
  /** Runs after the last chunk and before the response ends (usage is known by then, for whoever waits on close). */
  beforeEnd?: () => void;
}

export async function relayBody(input: RelayInput): Promise<RelayOutcome> {
  const { res, body, tap } = input;
  const signal = input.attempt.signal;
  let bytes = 0;
  let lastChunk: Buffer | undefined;
  const idle = setTimeout(() => input.attempt.abort(ABORT_IDLE), input.idleTimeoutMs);
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      idle.refresh();
      bytes += chunk.length;
      lastChunk = chunk;
      tap?.push(chunk);
      if (!res.write(chunk)) await drained(res, signal);
    }
  } catch (err) {
    if (res.destroyed || (signal.aborted && signal.reason === ABORT_CLIENT_GONE)) return { kind: 'client-gone', bytes };
    const reason: CutReason = signal.reason === ABORT_TOTAL_TIMEOUT ? 'total-timeout' : signal.reason === ABORT_IDLE || errorCode(err) === 'UND_ERR_BODY_TIMEOUT' ? 'idle-timeout' : 'upstream-error';
    const message = cutMessage(reason, err);
    if (input.sse) {
      // Close any half-written event first, so the error event parses on its own.
      const separator = lastChunk && !endsWithBlankLine(lastChunk) ? '\n\n' : '';
      res.end(`${separator}event: error\ndata: ${JSON.stringify(errorBody('upstream_stream_interrupted', message, input.route, input.requestId))}\n\n`);
    } else {
      res.destroy();
    }
    return { kind: 'cut', reason, message, bytes };
  } finally {
    clearTimeout(idle);
  }
  input.beforeEnd?.();
  res.end();
  return { kind: 'complete', bytes };
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', gone);
      signal.removeEventListener('abort', gone);
      resolve();
    };
    const gone = (): void => {
      res.off('drain', done);
      res.off('close', gone);
      signal.removeEventListener('abort', gone);
      reject(new Error('client connection closed'));
    };
    res.on('drain', done);
    res.on('close', gone);
    signal.addEventListener('abort', gone, { once: true });
  });
}

function endsWithBlankLine(chunk: Buffer): boolean {
  const tail = chunk.subarray(-2).toString('latin1');
  return tail === '\n\n' || chunk.subarray(-4).toString('latin1') === '\r\n\r\n';
}

function cutMessage(reason: CutReason, err: unknown): string {
  if (reason === 'idle-timeout') return 'The upstream stopped sending mid-response (idle timeout).';
  if (reason === 'total-timeout') return "The route's total timeout ran out mid-response.";
  return `The upstream connection broke mid-response (${errorCode(err) ?? (err instanceof Error ? err.message : 'unknown error')}).`;
}
