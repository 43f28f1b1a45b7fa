// Streams the upstream body to the client chunk by chunk, honouring back-pressure; a body that has all arrived by
// the time the headers go out is written at once. A cut mid-stream must not look like success: an SSE client gets
// `event: error` with a JSON reason, any other client sees the connection abort. A `StreamTransform` rewrites the
// body on its way (a route's answer guardrails, a provider's stream translated event by event as each arrives).
import type { ServerResponse } from 'node:http';
import { errorBody } from '../errors';
import type { AbortSource } from './abortSource';
import type { UpstreamExchange } from './exchange';
import { ABORT_CLIENT_GONE, ABORT_IDLE, ABORT_TOTAL_TIMEOUT, errorCode } from './retryPolicy';
import type { UsageTap } from './usageTap';

export type CutReason = 'upstream-error' | 'idle-timeout' | 'total-timeout';

export type RelayOutcome =
  | { kind: 'complete'; bytes: number }
  /** `cause`: the error that ended the exchange (the client's request body may be the one that failed). */
  | { kind: 'cut'; reason: CutReason; message: string; bytes: number; cause: unknown }
  | { kind: 'client-gone'; bytes: number };

export interface RelayInput {
  res: ServerResponse;
  body: UpstreamExchange;
  sse: boolean;
  /** The attempt's controller: aborted by the client leaving, the total budget, or the idle timer armed here. */
  attempt: AbortSource;
  idleTimeoutMs: number;
  /** performance.now() when the route's total budget ends: its own timer (the proxy's) cuts the stream then. */
  deadline: number;
  /** performance.now() as the relay starts (the caller just read the clock). */
  now: number;
  tap?: UsageTap;
  route: string;
  requestId: string;
  /** Runs after the last chunk and before the response ends (usage is known by then, for whoever waits on close). */
  beforeEnd?: () => void;
  /** Rewrites the body (a route's answer guardrails, a provider's stream translated); it is then always relayed as a stream. */
  transform?: StreamTransform;
}

/** A body rewritten on its way: upstream bytes in, the client's text out. */
export interface StreamTransform {
  push(chunk: Buffer): string;
  /** The upstream ended: what is left to send (a promise while end-of-answer checks run). */
  end(): string | Promise<string>;
  /** True once the answer was refused (a guardrail): what push returned goes out last and the upstream is let go. */
  readonly stopped: boolean;
  /** A translated stream's: false when it closed before its own last event, which the client hears as a cut. */
  readonly complete?: boolean;
  /** A translated stream's: it ended on an error it has already sent on (the provider's error event). */
  readonly failed?: boolean;
  /** A translated stream's: the gateway's `event: error` for a cut, in the client's format. */
  errorEvent?(text: string): string;
}

/** A promise only when the body is still arriving: an answer that is all here already is written at once. */
export function relayBody(input: RelayInput): RelayOutcome | Promise<RelayOutcome> {
  const complete = input.transform ? undefined : input.body.takeCompleteBody();
  return complete ? relayComplete(input, complete) : relayStream(input);
}

/** The whole body is already in memory: nothing to wait for, to pause or to time. */
function relayComplete(input: RelayInput, chunks: Buffer[]): RelayOutcome {
  const { res, tap } = input;
  if (res.destroyed) return { kind: 'client-gone', bytes: 0 };
  let bytes = 0;
  for (const chunk of chunks) {
    bytes += chunk.length;
    tap?.push(chunk);
  }
  input.beforeEnd?.();
  if (chunks.length === 1) {
    res.end(chunks[0]);
  } else {
    for (const chunk of chunks) res.write(chunk);
    res.end();
  }
  return { kind: 'complete', bytes };
}

