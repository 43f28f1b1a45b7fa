// In a worker of gateway.workers, the admin API (`/api/v1`) is the primary's: it owns the config store, so a change
// is validated, applied to every worker and written to the file once, whichever worker took the request. The request
// goes to the primary's private socket as it came (headers, body streamed, never read here) and its answer comes
// back; `/healthz` and `/readyz` stay with the worker, since they say whether this process serves.
import type { Middleware } from 'koa';
import { Client } from 'undici';
import { Admin, Workers } from '../../../common/src/protocol';
import type { GatewayState } from '../gateway/context';
import { respondWithError } from '../gateway/errors';

/** Headers of one hop only: not passed on in either direction. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-connection', 'host', 'expect']);

export interface AdminForward {
  middleware: Middleware<GatewayState>;
  close(): Promise<void>;
}

export function forwardAdmin(socketPath: string): AdminForward {
  const primary = new Client('http://ai-gateway-primary', { socketPath });
  const basePrefix = `${Admin.basePath}/`;
  const middleware: Middleware<GatewayState> = function forwardAdminMiddleware(ctx, next) {
    const path = ctx.path;
    if (path !== Admin.basePath && !path.startsWith(basePrefix)) return next();
    return forward(ctx);
  };

  async function forward(ctx: Parameters<Middleware<GatewayState>>[0]): Promise<void> {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(ctx.req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    headers['x-request-id'] = ctx.state.requestId; // the primary answers and logs with this worker's request id
    headers[Workers.clientAddressHeader] = ctx.ip; // whom wrong admin keys count against: set here, never the client's own
    const hasBody = ctx.req.headers['content-length'] !== undefined || ctx.req.headers['transfer-encoding'] !== undefined;
    let answer;
    try {
      answer = await primary.request({ method: ctx.method, path: ctx.url, headers, body: hasBody ? ctx.req : null });
    } catch {
      respondWithError(ctx, 503, 'admin_unavailable', 'The admin API of this gateway (its primary process) did not answer; try again.');
      return;
    }
    ctx.status = answer.statusCode;
    for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) ctx.set(name, value);
    // Admin answers are small (a config is at most 4 MiB): read whole, so a failure here is an error answer, not a cut.
    ctx.body = Buffer.from(await answer.body.arrayBuffer());
  }

  return { middleware, close: () => primary.close() };
}
