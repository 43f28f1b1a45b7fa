// The request body for a stage that must see it whole before forwarding (the cache's key, a budget's estimate): as an
// earlier stage read it, else read now, up to maxBodySize once authenticated and up to maxPreAuthBufferSize on a
// public endpoint (past it the read part is kept and the rest streams on, as routeByModel does).
import { bodyTooLargeMessage, hasRequestBody, readBody } from './clientBody';
import type { GatewayContext } from './context';
import { respondWithError } from './errors';

export type ReadBody =
  | { kind: 'whole'; body: Buffer }
  /** Only this much was read (a public endpoint's bound): the rest streams on. */
  | { kind: 'prefix'; prefix: Buffer }
  | { kind: 'none' }
  /** Larger than maxBodySize: 413 answered. */
  | { kind: 'refused' };

export async function readWholeBody(ctx: GatewayContext): Promise<ReadBody> {
  const state = ctx.state;
  if (state.body !== undefined) return { kind: 'whole', body: state.body };
  if (state.bodyPrefix !== undefined) return { kind: 'prefix', prefix: state.bodyPrefix[0]! };
  if (!hasRequestBody(ctx.req)) return { kind: 'none' };
  const limits = state.snapshot.config.gateway.limits;
  const bound = state.authenticated ? limits.maxBodyBytes : Math.min(limits.maxPreAuthBufferBytes, limits.maxBodyBytes);
  const read = await readBody(ctx.req, ctx.res, state, bound);
  if (read.complete) {
    state.body = read.data;
    return { kind: 'whole', body: read.data };
  }
  if (state.authenticated) {
    respondWithError(ctx, 413, 'request_too_large', bodyTooLargeMessage(limits.maxBodyBytes));
    ctx.set('connection', 'close'); // the unread rest of the body would otherwise be parsed as the next request
    return { kind: 'refused' };
  }
  const prefix = Buffer.concat(read.prefix, read.size);
  state.bodyPrefix = [prefix];
  return { kind: 'prefix', prefix };
}
