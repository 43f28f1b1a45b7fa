// The request body on its way upstream: streamed by default, buffered only when a feature needs it (model match,
// replay for retries) and only up to a limit, so a large upload never sits in memory. A request that is not
// authenticated is buffered for replay only up to limits.maxPreAuthBufferSize.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { ServerLimits } from '../../../../common/src/config';
import { hasRequestBody, openBody, readBody, streamedBody } from '../clientBody';
import type { GatewayState } from '../context';

export type OutgoingBody =
  { kind: 'none'; replayable: true } | { kind: 'buffer'; data: Buffer; replayable: true } | { kind: 'stream'; stream: Readable; replayable: false };

const NO_BODY: OutgoingBody = { kind: 'none', replayable: true };

/**
 * Chooses how the body goes upstream: buffered (replayable) when retries are possible and it fits, else streamed.
 * A promise only when the body must be read first: the common cases cost no promise and no microtask hop.
 */
export function prepareOutgoingBody(
  req: IncomingMessage,
  res: ServerResponse,
  state: GatewayState,
  wantReplay: boolean,
  limits: ServerLimits,
): OutgoingBody | Promise<OutgoingBody> {
  if (state.body) return { kind: 'buffer', data: state.body, replayable: true };
  // Node's parser holds a body to its declared length (checked against maxBodySize before): only chunked ones are counted.
  const lengthLimit = req.headers['content-length'] === undefined ? limits.maxBodyBytes : Infinity;
  if (state.bodyPrefix) return { kind: 'stream', stream: streamedBody(state.bodyPrefix, req, lengthLimit), replayable: false };
  if (!hasRequestBody(req)) return NO_BODY;
  const replayLimit = Math.min(
    limits.maxBodyBytes,
    state.authenticated ? limits.maxReplayBodyBytes : Math.min(limits.maxReplayBodyBytes, limits.maxPreAuthBufferBytes),
  );
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (!wantReplay || declared > replayLimit) {
    openBody(req, res);
    return { kind: 'stream', stream: streamedBody([], req, lengthLimit), replayable: false };
  }
  return readBody(req, res, state, replayLimit).then((read) =>
    read.complete
      ? { kind: 'buffer', data: read.data, replayable: true }
      : { kind: 'stream', stream: streamedBody(read.prefix, req, lengthLimit), replayable: false },
  );
}
