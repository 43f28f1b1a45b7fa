// The request body on its way upstream: streamed by default, buffered only when a feature needs it (model match,
// replay for retries) and only up to a limit, so a large upload never sits in memory.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

export type OutgoingBody =
  { kind: 'none'; replayable: true } | { kind: 'buffer'; data: Buffer; replayable: true } | { kind: 'stream'; stream: Readable; replayable: false };

export type BodyRead = { complete: true; data: Buffer } | { complete: false; prefix: Buffer[] };

/** Reads at most `limit` bytes; stops (without consuming more) as soon as the body is larger. */
export function readBodyUpTo(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        resolve({ complete: false, prefix: chunks });
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
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

export function hasRequestBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * Chooses how the body goes upstream: buffered (replayable) when retries are possible and it fits, else streamed.
 * A promise only when the body must be read first: the common cases cost no promise and no microtask hop.
 */
export function prepareOutgoingBody(
  req: IncomingMessage,
  alreadyRead: Buffer | undefined,
  wantReplay: boolean,
  maxReplayBytes: number,
): OutgoingBody | Promise<OutgoingBody> {
  if (alreadyRead) return { kind: 'buffer', data: alreadyRead, replayable: true };
  if (!hasRequestBody(req)) return { kind: 'none', replayable: true };
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (!wantReplay || declared > maxReplayBytes) return { kind: 'stream', stream: req, replayable: false };
  return readBodyUpTo(req, maxReplayBytes).then((read) =>
    read.complete ? { kind: 'buffer', data: read.data, replayable: true } : { kind: 'stream', stream: prefixedStream(read.prefix, req), replayable: false },
  );
}

/** The bytes already read, then the rest of the original stream. */
export function prefixedStream(prefix: Buffer[], rest: Readable): Readable {
  return Readable.from(
    (async function* () {
      yield* prefix;
      for await (const chunk of rest) yield chunk as Buffer;
    })(),
    { objectMode: false },
  );
}

/** Reads the `model` of a JSON body without failing on bodies that are not JSON. */
export function modelOfJsonBody(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'model' in parsed && typeof parsed.model === 'string') return parsed.model;
  } catch {
    // not JSON: no model to match
  }
  return undefined;
}