async function relayStream(input: RelayInput): Promise<RelayOutcome> {
  const { res, body, tap } = input;
  const signal = input.attempt;
  let bytes = 0;
  let lastChunk: Buffer | string | undefined;
  const flow = { waitingOnClient: false };
  // An idle limit at least as long as the budget left can never fire first: the budget's timer is enough. While the
  // client is slow to read, the upstream is paused by the gateway: that is not the upstream being idle.
  const idle =
    input.idleTimeoutMs < input.deadline - input.now
      ? setTimeout(() => {
          if (!flow.waitingOnClient) input.attempt.abort(ABORT_IDLE);
        }, input.idleTimeoutMs)
      : undefined;
  const transform = input.transform;
  try {
    await pump(
      body,
      res,
      flow,
      idle,
      (chunk) => {
        idle?.refresh();
        tap?.push(chunk);
        const out = transform ? transform.push(chunk) : chunk;
        const size = typeof out === 'string' ? Buffer.byteLength(out) : out.length;
        bytes += size;
        if (size > 0) lastChunk = out;
        return out;
      },
      transform,
    );
  } catch (err) {
    if (res.destroyed || (signal.aborted && signal.reason === ABORT_CLIENT_GONE)) return { kind: 'client-gone', bytes };
    const reason: CutReason =
      signal.reason === ABORT_TOTAL_TIMEOUT
        ? 'total-timeout'
        : signal.reason === ABORT_IDLE || errorCode(err) === 'UND_ERR_BODY_TIMEOUT'
          ? 'idle-timeout'
          : 'upstream-error';
    const message = cutMessage(reason, err);
    if (transform?.errorEvent) {
      res.end(transform.failed ? undefined : transform.errorEvent(errorEvent(message, input)));
    } else if (input.sse) {
      // Close any half-written event first, so the error event parses on its own.
      const separator = lastChunk !== undefined && !endsWithBlankLine(lastChunk) ? '\n\n' : '';
      res.end(`${separator}${errorEvent(message, input)}`);
    } else {
      res.destroy();
    }
    return { kind: 'cut', reason, message, bytes, cause: err };
  } finally {
    clearTimeout(idle);
  }
  const ending = transform?.end() ?? '';
  const tail = typeof ending === 'string' ? ending : await ending;
  bytes += Buffer.byteLength(tail);
  if (transform?.complete === false) {
    if (tail !== '') res.write(tail);
    return cutTransformed(input, transform, bytes);
  }
  input.beforeEnd?.();
  res.end(tail);
  return { kind: 'complete', bytes };
}

function errorEvent(message: string, input: RelayInput): string {
  return `event: error\ndata: ${JSON.stringify(errorBody('upstream_stream_interrupted', message, input.route, input.requestId))}\n\n`;
}

/** A translated stream that closed before its own end: the client hears it as a cut, unless the provider's error was sent on. */
function cutTransformed(input: RelayInput, transform: StreamTransform, bytes: number): RelayOutcome {
  const message = transform.failed ? "The provider's stream ended with an error." : "The provider's stream ended before its last event.";
  input.res.end(transform.failed || !transform.errorEvent ? undefined : transform.errorEvent(errorEvent(message, input)));
  return { kind: 'cut', reason: 'upstream-error', message, bytes, cause: undefined };
}

/**
 * Writes each chunk of `body` to `res` as it arrives, pausing the upstream while `res` is full; rejects with the
 * exchange's error (the abort reason when the attempt is aborted), or when the client leaves while the body waits
 * for it (the upstream is then aborted, which frees its connection).
 */
function pump(
  body: UpstreamExchange,
  res: ServerResponse,
  flow: { waitingOnClient: boolean },
  idle: NodeJS.Timeout | undefined,
  onChunk: (chunk: Buffer) => Buffer | string,
  transform?: StreamTransform,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let waiting = false;
    const stopWaiting = (): void => {
      if (!waiting) return;
      waiting = false;
      flow.waitingOnClient = false;
      res.off('drain', onDrain);
      res.off('close', onClientGone);
    };
    const onDrain = (): void => {
      stopWaiting();
      idle?.refresh(); // the upstream's idle time starts again when it may send again
      body.resume();
    };
    const settle = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      stopWaiting();
      if (err === undefined) resolve();
      else reject(err instanceof Error ? err : new Error(String(err)));
    };
    const onClientGone = (): void => {
      const err = new Error('client connection closed');
      settle(err);
      body.abort(err);
    };
    body.attach({
      data(chunk) {
        if (settled) return true;
        let out;
        try {
          out = onChunk(chunk);
        } catch (err) {
          // A provider's stream its translator cannot read: a cut like a broken connection.
          settle(err);
          body.abort(err);
          return true;
        }
        if (transform?.stopped) {
          // A guardrail refused the answer: its error event is the last thing the client gets; the upstream is let go.
          res.write(out);
          settle();
          body.abort(new Error('answer refused by a guardrail'));
          return true;
        }
        if (out.length === 0 || res.write(out)) return true;
        if (!waiting) {
          waiting = true;
          flow.waitingOnClient = true;
          res.on('drain', onDrain);
          res.on('close', onClientGone);
        }
        return false;
      },
      end: () => settle(),
      error: (err) => settle(err),
    });
  });
}

function endsWithBlankLine(chunk: Buffer | string): boolean {
  if (typeof chunk === 'string') return chunk.endsWith('\n\n') || chunk.endsWith('\r\n\r\n');
  const tail = chunk.subarray(-2).toString('latin1');
  return tail === '\n\n' || chunk.subarray(-4).toString('latin1') === '\r\n\r\n';
}

function cutMessage(reason: CutReason, err: unknown): string {
  if (reason === 'idle-timeout') return 'The upstream stopped sending mid-response (idle timeout).';
  if (reason === 'total-timeout') return "The route's total timeout ran out mid-response.";
  return `The upstream connection broke mid-response (${errorCode(err) ?? (err instanceof Error ? err.message : 'unknown error')}).`;
}
