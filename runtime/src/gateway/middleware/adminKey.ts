// The gateway's admin key (AI_GATEWAY_API_KEY) never leaves the gateway: on the gateway's port, after the admin API
// had its turn, a request that carries it (Authorization: Bearer, or x-api-key) loses that header before routing
// and security read it, so no route can forward it. When the admin API has its own listener
// (gateway.admin.listen), such a request was meant for that listener: it is answered 421 instead of reaching a
// catch-all route. (`x-gateway-admin-key`, the tracing header, is removed by observability/traceAccess.ts.)
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import type { GatewayState } from '../context';
import { respondWithError } from '../errors';

const BEARER = /^Bearer +(\S+) *$/i;

/** Only in the pipeline when the gateway has an admin key (AI_GATEWAY_API_KEY). */
export function guardAdminKey(adminKey: string, adminListensElsewhere: boolean): Middleware<GatewayState> {
  const expected = digest(adminKey);
  const isAdminKey = (value: string | undefined): boolean => value !== undefined && timingSafeEqual(digest(value), expected);
  return function guardAdminKeyMiddleware(ctx, next) {
    const headers = ctx.req.headers;
    if (headers.authorization === undefined && headers['x-api-key'] === undefined) return next();
    let carried = false;
    if (isAdminKey(BEARER.exec(headers.authorization ?? '')?.[1])) {
      delete headers.authorization;
      carried = true;
    }
    const apiKey = headers['x-api-key'];
    if (isAdminKey(typeof apiKey === 'string' ? apiKey : undefined)) {
      delete headers['x-api-key'];
      carried = true;
    }
    if (carried && adminListensElsewhere) {
      respondWithError(
        ctx,
        421,
        'misdirected_request',
        "This request carries the gateway's admin key, but the admin API listens on its own address (gateway.admin.listen): send it there. It was not forwarded.",
      );
      return Promise.resolve();
    }
    return next();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
