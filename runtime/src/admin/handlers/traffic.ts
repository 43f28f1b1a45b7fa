// `GET /api/v1/traffic` (server-sent events: the recent requests, then each new one as it ends) and
// `GET /api/v1/traffic/{requestId}` (what one of them sent and got, credentials redacted): the editor's Traffic view.
import { PassThrough } from 'node:stream';
import { Traffic } from '../../../../common/src/protocol';
import { AdminError } from '../adminErrors';
import type { AdminRouter } from '../adminRouter';
import type { AdminDeps } from '../deps';

/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
const PING_INTERVAL_MS = 15_000;
/** A subscriber that lets this much pile up unread is too slow: its stream ends (it may reconnect). */
const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

export function registerTrafficHandlers(router: AdminRouter, deps: AdminDeps): void {
  router
    .on('GET', '/traffic', (ctx) => {
      const traffic = deps.observability?.traffic;
      if (!traffic) throw noTraffic(deps);
      const stream = new PassThrough();
      const send = (event: string, data: unknown): void => {
        if (stream.writableLength > MAX_UNREAD_BYTES) {
          stream.end();
          return;
        }
        stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      send(Traffic.helloEvent, { bodies: traffic.bodies, capacity: traffic.capacity } satisfies Traffic.Hello);
      for (const entry of traffic.entries()) send(Traffic.entryEvent, entry);
      const unsubscribe = traffic.subscribe(
        (entry) => send(Traffic.entryEvent, entry),
        () => stream.end(),
      );
      const ping = setInterval(() => stream.write(': ping\n\n'), PING_INTERVAL_MS);
      ping.unref();
      stream.on('close', () => {
        unsubscribe();
        clearInterval(ping);
      });
      ctx.status = 200;
      ctx.type = 'text/event-stream';
      ctx.set('X-Accel-Buffering', 'no');
      ctx.set('Connection', 'close'); // when the stream ends, so does its connection (a closing gateway need not wait on it)
      ctx.body = stream; // Koa destroys it when the client goes away, which unsubscribes
    })
    .on('GET', '/traffic/:requestId', (ctx, { requestId }) => {
      const traffic = deps.observability?.traffic;
      if (!traffic) throw noTraffic(deps);
      const detail = traffic.detail(requestId as string);
      if (!detail) {
        throw new AdminError(
          404,
          'traffic_not_found',
          `No recent request ${requestId}: the gateway keeps the last ${traffic.capacity} requests, from the first GET /api/v1/traffic on (the editor's local gateway: from its start).`,
        );
      }
      ctx.body = detail;
    });
}

/** Why this admin API has no Traffic: the primary of gateway.workers serves none of the requests itself. */
function noTraffic(deps: AdminDeps): AdminError {
  const workers = deps.runtime.snapshot.config.gateway.workers;
  if (workers !== 1) {
    return new AdminError(
      404,
      'traffic_unavailable',
      `This gateway runs gateway.workers: ${String(workers)}, and each worker process keeps its own recent requests: the Traffic view follows a gateway of one process (gateway.workers: 1).`,
    );
  }
  return new AdminError(404, 'traffic_unavailable', 'This gateway keeps no recent requests.');
}
