// The request head, checked before any other stage reads it: HTTP/1.0 or 1.1 only (Node also takes an HTTP/0.9
// line or "HTTP/2.0" over an HTTP/1 connection), at most one Host (RFC 9112 3.2: two are refused, as a proxy and
// its upstream could each pick another), and the whole header block, request line included, within
// gateway.limits.maxHeaderSize: Node's own cap counts only the URL, names and values, so many short headers
// passed it by far.
import type { Middleware } from 'koa';
import type { GatewayContext, GatewayState } from '../context';
import { respondWithError } from '../errors';

/** Header fields Node keeps per request (`server.maxHeadersCount`); it drops any past it, which could hide bytes. */
export const MAX_HEADER_FIELDS = 2000;
/** "GET " + " HTTP/1.1\r\n" around the target, and the blank line that ends the block. */
const REQUEST_LINE_AND_END_BYTES = 2 + 9 + 2 + 2;

export function checkRequestHead(): Middleware<GatewayState> {
  return function requestHeadMiddleware(ctx, next) {
    const req = ctx.req;
    if (req.httpVersionMajor !== 1 || req.httpVersionMinor > 1) {
      return refuse(ctx, 400, 'bad_request', `HTTP/${req.httpVersion} is not served here: send HTTP/1.1 (or HTTP/1.0).`);
    }
    const raw = req.rawHeaders;
    let bytes = req.method!.length + req.url!.length + REQUEST_LINE_AND_END_BYTES;
    let hosts = 0;
    for (let index = 0; index < raw.length; index += 2) {
      const name = raw[index] as string;
      bytes += name.length + (raw[index + 1] as string).length + 4; // ": " and CRLF
      if (name.length === 4 && name.toLowerCase() === 'host') hosts += 1;
    }
    if (hosts > 1) return refuse(ctx, 400, 'bad_request', 'The request has more than one Host header.');
    const limit = ctx.state.snapshot.config.gateway.limits.maxHeaderBytes;
    if (bytes > limit || raw.length / 2 >= MAX_HEADER_FIELDS) {
      return refuse(ctx, 431, 'headers_too_large', `The request's header block is larger than gateway.limits.maxHeaderSize (${limit} bytes).`);
    }
    return next();
  };
}

function refuse(ctx: GatewayContext, status: number, type: string, message: string): Promise<void> {
  respondWithError(ctx, status, type, message);
  ctx.set('connection', 'close'); // a head this malformed says nothing reliable about where the next request starts
  return Promise.resolve();
}
