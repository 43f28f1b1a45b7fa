// The client's request body as the gateway reads it. `100 Continue` goes out only when a stage first needs the body,
// so never before authentication and the checks that come before it; a body of unknown length is counted while it
// streams and stops at gateway.limits.maxBodySize; what a failed exchange says about the client (gone, too large,
// too slow, a header the proxy cannot send) is told apart from a fault of the upstream.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { GatewayState } from './context';
import type { AbortSource } from './upstream/abortSource';
import { ABORT_CLIENT_GONE, errorCode } from './upstream/retryPolicy';

/** Requests that arrived with `Expect: 100-continue` (Node's 'checkContinue' event) and still wait for the 100. */
const awaitingContinue = new WeakSet<IncomingMessage>();

export function markExpectsContinue(req: IncomingMessage): void {
  awaitingContinue.add(req);
}

/** Whether the client was told to send its body or never asked to wait: false while it still waits for the 100. */
export function mayReadBody(req: IncomingMessage): boolean {
  return !awaitingContinue.has(req);
}

/** Called by every stage right before it reads the body: sends the awaited `100 Continue` once. */
export function openBody(req: IncomingMessage, res: ServerResponse): void {
  if (!awaitingContinue.delete(req)) return;
  if (!res.headersSent && !res.destroyed) res.writeContinue();
}

export type BodyRead = { complete: true; data: Buffer } | { complete: false; prefix: Buffer[]; size: number };

/**
 * Reads the body up to `limit` bytes (and at most one socket read past it), after sending the awaited 100 Continue.
 * What is held for a request that is not authenticated is counted on its state (metrics show the total).
 */
export async function readBody(req: IncomingMessage, res: ServerResponse, state: GatewayState, limit: number): Promise<BodyRead> {
  openBody(req, res);
  const read = await readBodyUpTo(req, limit);
  if (!state.authenticated) state.unauthenticatedBufferedBytes += read.complete ? read.data.length : read.size;
  return read;
}

/** Reads at most `limit` bytes; stops (without consuming more) as soon as the body is larger. */
function readBodyUpTo(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        resolve({ complete: false, prefix: chunks, size });
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ complete: true, data: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) });
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    // Destroyed without an error event (the connection closed under it): the body will never end.
    const onClose = (): void => onError(Object.assign(new Error('the client closed the connection mid-body'), { code: 'ECONNRESET' }));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Requests whose body the gateway itself stopped reading (a failed exchange): their end says nothing of the client. */
const cutByGateway = new WeakSet<IncomingMessage>();

/**
 * Stops reading a client's body after the exchange it fed failed. As undici's util.destroy, the request is detached
 * from its socket first, so the gateway can still answer on the connection.
 */
export function stopReadingBody(req: IncomingMessage, err: unknown): void {
  cutByGateway.add(req);
  (req as { socket: unknown }).socket = null;
  req.destroy(err instanceof Error ? err : undefined);
}

export function hasRequestBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

export class BodyTooLarge extends Error {
  readonly code = 'ERR_GATEWAY_BODY_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`the request body is larger than gateway.limits.maxBodySize (${limit} bytes)`);
  }
}

export function bodyTooLargeMessage(limit: number): string {
  return `The request body is larger than gateway.limits.maxBodySize (${limit} bytes).`;
}

/**
 * The bytes already read, then the rest of the request, failing with BodyTooLarge past `limit` (a body of unknown
 * length; a declared Content-Length was checked before and Node's parser holds the client to it). Ending early
 * never destroys the request: the gateway may still answer on its connection.
 */
export function streamedBody(prefix: readonly Buffer[], req: IncomingMessage, limit: number): Readable {
  if (prefix.length === 0 && limit === Infinity) return req;
  return Readable.from(
    (async function* () {
      let size = 0;
      for (const chunk of prefix) {
        size += chunk.length;
        if (size > limit) throw new BodyTooLarge(limit);
        yield chunk;
      }
      for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit) throw new BodyTooLarge(limit);
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

export type ClientFault = { kind: 'gone' } | { kind: 'refused'; status: 400 | 408 | 413; type: string; message: string };

// undici refuses some requests before sending them (a header it does not support, a length that does not add up):
// what the client sent cannot be forwarded as is.
const REFUSED_BY_PROXY = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH']);

/**
 * What an exchange failure says about the client, or undefined when it is the upstream's (the only kind that counts
 * against a target: breaker, health, latency). `streaming`: the body went upstream as the client sent it.
 */
export function clientFaultOf(err: unknown, signal: AbortSource, req: IncomingMessage, streaming: boolean): ClientFault | undefined {
  if (signal.aborted && signal.reason === ABORT_CLIENT_GONE) return { kind: 'gone' };
  if (err instanceof BodyTooLarge) return { kind: 'refused', status: 413, type: 'request_too_large', message: bodyTooLargeMessage(err.limit) };
  if (streaming && !req.complete) {
    if (req.destroyed && !cutByGateway.has(req)) return { kind: 'gone' }; // the client left mid-upload
    // A timer ran out while the upload was still arriving and the upstream was taking it: nothing read and waiting
    // (a paused request, or bytes left in its buffer, mean the upstream held the body back).
    if (signal.aborted && !req.isPaused() && req.readableLength === 0) {
      return {
        kind: 'refused',
        status: 408,
        type: 'request_timeout',
        message: "The request body had not fully arrived when the route's time budget ran out.",
      };
    }
  }
  const code = errorCode(err);
  if (code !== undefined && REFUSED_BY_PROXY.has(code)) {
    return { kind: 'refused', status: 400, type: 'bad_request', message: `The request cannot be forwarded: ${(err as Error).message}.` };
  }
  return undefined;
}
